import EngramText
import Foundation

/// The real all-MiniLM-L6-v2 for tests, provisioned once per test run by the model store
/// (`ENGRAM_MODEL_DIR`, the cache, or a download). A test that cannot get it fails, loudly.
enum TestModel {
    private static let provisioned = Task { try await ModelStore(progress: true).resolve() }
    private static let loaded = Task { try SentenceEncoder(directory: try await provisioned.value) }
    private static let loadedInt8 = Task { try SentenceEncoder(directory: try await provisioned.value, precision: .int8) }

    /// The directory with `config.json`, `vocab.txt` and `model.safetensors`.
    static func directory() async throws -> URL {
        try await provisioned.value
    }

    /// The encoder, loaded once.
    static func encoder() async throws -> SentenceEncoder {
        try await loaded.value
    }

    /// The int8 encoder, loaded once.
    static func int8Encoder() async throws -> SentenceEncoder {
        try await loadedInt8.value
    }
}
