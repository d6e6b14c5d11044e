import GRDB
@testable import EngramMemory
import Foundation

/// A deterministic stand-in for the sentence encoder: words (lower-cased letters and digits)
/// hashed into 256 buckets with FNV-1a, summed and normalised. Texts sharing words are close,
/// texts sharing none are orthogonal, which is all the storage tests need.
struct HashingEmbedder: TextEmbedder {
    var dimension: Int { 256 }
    var embedderName: String { "hashing-256" }

    func embed(_ texts: [String]) -> [[Float]] {
        texts.map { text in
            var vector = [Float](repeating: 0, count: dimension)
            for word in text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in word.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
                vector[Int(hash % UInt64(dimension))] += 1
            }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm == 0 { vector[0] = 1 } else { vector = vector.map { $0 / norm } }
            return vector
        }
    }
}

/// A fresh temporary directory, removed when `body` returns.
func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("engram-memory-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

/// Async variant of ``withTemporaryDirectory(_:)``.
func withTemporaryDirectory<R>(_ body: (URL) async throws -> R) async throws -> R {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("engram-memory-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url)
}

/// A tiny BERT checkpoint (2 layers, hidden 32, a 70-token vocabulary, seeded random weights) in
/// the published file layout, so that the `engram` executable can be run end to end in a debug
/// build in seconds. Its embeddings mean nothing; the storage path is what is tested with it.
enum TinyModel {
    static func write(to directory: URL) throws {
        let hidden = 32, intermediate = 64, layers = 2, positions = 256
        var vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        let letters = "abcdefghijklmnopqrstuvwxyz".map(String.init)
        vocabulary += letters + letters.map { "##" + $0 } + (0...9).map(String.init) + [".", ",", "'", "?", "!", ":"]
        try (vocabulary.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let config = """
            {"hidden_size": \(hidden), "num_hidden_layers": \(layers), "num_attention_heads": 2,
             "intermediate_size": \(intermediate), "max_position_embeddings": \(positions), "type_vocab_size": 2,
             "vocab_size": \(vocabulary.count), "layer_norm_eps": 1e-12, "hidden_act": "gelu",
             "position_embedding_type": "absolute", "model_type": "bert"}
            """
        try config.write(to: directory.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)

        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random(_ count: Int, scale: Float = 0.2) -> [Float] {
            (0..<count).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return (Float(state >> 40) / Float(1 << 24) - 0.5) * scale
            }
        }
        var tensors: [(String, [Int], [Float])] = [
            ("embeddings.word_embeddings.weight", [vocabulary.count, hidden], random(vocabulary.count * hidden, scale: 2)),
            ("embeddings.position_embeddings.weight", [positions, hidden], random(positions * hidden)),
            ("embeddings.token_type_embeddings.weight", [2, hidden], random(2 * hidden)),
            ("embeddings.LayerNorm.weight", [hidden], [Float](repeating: 1, count: hidden)),
            ("embeddings.LayerNorm.bias", [hidden], [Float](repeating: 0, count: hidden)),
        ]
        for layer in 0..<layers {
            let p = "encoder.layer.\(layer)"
            for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                tensors.append(("\(p).\(name).weight", [hidden, hidden], random(hidden * hidden)))
                tensors.append(("\(p).\(name).bias", [hidden], random(hidden)))
            }
            tensors.append(("\(p).intermediate.dense.weight", [intermediate, hidden], random(intermediate * hidden)))
            tensors.append(("\(p).intermediate.dense.bias", [intermediate], random(intermediate)))
            tensors.append(("\(p).output.dense.weight", [hidden, intermediate], random(hidden * intermediate)))
            tensors.append(("\(p).output.dense.bias", [hidden], random(hidden)))
            for norm in ["attention.output.LayerNorm", "output.LayerNorm"] {
                tensors.append(("\(p).\(norm).weight", [hidden], [Float](repeating: 1, count: hidden)))
                tensors.append(("\(p).\(norm).bias", [hidden], [Float](repeating: 0, count: hidden)))
            }
        }
        var entries: [String] = []
        var data = Data()
        for (name, shape, values) in tensors {
            let begin = data.count
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            entries.append("\"\(name)\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[\(begin),\(data.count)]}")
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var file = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: header)
        file.append(data)
        try file.write(to: directory.appendingPathComponent("model.safetensors"))
    }
}

/// The `engram` executable built beside the test bundle.
func engramExecutable() throws -> URL {
    var candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        candidates.append(bundle.bundleURL.deletingLastPathComponent())
    }
    for directory in candidates {
        let url = directory.appendingPathComponent("engram")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "engram executable next to \(candidates)"])
}

extension MemoryStore {
    /// The GRDB database of a store over SQLite, for tests that inspect the file's rows.
    var sqliteDatabase: any DatabaseWriter { (backend as! SQLiteBackend).database }
}
