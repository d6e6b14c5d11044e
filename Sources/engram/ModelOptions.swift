import ArgumentParser
import EngramText
import Foundation

/// Where the sentence encoder's files come from, shared by the commands that embed text.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("model-dir"),
            help: "A directory with config.json, vocab.txt and model.safetensors (default: ENGRAM_MODEL_DIR, the cache, or a download).")
    var modelDirectory: String?

    @Option(help: "The encoder's arithmetic: float32 (the reference, default) or int8 (4× faster with AVX-512 VNNI, 1.3× with AVX2; embeddings within cosine 0.98 of float32's, recall a little different).")
    var precision: EncoderPrecision = .float32

    /// The model directory, provisioned by the model store unless given.
    func resolveDirectory() async throws -> URL {
        if let modelDirectory { return URL(fileURLWithPath: modelDirectory) }
        do {
            return try await ModelStore(progress: true).resolve()
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    func loadEncoder() async throws -> SentenceEncoder {
        let directory = try await resolveDirectory()
        do {
            return try SentenceEncoder(directory: directory, precision: precision)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

extension EncoderPrecision: ExpressibleByArgument {}
