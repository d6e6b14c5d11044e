import EngramData
import EngramMemory
import Foundation

/// An embedder that remembers what it has embedded: a benchmark encodes every text once, with
/// both cores, and the store and the baselines then share those embeddings. The cache can be
/// kept in a file between runs (tuning reruns the same texts many times).
///
/// File layout (little-endian): the magic `EMBC`, the dimension (UInt32), the embedder's
/// signature (UInt32 byte count, UTF-8: name and precision), then per text its UTF-8 byte count (UInt32), the bytes and
/// `dimension` float32 values.
final class CachingEmbedder: TextEmbedder, @unchecked Sendable {
    private let base: any TextEmbedder
    private let lock = NSLock()
    private var cache: [String: [Float]] = [:]

    init(_ base: any TextEmbedder) { self.base = base }

    var dimension: Int { base.dimension }
    var embedderName: String { base.embedderName }
    var embeddingSignature: String { base.embeddingSignature }

    func prime(_ texts: [String]) {
        let missing = Array(Set(texts).subtracting(lock.withLock { Set(cache.keys) }))
        let vectors = base.embed(missing)
        lock.withLock { for (text, vector) in zip(missing, vectors) { cache[text] = vector } }
    }

    func embedding(of text: String) -> [Float] { embed([text])[0] }

    func embed(_ texts: [String]) -> [[Float]] {
        let missing = lock.withLock { texts.filter { cache[$0] == nil } }
        if !missing.isEmpty { prime(missing) }
        return lock.withLock { texts.map { cache[$0]! } }
    }

    /// Writes every cached embedding to `path`.
    func save(to path: String) throws {
        var data = Data("EMBC".utf8)
        func append(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        append(UInt32(dimension))
        append(UInt32(embeddingSignature.utf8.count))
        data.append(contentsOf: embeddingSignature.utf8)
        lock.withLock {
            for (text, vector) in cache.sorted(by: { $0.key < $1.key }) {
                append(UInt32(text.utf8.count))
                data.append(contentsOf: text.utf8)
                for value in vector { append(value.bitPattern) }
            }
        }
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw DataFileError.unreadable(path: path, reason: "cannot write the embedding cache: \(error.localizedDescription)")
        }
    }

    /// Adds the embeddings of the file at `path`, written by ``save(to:)`` for the same embedder.
    /// - Throws: ``DataFileError/unreadable(path:reason:)`` for another embedder's file or a malformed one.
    func load(from path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw DataFileError.unreadable(path: path, reason: error.localizedDescription)
        }
        let bytes = [UInt8](data)
        var offset = 0
        func fail(_ reason: String) -> DataFileError { .unreadable(path: path, reason: "embedding cache: \(reason) at byte \(offset)") }
        func read32() throws -> UInt32 {
            guard offset + 4 <= bytes.count else { throw fail("truncated") }
            defer { offset += 4 }
            return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
        }
        func readString() throws -> String {
            let count = Int(try read32())
            guard offset + count <= bytes.count else { throw fail("truncated") }
            defer { offset += count }
            return String(decoding: bytes[offset ..< offset + count], as: UTF8.self)
        }
        guard bytes.starts(with: Array("EMBC".utf8)) else { throw fail("not an embedding cache") }
        offset = 4
        guard Int(try read32()) == dimension, try readString() == embeddingSignature else {
            throw fail("made by another embedder than \(embeddingSignature) (dimension \(dimension))")
        }
        var loaded: [String: [Float]] = [:]
        while offset < bytes.count {
            let text = try readString()
            var vector = [Float](repeating: 0, count: dimension)
            for j in 0..<dimension { vector[j] = Float(bitPattern: try read32()) }
            loaded[text] = vector
        }
        lock.withLock { cache.merge(loaded) { $1 } }
    }
}
