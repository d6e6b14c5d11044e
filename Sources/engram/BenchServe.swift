import ArgumentParser
import EngramBenchmarks
import EngramMemory
import EngramPostgres
import EngramText
import Foundation

/// `engram bench serve`: the server's latency and throughput beside the library's, same run.
struct BenchServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Concurrent clients (70% recall, 25% remember, 5% forget) through the library and against engram serve on loopback.",
        discussion: """
            Seeds two stores alike with generated memories, runs the same operations through the library and \
            over HTTP, and checks that every acknowledged write is there. --soak runs the server side for that \
            many seconds and samples its resident memory. With --store postgres://… it runs the clients against \
            1, 2 and 4 servers (--servers) sharing that database instead (its scope "default" is emptied and \
            seeded before each), and reports aggregate throughput against one server's.
            """)

    @Flag(help: "Print JSON instead of a table.") var json = false
    @Option(help: "Concurrent clients.") var clients = 32
    @Option(help: "Operations per client.") var operations = 40
    @Option(help: "Memories each store starts with.") var seedMemories = 1_000
    @Option(help: "Run the server side for this many seconds, sampling its memory.") var soak: Double?
    @Option(help: "The share of remember calls.") var remember = 0.25
    @Option(help: "The share of forget calls (the rest recall).") var forget = 0.05
    @Option(help: "A PostgreSQL store that several servers share (postgres://user:password@host:port/database).")
    var store: String?
    @Option(help: "With --store: the server counts to run, comma-separated.") var servers = "1,2,4"
    @OptionGroup var model: ModelOptions

    func run() async throws {
        let modelDirectory = try await model.resolveDirectory()
        let encoder: SentenceEncoder
        do { encoder = try SentenceEncoder(directory: modelDirectory) } catch { throw CommandFailure("\(error)") }
        guard let executable = Bundle.main.executableURL else { throw CommandFailure("cannot find the engram executable") }
        var settings = ServeBenchmark.Settings()
        settings.clients = clients
        settings.operationsPerClient = operations
        settings.seedMemories = seedMemories
        settings.soakSeconds = soak
        guard remember >= 0, forget >= 0, remember + forget <= 1 else {
            throw ValidationError("--remember and --forget are shares from 0 to 1 that add up to at most 1")
        }
        settings.rememberShare = remember
        settings.forgetShare = forget
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-bench-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        if let store {
            try await runShared(settings, encoder: encoder, executable: executable, modelDirectory: modelDirectory, store: store)
            return
        }
        let result: ServeBenchmark.Result
        do {
            result = try await ServeBenchmark.run(settings, embedder: encoder, executable: executable, modelDirectory: modelDirectory,
                                                  directory: directory) { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        } catch {
            throw CommandFailure("\(error)")
        }
        let resident = result.serverResidentBytes
        if json {
            func side(_ s: ServeBenchmark.Side) -> [String: Any] {
                var object: [String: Any] = [
                    "operations": s.operations, "seconds": s.seconds, "throughput_per_second": s.throughput,
                    "p50_ms": s.percentile(0.5), "p99_ms": s.percentile(0.99), "errors": s.errors,
                    "acknowledged_writes": s.acknowledgedWrites, "lost_writes": s.lostWrites, "forgotten_but_present": s.resurrected,
                ]
                for kind in ServeBenchmark.Kind.allCases where s.latencies[kind] != nil {
                    object[kind.rawValue] = ["count": s.latencies[kind]!.count, "p50_ms": s.percentile(0.5, of: kind), "p99_ms": s.percentile(0.99, of: kind)]
                }
                object["first_error"] = s.firstError
                return object
            }
            var object: [String: Any] = [
                "clients": clients, "seed_memories": seedMemories, "library": side(result.library), "server": side(result.server),
                "server_p50_over_library_p50": result.serverP50Ratio,
            ]
            if let first = resident.first, let last = resident.last {
                object["server_resident"] = [
                    "first_bytes": first.bytes, "last_bytes": last.bytes, "max_bytes": resident.map(\.bytes).max() ?? 0,
                    "first_memories": first.memories, "last_memories": last.memories, "samples": resident.count, "seconds": last.seconds,
                    "series": resident.map { ["seconds": $0.seconds, "bytes": $0.bytes, "memories": $0.memories] },
                ]
            }
            printJSON(object)
        } else {
            func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
            let percent = { (share: Double) in String(format: "%.0f%%", share * 100) }
            print("engram bench serve: \(clients) clients, \(percent(1 - remember - forget)) recall / \(percent(remember)) remember / \(percent(forget)) forget, stores seeded with \(seedMemories) memories, real encoder")
            var rows: [[String]] = []
            for (name, s) in [("library", result.library), ("server (HTTP, loopback)", result.server)] {
                rows.append([name, "\(s.operations)", f(s.throughput, 1), f(s.percentile(0.5)), f(s.percentile(0.99)),
                             f(s.percentile(0.5, of: .recall)), f(s.percentile(0.5, of: .remember)), "\(s.errors)", "\(s.lostWrites)"])
            }
            printTable(header: ["side", "ops", "ops/s", "p50 ms", "p99 ms", "recall p50", "remember p50", "errors", "lost writes"], rows: rows)
            print("server p50 / library p50: \(f(result.serverP50Ratio))")
            if let first = resident.first, let last = resident.last {
                print("server resident memory: \(first.bytes / 1_048_576) MiB with \(first.memories) memories at \(f(first.seconds, 0)) s, "
                      + "\(last.bytes / 1_048_576) MiB with \(last.memories) at \(f(last.seconds, 0)) s (\(resident.count) samples)")
                if last.memories != first.memories {
                    print("  growth per memory added: \((last.bytes - first.bytes) / (last.memories - first.memories)) bytes")
                }
            }
            if let error = result.server.firstError ?? result.library.firstError { print("first error: \(error)") }
        }
    }

    /// `--store postgres://…`: aggregate throughput of 1, 2, 4… servers over one database.
    private func runShared(_ settings: ServeBenchmark.Settings, encoder: SentenceEncoder, executable: URL, modelDirectory: URL,
                           store: String) async throws {
        guard PostgresLocation.isURL(store) else { throw ValidationError("--store takes a postgres:// URL") }
        let counts = servers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ (1...16).contains($0) }) else {
            throw ValidationError("--servers takes counts from 1 to 16, comma-separated, got \(servers.debugDescription)")
        }
        let rows: [ServeBenchmark.SharedRow]
        do {
            rows = try await ServeBenchmark.runShared(
                settings, embedder: encoder, executable: executable, modelDirectory: modelDirectory, store: store,
                openBackend: { try PostgresBackend(url: store) }, serverCounts: counts
            ) { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        } catch {
            throw CommandFailure("\(error)")
        }
        let single = rows.first { $0.servers == 1 }?.side.throughput
        func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
        if json {
            printJSON([
                "clients": clients, "seed_memories": seedMemories, "cores": ProcessInfo.processInfo.activeProcessorCount,
                "shared": rows.map { row -> [String: Any] in
                    var object: [String: Any] = [
                        "servers": row.servers, "operations": row.side.operations, "throughput_per_second": row.side.throughput,
                        "p50_ms": row.side.percentile(0.5), "p99_ms": row.side.percentile(0.99), "errors": row.side.errors,
                        "acknowledged_writes": row.side.acknowledgedWrites, "lost_writes": row.side.lostWrites,
                        "forgotten_but_present": row.side.resurrected,
                    ]
                    object["throughput_over_one_server"] = single.map { row.side.throughput / $0 }
                    object["first_error"] = row.side.firstError
                    return object
                },
            ])
        } else {
            print("engram bench serve over PostgreSQL: \(clients) clients spread over the servers, \(ProcessInfo.processInfo.activeProcessorCount) cores")
            printTable(header: ["servers", "ops", "ops/s", "× one server", "p50 ms", "p99 ms", "errors", "lost writes"], rows: rows.map { row in
                ["\(row.servers)", "\(row.side.operations)", f(row.side.throughput, 1), single.map { f(row.side.throughput / $0) } ?? "-",
                 f(row.side.percentile(0.5)), f(row.side.percentile(0.99)), "\(row.side.errors)", "\(row.side.lostWrites)"]
            })
            if let error = rows.compactMap(\.side.firstError).first { print("first error: \(error)") }
        }
    }
}
