import ArgumentParser
import EngramBenchmarks
import EngramMemory
import EngramPostgres
import Foundation

/// `engram bench store`: the memory store's ingest, recall, open and memory figures.
struct BenchStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Ingest rate, recall latency (with query encoding), open + first recall, memory per memory.",
        discussion: """
            Uses generated agent-memory sentences (see SyntheticMemories) and the real encoder; writes a \
            temporary SQLite file, and with --store postgres://… runs the same on that database too \
            (its scope "bench" is emptied first), side by side.
            """
    )

    @Flag(help: "Print JSON instead of a table.") var json = false
    @Option(help: "How many memories to store.") var memories = 20_000
    @Option(help: "How many recalls to time.") var queries = 200
    @Option(help: "Seed of the generated sentences.") var seed: UInt64 = 11
    @Option(help: "A PostgreSQL store to measure beside SQLite (postgres://user:password@host:port/database).")
    var store: String?
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
        var openers: [(name: String, open: () throws -> any MemoryBackend)] = [("sqlite", StoreBenchmark.sqliteFile(in: directory))]
        if let store {
            guard PostgresLocation.isURL(store) else { throw ValidationError("--store takes a postgres:// URL (SQLite is always measured)") }
            openers.append(("postgres", { try PostgresBackend(url: store) }))
        }
        var results: [(name: String, result: StoreBenchmark.Result)] = []
        for (name, open) in openers {
            do {
                let result = try StoreBenchmark.run(settings, encoder: encoder, openBackend: open) { message in
                    FileHandle.standardError.write(Data("[\(name)] \(message)\n".utf8))
                }
                results.append((name, result))
            } catch {
                throw CommandFailure("\(error)")
            }
        }
        func object(_ r: StoreBenchmark.Result) -> [String: Any] {
            var object: [String: Any] = [
                "memories": r.memories, "ingest_per_second": r.ingestPerSecond, "encode_only_per_second": r.encodeOnlyPerSecond,
                "recall_p50_ms": r.recallP50Milliseconds, "recall_p99_ms": r.recallP99Milliseconds,
                "query_encoding_p50_ms": r.queryEncodingP50Milliseconds,
                "open_and_first_recall_ms": r.openAndFirstRecallMilliseconds,
                "rebuild_and_first_recall_ms": r.rebuildAndFirstRecallMilliseconds, "index_bytes_per_memory": r.bytesPerMemory,
            ]
            object["file_bytes"] = r.fileBytes
            return object
        }
        if json {
            // SQLite's figures at the top level (the keys of earlier versions), the others by name.
            var top = object(results[0].result)
            for (name, result) in results.dropFirst() { top[name] = object(result) }
            printJSON(top)
        } else {
            func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
            func row(_ label: String, _ value: (StoreBenchmark.Result) -> String) -> [String] { [label] + results.map { value($0.result) } }
            print("Memory store, \(results[0].result.memories) generated memories, real encoder")
            printTable(header: ["measure"] + results.map(\.name), rows: [
                row("ingest, end to end (memories/s)") { f($0.ingestPerSecond) },
                row("encoder alone on the same texts (texts/s)") { f($0.encodeOnlyPerSecond) },
                row("recall p50 incl. query encoding (ms)") { f($0.recallP50Milliseconds, 2) },
                row("recall p99 incl. query encoding (ms)") { f($0.recallP99Milliseconds, 2) },
                row("query encoding alone, p50 (ms)") { f($0.queryEncodingP50Milliseconds, 2) },
                row("open + first recall, index restored (ms)") { f($0.openAndFirstRecallMilliseconds) },
                row("open + first recall, index rebuilt (ms)") { f($0.rebuildAndFirstRecallMilliseconds) },
                row("in-memory index bytes per memory (estimated)") { f($0.bytesPerMemory, 0) },
                row("file bytes per memory") { r in r.fileBytes.map { f(Double($0) / Double(max(r.memories, 1)), 0) } ?? "n/a" },
            ])
        }
    }
}
