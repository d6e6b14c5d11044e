import AsyncHTTPClient
import EngramKernels
import EngramMemory
import Foundation
import NIOCore
import NIOPosix

/// `engram bench serve`: concurrent clients doing a mix of operations (by default 70% recall, 25%
/// remember, 5% forget) through the library and against `engram serve` on loopback, in one run on stores
/// seeded alike, so that the server's cost is a ratio of latencies measured side by side. Each
/// side ends with a check that every acknowledged write is there (and every forgotten one gone).
/// With a duration, the server side repeats the mix for that long and samples the server's
/// resident memory, to show whether it stays flat.
public enum ServeBenchmark {
    public struct Settings: Sendable {
        public var clients = 32
        public var operationsPerClient = 40
        public var seedMemories = 1_000
        /// Run the server side for this long (a soak), instead of `operationsPerClient` each.
        public var soakSeconds: Double?
        public var seed: UInt64 = 17
        /// The shares of remember and forget calls; the rest are recalls.
        public var rememberShare = 0.25
        public var forgetShare = 0.05
        public init() {}
    }

    public enum Kind: String, CaseIterable, Sendable { case recall, remember, forget }

    public struct ResidentSample: Sendable {
        public var seconds: Double
        public var bytes: Int
        public var memories: Int
    }

    public struct Side: Sendable {
        public var operations = 0
        public var seconds = 0.0
        public var latencies: [Kind: [Double]] = [:]
        public var errors = 0
        public var firstError: String?
        public var acknowledgedWrites = 0
        public var lostWrites = 0
        public var resurrected = 0

        public var throughput: Double { Double(operations) / max(seconds, 1e-9) }
        public func percentile(_ p: Double, of kind: Kind? = nil) -> Double {
            let values = kind.map { latencies[$0] ?? [] } ?? latencies.values.flatMap { $0 }
            return EncodeBenchmark.percentile(values.sorted(), p)
        }
    }

    public struct Result: Sendable {
        public var library: Side
        public var server: Side
        /// The server's resident memory (seconds since its side started, bytes, memories in the
        /// store then); Linux only.
        public var serverResidentBytes: [ResidentSample]
        public var serverP50Ratio: Double { server.percentile(0.5) / library.percentile(0.5) }
    }

    /// One client's operations, drawn from the seed.
    static func plan(client: Int, count: Int, settings: Settings) -> [Kind] {
        var random = SeededGenerator(seed: settings.seed &+ UInt64(client) &* 7919)
        return (0..<count).map { _ in
            let roll = Double.random(in: 0..<1, using: &random)
            return roll < settings.rememberShare ? .remember : roll < settings.rememberShare + settings.forgetShare ? .forget : .recall
        }
    }

    /// - Parameters:
    ///   - executable: the `engram` executable to start `engram serve` from.
    ///   - modelDirectory: the model the server loads (the same as `embedder`'s).
    public static func run(
        _ settings: Settings, embedder: any TextEmbedder, executable: URL, modelDirectory: URL, directory: URL,
        progress: @escaping @Sendable (String) -> Void
    ) async throws -> Result {
        let seedTexts = SyntheticMemories.texts(count: settings.seedMemories, seed: settings.seed)
        let queries = SyntheticMemories.texts(count: 200, seed: settings.seed &+ 1)
            .map { $0.split(separator: " ").prefix(7).joined(separator: " ") }

        progress("seeding two stores with \(settings.seedMemories) memories each…")
        let libraryStore = try MemoryStore(path: directory.appendingPathComponent("library.sqlite").path, embedder: embedder)
        _ = try libraryStore.remember(seedTexts.map { NewMemory(text: $0) })
        let serverPath = directory.appendingPathComponent("server.sqlite").path
        _ = try MemoryStore(path: serverPath, embedder: embedder).remember(seedTexts.map { NewMemory(text: $0) })

        progress("library: \(settings.clients) clients × \(settings.operationsPerClient) operations…")
        let library = try await runLibrary(settings, store: libraryStore, queries: queries)

        progress("server: starting engram serve…")
        let server = try ServerProcess(executable: executable, store: serverPath, modelDirectory: modelDirectory)
        defer { server.stop() }
        progress("server: \(settings.clients) clients against \(server.baseURL)\(settings.soakSeconds.map { " for \(Int($0)) s" } ?? "")…")
        let (serverSide, resident) = try await runServer(settings, servers: [server], queries: queries)
        return Result(library: library, server: serverSide, serverResidentBytes: resident)
    }

    /// One row of ``runShared(_:embedder:executable:modelDirectory:store:openBackend:serverCounts:progress:)``.
    public struct SharedRow: Sendable {
        public var servers: Int
        public var side: Side
    }

    /// The same clients spread over 1, 2, 4… `engram serve` processes that share the store at
    /// `store` (a PostgreSQL URL), which is emptied and seeded alike before each count: aggregate
    /// throughput against the number of servers, with every acknowledged write checked.
    public static func runShared(
        _ settings: Settings, embedder: any TextEmbedder, executable: URL, modelDirectory: URL, store: String,
        openBackend: () throws -> any MemoryBackend, serverCounts: [Int], progress: @escaping @Sendable (String) -> Void
    ) async throws -> [SharedRow] {
        let seedTexts = SyntheticMemories.texts(count: settings.seedMemories, seed: settings.seed)
        let queries = SyntheticMemories.texts(count: 200, seed: settings.seed &+ 1)
            .map { $0.split(separator: " ").prefix(7).joined(separator: " ") }
        var rows: [SharedRow] = []
        for count in serverCounts {
            progress("\(count) server(s): seeding \(store) with \(settings.seedMemories) memories…")
            do {
                let seeded = try MemoryStore(backend: try openBackend(), embedder: embedder)
                try seeded.forget(scope: MemoryStore.defaultScope)
                _ = try seeded.remember(seedTexts.map { NewMemory(text: $0) })
            }
            let servers = try (0..<count).map { _ in try ServerProcess(executable: executable, store: store, modelDirectory: modelDirectory) }
            defer { servers.forEach { $0.stop() } }
            progress("\(count) server(s): \(settings.clients) clients…")
            let (side, _) = try await runServer(settings, servers: servers, queries: queries)
            rows.append(SharedRow(servers: count, side: side))
        }
        return rows
    }

    // MARK: - Library side

    /// The clients' calls go to as many threads as the server gives its store calls (one per
    /// core), and are timed from submission, queueing included, as an HTTP client times them:
    /// the two sides then differ by HTTP, JSON and the server's routing only.
    private static func runLibrary(_ settings: Settings, store: MemoryStore, queries: [String]) async throws -> Side {
        let threads = NIOThreadPool(numberOfThreads: System.coreCount)
        threads.start()
        let started = Date()
        let outcomes = try await withThrowingTaskGroup(of: ClientOutcome.self) { group in
            for client in 0..<settings.clients {
                group.addTask {
                    var outcome = ClientOutcome()
                    var texts = writeTexts(client: client, seed: settings.seed)
                    for (i, kind) in plan(client: client, count: settings.operationsPerClient, settings: settings).enumerated() {
                        let begin = DispatchTime.now().uptimeNanoseconds
                        do {
                            switch (kind, outcome.ownStored.last) {
                            case let (.forget, id?):
                                try await threads.runIfActive { try store.forget(id) }
                                outcome.forgotten.append(outcome.ownStored.removeLast())
                            case (.remember, _):
                                let text = texts.next()
                                switch try await threads.runIfActive({ try store.remember(text) }) {
                                case let .stored(id): outcome.acknowledge(id, own: true)
                                case let .duplicate(id, _): outcome.acknowledge(id, own: false)
                                }
                            default:
                                let query = queries[(client * 31 + i) % queries.count]
                                _ = try await threads.runIfActive { try store.recall(query, k: 10) }
                            }
                            outcome.record(kind, since: begin)
                        } catch {
                            outcome.fail("\(error)")
                        }
                    }
                    return outcome
                }
            }
            return try await group.reduce(into: [ClientOutcome]()) { $0.append($1) }
        }
        try await threads.shutdownGracefully()
        var side = Side()
        side.seconds = Date().timeIntervalSince(started)
        side.merge(outcomes)
        var present = Set<MemoryID>()
        try store.forEachMemory { present.insert($0.id) }
        side.check(outcomes, present: present)
        return side
    }

    // MARK: - Server side

    /// The clients against `servers` (client i talks to server i mod count); resident memory is
    /// sampled from the first.
    private static func runServer(_ settings: Settings, servers: [ServerProcess], queries: [String]) async throws
        -> (Side, [ResidentSample]) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = settings.clients
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let apis = servers.map { APIClient(http: client, baseURL: $0.baseURL) }
        let server = servers[0], api = apis[0]

        let started = Date()
        let deadline = settings.soakSeconds.map { started.addingTimeInterval($0) }
        let sampler = Task {
            var samples: [ResidentSample] = []
            func sample() async {
                guard let bytes = server.residentBytes(),
                      let memories = (try? await api.send("GET", "/v1/stats"))?["memories"] as? Int else { return }
                samples.append(ResidentSample(seconds: Date().timeIntervalSince(started), bytes: bytes, memories: memories))
            }
            while !Task.isCancelled {
                await sample()
                try? await Task.sleep(nanoseconds: settings.soakSeconds == nil ? 500_000_000 : 10_000_000_000)
            }
            await sample()
            return samples
        }
        let outcomes = try await withThrowingTaskGroup(of: ClientOutcome.self) { group in
            for clientNumber in 0..<settings.clients {
                group.addTask {
                    let api = apis[clientNumber % apis.count]
                    var outcome = ClientOutcome()
                    var texts = writeTexts(client: clientNumber, seed: settings.seed)
                    // A soak draws a plan longer than it can run, so that its mix is the shares asked for.
                    let kinds = plan(client: clientNumber, count: deadline == nil ? settings.operationsPerClient : 100_000, settings: settings)
                    var i = 0
                    while deadline.map({ Date() < $0 }) ?? (i < kinds.count) {
                        let kind = kinds[i % kinds.count]
                        let begin = DispatchTime.now().uptimeNanoseconds
                        do {
                            switch (kind, outcome.ownStored.last) {
                            case let (.forget, id?):
                                try await api.send("DELETE", "/v1/memories/\(id)")
                                outcome.forgotten.append(outcome.ownStored.removeLast())
                            case (.remember, _):
                                let body = try await api.send("POST", "/v1/memories", ["text": texts.next()])
                                let result = (body["results"] as? [[String: Any]])?.first
                                guard let id = (result?["id"] as? NSNumber)?.int64Value else { throw APIClient.Failure("no id in \(body)") }
                                outcome.acknowledge(id, own: result?["status"] as? String == "stored")
                            default:
                                _ = try await api.send("POST", "/v1/recall", ["query": queries[(clientNumber * 31 + i) % queries.count], "k": 10])
                            }
                            outcome.record(kind, since: begin)
                        } catch {
                            outcome.fail("\(error)")
                        }
                        i += 1
                    }
                    return outcome
                }
            }
            return try await group.reduce(into: [ClientOutcome]()) { $0.append($1) }
        }
        var side = Side()
        side.seconds = Date().timeIntervalSince(started)
        sampler.cancel()
        let resident = await sampler.value
        side.merge(outcomes)
        let present = try await api.allIDs()
        try await client.shutdown()
        side.check(outcomes, present: present)
        return (side, resident)
    }

    /// Each client's new texts: generated sentences tagged with the client, so none repeats.
    private static func writeTexts(client: Int, seed: UInt64) -> TextSource {
        TextSource(client: client, texts: SyntheticMemories.texts(count: 500, seed: seed &+ 100 &+ UInt64(client)))
    }

    struct TextSource {
        let client: Int
        let texts: [String]
        var count = 0
        mutating func next() -> String {
            defer { count += 1 }
            return "\(texts[count % texts.count]) (note \(client)-\(count))"
        }
    }
}

/// What one client saw: latencies, errors, and the writes it was told were kept.
struct ClientOutcome: Sendable {
    var latencies: [ServeBenchmark.Kind: [Double]] = [:]
    var errors = 0
    var firstError: String?
    /// Ids acknowledged by remember (stored, or the twin of a duplicate).
    var acknowledged: [MemoryID] = []
    /// This client's own stored memories not yet forgotten (what its forgets take).
    var ownStored: [MemoryID] = []
    var forgotten: [MemoryID] = []

    mutating func record(_ kind: ServeBenchmark.Kind, since begin: UInt64) {
        latencies[kind, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6)
    }
    mutating func acknowledge(_ id: MemoryID, own: Bool) {
        acknowledged.append(id)
        if own { ownStored.append(id) }
    }
    mutating func fail(_ message: String) {
        errors += 1
        if firstError == nil { firstError = message }
    }
}

extension ServeBenchmark.Side {
    mutating func merge(_ outcomes: [ClientOutcome]) {
        for outcome in outcomes {
            for (kind, values) in outcome.latencies { latencies[kind, default: []] += values }
            errors += outcome.errors
            firstError = firstError ?? outcome.firstError
        }
        operations = latencies.values.reduce(0) { $0 + $1.count }
    }

    /// Every acknowledged write not forgotten must be present; every forgotten one absent.
    mutating func check(_ outcomes: [ClientOutcome], present: Set<MemoryID>) {
        let forgotten = Set(outcomes.flatMap(\.forgotten))
        let kept = Set(outcomes.flatMap(\.acknowledged)).subtracting(forgotten)
        acknowledgedWrites = outcomes.reduce(0) { $0 + $1.acknowledged.count }
        lostWrites = kept.subtracting(present).count
        resurrected = forgotten.intersection(present).count
    }
}

/// JSON over HTTP to the server under test.
struct APIClient: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    let http: HTTPClient
    let baseURL: String

    @discardableResult
    func send(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await http.execute(request, timeout: .seconds(120))
        let data = Data(try await response.body.collect(upTo: 64 << 20).readableBytesView)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw Failure("\(method) \(path): \(response.status.code) \(String(decoding: data, as: UTF8.self))")
        }
        return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// Every memory id in the store, page by page.
    func allIDs() async throws -> Set<MemoryID> {
        var ids = Set<MemoryID>()
        var after: Int64 = 0
        while true {
            let page = try await send("GET", "/v1/memories?limit=500&after_id=\(after)")
            for memory in page["memories"] as? [[String: Any]] ?? [] {
                if let id = (memory["id"] as? NSNumber)?.int64Value { ids.insert(id) }
            }
            guard let next = (page["next_after_id"] as? NSNumber)?.int64Value else { return ids }
            after = next
        }
    }
}

/// `engram serve --port 0` as a child process, with the address it printed.
final class ServerProcess: Sendable {
    let process: Process
    let baseURL: String

    init(executable: URL, store: String, modelDirectory: URL) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--port", "0", "--model-dir", modelDirectory.path]
        var environment = ProcessInfo.processInfo.environment
        environment["ENGRAM_TOKEN"] = nil
        // In the environment, not the arguments: a URL's password would show in the process list.
        environment["ENGRAM_STORE"] = store
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        var output = ""
        let deadline = Date().addingTimeInterval(120)
        while !output.contains("listening on http://"), Date() < deadline {
            let chunk = errors.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            output += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = output.range(of: #"http://[0-9.:\[\]]+"#, options: .regularExpression) else {
            process.terminate()
            throw APIClient.Failure("engram serve did not start: \(output)")
        }
        baseURL = String(output[range])
        // Keep reading its log so that a full pipe never blocks it.
        errors.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
    }

    /// VmRSS from /proc (Linux); nil elsewhere.
    func residentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
