import EngramAssociative
import Foundation

/// A long-term memory for agents: remember text, recall it from a paraphrased cue, follow
/// association chains, forget it for good. Local and LLM-free: a sentence encoder, fly-hash
/// codes, a two-stage Hopfield retrieval, association edges and SQLite.
///
/// ```swift
/// let store = try MemoryStore(path: "memory.sqlite", embedder: try await SentenceEncoder.loadDefault())
/// let id = try store.remember("Caroline went hiking in the Alps in May", scope: "alice").id
/// let hits = try store.recall("where did Caroline go walking?", scope: "alice", k: 5)
/// try store.forget(id)
/// ```
///
/// **Scopes** (a user, an agent, a session: any non-empty name, such as `alice` or
/// `alice/planner`) are hard partitions: a recall in one scope never sees another's memories.
/// **Persistence**: a ``MemoryBackend``: one SQLite file (``SQLiteBackend``, the default), or
/// PostgreSQL behind several servers (`EngramPostgres`). Every write is one transaction; the
/// in-memory index of a scope is built from the back end when the scope is first recalled, and
/// rebuilt when another process (or server) has written to that scope since (each scope has a
/// revision that every write to it increments).
///
/// Thread-safe. Encoding runs outside any lock; each scope's in-memory index has its own lock, so
/// recalls in different scopes do not wait for each other.
public final class MemoryStore: Sendable {
    /// Settings of a store; the fly-hash ones are fixed when the store file is created.
    public struct Configuration: Sendable {
        /// A text whose embedding has at least this cosine with a memory of the same scope is
        /// reported as a duplicate instead of being stored; `nil` stores every text.
        public var duplicateThreshold: Float? = 0.97
        /// Two memories of a scope are taken for versions of one subject when their whole-text
        /// cosine reaches `supersessionThreshold` and exceeds the older's hubness (its mean cosine
        /// with its nearest memories) by `supersessionDistinctness`: the later one (by time)
        /// supersedes the earlier, which recall ranks below it when the query's evidence cannot
        /// tell them apart (``RecallOptions/supersessionMargin``) and reports with
        /// ``Memory/supersededBy``. `nil` links nothing. Chosen on memory-dev (its 25 updates have
        /// cosines 0.43–0.95 and margins over the older's neighbourhood of 0.09–0.65) and LoCoMo's
        /// development split (a few pairs per conversation reach a margin of 0.2); see
        /// ``MemoryStore/linkSupersessions`` and BENCHMARKS.md.
        public var supersessionThreshold: Float? = 0.6
        public var supersessionDistinctness: Float = 0.2
        /// Fly-hash code size `m`, active units `k` and seed (used when a store is created).
        public var flyHashUnits = 2048
        public var flyHashActiveUnits = 32
        public var flyHashSeed: UInt64 = 0x656E_6772_616D
        /// Memories per write transaction when importing.
        public var importBatchSize = 64
        /// Scopes of at least this many memories keep a snapshot of their in-memory index in the
        /// back end, from which opening the store restores it (20,000 memories: one read instead
        /// of a rebuild; see BENCHMARKS.md). `nil` keeps none. Smaller scopes rebuild quickly.
        public var indexSnapshotMinimum: Int? = 1_000

        public init() {}
    }

    /// The scope used when none is given.
    public static let defaultScope = "default"
    /// The longest text a memory may hold, in bytes of UTF-8 (passage cues cover all of it).
    public static let maximumTextBytes = 32_768

    /// Where the store lives: a path (`:memory:` for an in-memory store), or a URL without its password.
    public var path: String { backend.location }
    public let configuration: Configuration
    /// What was found amiss when the store was opened (such as a file other users can read),
    /// one line each, for the caller to show.
    public var warnings: [String] { backend.warnings }
    public let backend: any MemoryBackend
    let embedder: any TextEmbedder
    let flyHash: FlyHash
    let scopeSlots = ScopeSlots()

    /// Opens the SQLite store at `path`, creating it (and its directory) if needed.
    /// - Throws: ``MemoryError/notAnEngramStore(path:reason:)`` for a file that is something else
    ///   (left untouched), ``MemoryError/incompatibleStore(path:reason:)`` for a newer format or
    ///   another encoder, ``MemoryError/database(_:)`` when SQLite cannot open it.
    public convenience init(path: String, embedder: any TextEmbedder, configuration: Configuration = Configuration()) throws {
        try self.init(backend: try SQLiteBackend(path: path), embedder: embedder, configuration: configuration)
    }

    /// An empty store that lives in memory only (for tests and throw-away sessions).
    public convenience init(inMemoryWith embedder: any TextEmbedder, configuration: Configuration = Configuration()) throws {
        try self.init(backend: try SQLiteBackend(), embedder: embedder, configuration: configuration)
    }

    /// A store over `backend`, whose schema is up to date.
    /// - Throws: ``MemoryError/incompatibleStore(path:reason:)`` when the store holds embeddings of
    ///   another encoder or unreadable fly-hash parameters, ``MemoryError/database(_:)``.
    public init(backend: any MemoryBackend, embedder: any TextEmbedder, configuration: Configuration = Configuration()) throws {
        self.backend = backend
        self.embedder = embedder
        self.configuration = configuration
        let path = backend.location
        flyHash = try backend.write(scopes: []) { transaction in
            try Self.settleStoreInfo(transaction, path: path, embedder: embedder, configuration: configuration)
        }
    }

    /// Records the encoder and fly-hash parameters in a new store, or checks them in an old one,
    /// and returns the fly hash the store's codes are made with.
    private static func settleStoreInfo(
        _ transaction: any MemoryBackendWriting, path: String, embedder: any TextEmbedder, configuration: Configuration
    ) throws -> FlyHash {
        var info = try transaction.storeInfo()
        if info["embedder"] == nil {
            let fresh = [
                "embedder": embedder.embedderName, "dimension": "\(embedder.dimension)",
                "flyhash_units": "\(configuration.flyHashUnits)", "flyhash_active": "\(configuration.flyHashActiveUnits)",
                "flyhash_seed": "\(configuration.flyHashSeed)",
            ]
            for (key, value) in fresh.sorted(by: { $0.key < $1.key }) { try transaction.insertStoreInfo(key, value) }
            // Another server may have made the store a moment ago with other settings: its stand.
            info = try transaction.storeInfo()
        }
        guard info["embedder"] == embedder.embedderName, info["dimension"] == "\(embedder.dimension)" else {
            throw MemoryError.incompatibleStore(
                path: path,
                reason: "it holds embeddings of \(info["embedder"] ?? "?") (dimension \(info["dimension"] ?? "?")), "
                    + "not of \(embedder.embedderName) (dimension \(embedder.dimension))")
        }
        guard let units = info["flyhash_units"].flatMap(Int.init), let active = info["flyhash_active"].flatMap(Int.init),
              let seed = info["flyhash_seed"].flatMap(UInt64.init) else {
            throw MemoryError.incompatibleStore(path: path, reason: "its fly-hash parameters are missing or unreadable")
        }
        do {
            return try FlyHash(inputDimension: embedder.dimension, units: units, activeUnits: active, seed: seed)
        } catch {
            throw MemoryError.incompatibleStore(path: path, reason: "its fly-hash parameters are invalid: \(error)")
        }
    }
}
