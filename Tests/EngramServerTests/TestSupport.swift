import EngramMemory
import EngramServer
import Foundation
import MCP

/// Words hashed into 64 buckets and normalised: texts sharing words are close, which is all the
/// server's tests need of an encoder.
struct WordHashEmbedder: TextEmbedder {
    var dimension: Int { 64 }
    var embedderName: String { "word-hash-64" }

    func embed(_ texts: [String]) -> [[Float]] {
        texts.map { text in
            var vector = [Float](repeating: 0, count: dimension)
            for word in text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
                // FNV-1a: the same buckets in every run (`hashValue` is seeded per process).
                let hash = word.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
                vector[Int(hash % UInt64(dimension))] += 1
            }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm == 0 ? [1] + [Float](repeating: 0, count: dimension - 1) : vector.map { $0 / norm }
        }
    }
}

/// A service over a fresh in-memory store.
func makeService(fixedScope: String? = nil, limits: ServerLimits = ServerLimits()) throws -> MemoryService {
    let store = try MemoryStore(inMemoryWith: WordHashEmbedder())
    return try MemoryService(store: store, fixedScope: fixedScope, limits: limits, threads: 2)
}

/// Runs `operation` and expects it to be refused.
func refusal(_ service: MemoryService, _ operation: EngramServer.Operation, _ arguments: [String: Value],
             fromQuery: Bool = false) async -> APIError? {
    do {
        _ = try await service.perform(operation, arguments: arguments, fromQuery: fromQuery)
        return nil
    } catch {
        return error as? APIError
    }
}
