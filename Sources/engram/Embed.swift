import ArgumentParser
import EngramText
import Foundation

/// `engram embed`: sentence embeddings of texts, as JSON lines.
struct Embed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the all-MiniLM-L6-v2 embeddings of texts as JSON lines.",
        discussion: """
            Each output line is {"text": …, "embedding": [384 floats]} (plus "token_ids" with \
            --with-tokens). Texts come from the arguments or, with --jsonl, from a file of lines \
            {"text": …}. The model is provisioned on first use.
            """
    )

    @Argument(help: "Texts to embed.") var texts: [String] = []
    @Option(help: "A JSON-lines file whose lines are objects with a \"text\" string.") var jsonl: String?
    @Option(help: "Write the lines to this file instead of standard output.") var output: String?
    @Flag(help: "Also print each text's token ids.") var withTokens = false
    @OptionGroup var model: ModelOptions

    func validate() throws {
        guard texts.isEmpty != (jsonl == nil) else {
            throw ValidationError("give texts as arguments or --jsonl FILE, not both and not neither")
        }
    }

    func run() async throws {
        let inputs = try jsonl.map(JSONLines.texts(path:)) ?? texts
        let encoder = try await model.loadEncoder()
        let sink = try OutputSink(path: output)
        let progress = inputs.count >= 256 ? CountProgress(label: "embedding", total: inputs.count) : nil
        let batchSize = 256
        for start in stride(from: 0, to: inputs.count, by: batchSize) {
            let batch = Array(inputs[start..<min(start + batchSize, inputs.count)])
            let embeddings = encoder.encode(batch)
            var lines = ""
            for (text, embedding) in zip(batch, embeddings) {
                var object: [String: Any] = ["text": text, "embedding": embedding.map(Double.init)]
                if withTokens { object["token_ids"] = encoder.tokenIDs(text).map(Int.init) }
                lines += try jsonLine(object)
            }
            try sink.write(lines)
            progress?.advance(to: start + batch.count)
        }
        progress?.finish()
    }
}

/// Reading `{"text": …}` lines, with errors that give the line number.
enum JSONLines {
    static func texts(path: String) throws -> [String] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure("cannot read \(path): \(error.localizedDescription)")
        }
        guard let content = String(data: data, encoding: .utf8) else {
            throw CommandFailure("\(path) is not UTF-8 text")
        }
        var texts: [String] = []
        for (index, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
                throw CommandFailure("\(path):\(index + 1): not a JSON object")
            }
            guard let text = object["text"] as? String else {
                throw CommandFailure("\(path):\(index + 1): no \"text\" string")
            }
            texts.append(text)
        }
        return texts
    }
}
