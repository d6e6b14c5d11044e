import EngramMemory
import EngramText
import Foundation

/// `engram bench store`: the memory store end to end with the real encoder.
///
/// - **ingest**: memories per second through ``MemoryStore/importMemories(_:committed:)``
///   (encoding with both cores, passage cues, fly-hash codes, entities, one transaction per 64),
///   over the whole fill; beside it the encoder alone on the first 2,000 texts, so that the
///   share of the cost that is storage shows.
/// - **recall**: p50 / p99 of ``MemoryStore/recall(_:scope:k:)`` (k = 10, every stage) at the
///   filled size, one query at a time, including query encoding; beside it the p50 of encoding
///   the query alone.
/// - **open + first recall**: a second store object opened on the same store (model already
///   loaded) and its first recall, which restores the scope's in-memory index from the snapshot
///   the import saved; beside it the same with snapshots off, which rebuilds the index from the
///   back end's rows.
/// - **memory per memory**: the in-memory index that open and first recall built, estimated from
///   its structures' capacities (``MemoryStore/loadedIndexBytes()``), divided by the memory
///   count; text and metadata stay in SQLite. (The process's resident size is no measure of it:
///   the allocator reuses what ingest freed.)
public enum StoreBenchmark {
    public struct Settings: Sendable {
        public var memories = 20_000
        public var queries = 200
        public var seed: UInt64 = 11
        public init() {}
    }

    public struct Result: Sendable {
        public var memories: Int
        public var ingestPerSecond: Double
        public var encodeOnlyPerSecond: Double
        public var recallP50Milliseconds: Double
        public var recallP99Milliseconds: Double
        public var queryEncodingP50Milliseconds: Double
        public var openAndFirstRecallMilliseconds: Double
        public var rebuildAndFirstRecallMilliseconds: Double
        public var bytesPerMemory: Double
        public var fileBytes: Int64?
    }

    /// A new SQLite file in `directory` each time the benchmark's store is first opened, the same
    /// file when it is opened again.
    public static func sqliteFile(in directory: URL) -> @Sendable () throws -> any MemoryBackend {
        let path = directory.appendingPathComponent("bench-store.sqlite").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        return { try SQLiteBackend(path: path) }
    }

    /// Runs the benchmark on the store that `openBackend` opens (twice: to fill it, and anew to
    /// time opening); the scope `bench` is emptied first.
    public static func run(
        _ settings: Settings, encoder: SentenceEncoder, openBackend: () throws -> any MemoryBackend, progress: (String) -> Void
    ) throws -> Result {
        let texts = SyntheticMemories.texts(count: settings.memories, seed: settings.seed)
        let clock = ContinuousClock()

        progress("encoder alone on \(min(2_000, texts.count)) texts…")
        let sample = Array(texts.prefix(2_000))
        let encodeStart = clock.now
        _ = encoder.encode(sample)
        let encodeOnly = Double(sample.count) / (clock.now - encodeStart).seconds

        var configuration = MemoryStore.Configuration()
        configuration.duplicateThreshold = nil
        let store = try MemoryStore(backend: try openBackend(), embedder: encoder, configuration: configuration)
        try store.forget(scope: "bench")
        let items = texts.enumerated().map { i, text in
            NewMemory(text: text, scope: "bench", session: "s\(i / 50)")
        }
        progress("ingesting \(items.count) memories…")
        let ingestStart = clock.now
        var lastReport = 0
        _ = try store.importMemories(items) { done, _ in
            if done - lastReport >= 2_000 { progress("  \(done)/\(items.count)"); lastReport = done }
        }
        let ingest = Double(items.count) / (clock.now - ingestStart).seconds

        progress("opening the store anew and recalling once…")
        let openStart = clock.now
        let reopened = try MemoryStore(backend: try openBackend(), embedder: encoder, configuration: configuration)
        _ = try reopened.recall("who repaired a bicycle near the harbour", scope: "bench", k: 10)
        let openAndFirst = (clock.now - openStart).seconds * 1000
        let indexBytes = reopened.loadedIndexBytes()
        var rebuilding = configuration
        rebuilding.indexSnapshotMinimum = nil
        let rebuildStart = clock.now
        let rebuilt = try MemoryStore(backend: try openBackend(), embedder: encoder, configuration: rebuilding)
        _ = try rebuilt.recall("who repaired a bicycle near the harbour", scope: "bench", k: 10)
        let rebuildAndFirst = (clock.now - rebuildStart).seconds * 1000

        progress("timing \(settings.queries) recalls…")
        let queries = SyntheticMemories.texts(count: settings.queries, seed: settings.seed &+ 1)
        var recallTimes: [Double] = [], encodeTimes: [Double] = []
        for query in queries {
            let start = clock.now
            _ = try reopened.recall(query, scope: "bench", k: 10)
            recallTimes.append((clock.now - start).seconds * 1000)
            let encodeStart = clock.now
            _ = encoder.encode(query)
            encodeTimes.append((clock.now - encodeStart).seconds * 1000)
        }
        recallTimes.sort()
        encodeTimes.sort()
        let statistics = try reopened.statistics()
        return Result(
            memories: items.count, ingestPerSecond: ingest, encodeOnlyPerSecond: encodeOnly,
            recallP50Milliseconds: EncodeBenchmark.percentile(recallTimes, 0.5),
            recallP99Milliseconds: EncodeBenchmark.percentile(recallTimes, 0.99),
            queryEncodingP50Milliseconds: EncodeBenchmark.percentile(encodeTimes, 0.5),
            openAndFirstRecallMilliseconds: openAndFirst, rebuildAndFirstRecallMilliseconds: rebuildAndFirst,
            bytesPerMemory: Double(indexBytes) / Double(items.count),
            fileBytes: statistics.fileBytes)
    }
}
