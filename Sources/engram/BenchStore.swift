import ArgumentParser
import EngramBenchmarks
import Foundation

/// `engram bench store`: the memory store's ingest, recall, open and memory figures.
struct BenchStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Ingest rate, recall latency (with query encoding), open + first recall, memory per memory.",
        discussion: "Uses generated agent-memory sentences (see SyntheticMemories) and the real encoder; writes a temporary store file."
    )

    @Flag(help: "Print JSON instead of a table.") var json = false
    @Option(help: "How many memories to store.") var memories = 20_000
    @Option(help: "How many recalls to time.") var queries = 200
    @Option(help: "Seed of the generated sentences.") var seed: UInt64 = 11
    @OptionGroup var model: ModelOptions

    func run() async throws {
        let encoder = try await model.loadEncoder()
        var settings = StoreBenchmark.Settings()
        settings.memories = memories
        settings.queries = queries
        settings.seed = seed
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let r: StoreBenchmark.Result
        do {
            r = try StoreBenchmark.run(settings, encoder: encoder, directory: directory) { message in
                FileHandle.standardError.write(Data("\(message)\n".utf8))
            }
        } catch {
            throw CommandFailure("\(error)")
        }
        if json {
            var object: [String: Any] = [
                "memories": r.memories, "ingest_per_second": r.ingestPerSecond, "encode_only_per_second": r.encodeOnlyPerSecond,
                "recall_p50_ms": r.recallP50Milliseconds, "recall_p99_ms": r.recallP99Milliseconds,
                "query_encoding_p50_ms": r.queryEncodingP50Milliseconds,
                "open_and_first_recall_ms": r.openAndFirstRecallMilliseconds, "index_bytes_per_memory": r.bytesPerMemory,
            ]
            object["file_bytes"] = r.fileBytes
            printJSON(object)
        } else {
            func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
            print("Memory store, \(r.memories) generated memories, real encoder")
            printTable(header: ["measure", "value"], rows: [
                ["ingest, end to end (memories/s)", f(r.ingestPerSecond)],
                ["encoder alone on the same texts (texts/s)", f(r.encodeOnlyPerSecond)],
                ["recall p50 incl. query encoding (ms)", f(r.recallP50Milliseconds, 2)],
                ["recall p99 incl. query encoding (ms)", f(r.recallP99Milliseconds, 2)],
                ["query encoding alone, p50 (ms)", f(r.queryEncodingP50Milliseconds, 2)],
                ["open + first recall (ms)", f(r.openAndFirstRecallMilliseconds)],
                ["in-memory index bytes per memory (estimated)", f(r.bytesPerMemory, 0)],
                ["file bytes per memory", r.fileBytes.map { f(Double($0) / Double(max(r.memories, 1)), 0) } ?? "n/a"],
            ])
        }
    }
}
