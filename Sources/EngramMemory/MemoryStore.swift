import EngramAssociative
import Foundation
import GRDB

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
/// **Persistence**: SQLite in WAL mode behind a GRDB `DatabasePool` (several processes may
/// read while one writes); every write is one transaction, and the in-memory index of a scope is
/// rebuilt from the file when the scope is first recalled. Writes from other processes are
/// noticed through a revision counter and make the index reload.
///
/// Thread-safe. Encoding runs outside any lock; the in-memory index is guarded by one lock.
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

        public init() {}
    }

    /// The scope used when none is given.
    public static let defaultScope = "default"
    /// The longest text a memory may hold, in bytes of UTF-8 (passage cues cover all of it).
    public static let maximumTextBytes = 32_768

    /// Where the store lives (`:memory:` for an in-memory store).
    public let path: String
    public let configuration: Configuration
    /// What was found amiss when the store was opened (such as a file other users can read),
    /// one line each, for the caller to show.
    public let warnings: [String]
    let database: any DatabaseWriter
    let embedder: any TextEmbedder
    let flyHash: FlyHash
    let state = Locked(IndexState())

    /// Opens the store at `path`, creating it (and its directory) if needed.
    /// - Throws: ``MemoryError/notAnEngramStore(path:reason:)`` for a file that is something else
    ///   (left untouched), ``MemoryError/incompatibleStore(path:reason:)`` for a newer format or
    ///   another encoder, ``MemoryError/database(_:)`` when SQLite cannot open it.
    public convenience init(path: String, embedder: any TextEmbedder, configuration: Configuration = Configuration()) throws {
        try StoreSchema.checkExistingFile(at: path)
        var warnings: [String] = []
        if FileManager.default.fileExists(atPath: path) {
            warnings += [PrivateFile.wideAccessWarning(forPath: path)].compactMap { $0 }
        } else {
            // Created 0600 before SQLite opens it, which gives its -wal and -shm the same mode.
            try PrivateFile.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
            try PrivateFile.create(atPath: path)
        }
        var databaseConfiguration = GRDB.Configuration.databaseConfiguration
        databaseConfiguration.label = "engram"
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: databaseConfiguration)
        } catch {
            throw MemoryError.database("cannot open \(path): \(Self.describe(error))")
        }
        try self.init(database: pool, path: path, embedder: embedder, configuration: configuration, warnings: warnings)
    }

    /// An empty store that lives in memory only (for tests and throw-away sessions).
    public convenience init(inMemoryWith embedder: any TextEmbedder, configuration: Configuration = Configuration()) throws {
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(configuration: GRDB.Configuration.databaseConfiguration) } catch {
            throw MemoryError.database(Self.describe(error))
        }
        try self.init(database: queue, path: ":memory:", embedder: embedder, configuration: configuration)
    }

    private init(
        database: any DatabaseWriter, path: String, embedder: any TextEmbedder, configuration: Configuration, warnings: [String] = []
    ) throws {
        self.warnings = warnings
        self.database = database
        self.path = path
        self.embedder = embedder
        self.configuration = configuration
        do {
            try StoreSchema.migrate(database)
            flyHash = try database.write { db in
                try Self.settleStoreInfo(db, path: path, embedder: embedder, configuration: configuration)
            }
        } catch let error as MemoryError {
            throw error
        } catch {
            throw MemoryError.database("cannot prepare \(path): \(Self.describe(error))")
        }
    }

    /// Records the encoder and fly-hash parameters in a new store, or checks them in an old one,
    /// and returns the fly hash the store's codes are made with.
    private static func settleStoreInfo(
        _ db: Database, path: String, embedder: any TextEmbedder, configuration: Configuration
    ) throws -> FlyHash {
        var info = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT key, value FROM store_info")
            .map { (row: Row) -> (String, String) in (row["key"], row["value"]) })
        if info["embedder"] == nil {
            let fresh = [
                "embedder": embedder.embedderName, "dimension": "\(embedder.dimension)",
                "flyhash_units": "\(configuration.flyHashUnits)", "flyhash_active": "\(configuration.flyHashActiveUnits)",
                "flyhash_seed": "\(configuration.flyHashSeed)",
            ]
            for (key, value) in fresh {
                try db.execute(sql: "INSERT INTO store_info (key, value) VALUES (?, ?)", arguments: [key, value])
            }
            info.merge(fresh) { $1 }
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

    /// A readable message for an error thrown by GRDB or SQLite.
    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }
}

extension GRDB.Configuration {
    /// GRDB settings shared by file and in-memory stores: foreign keys on (deletes cascade), and
    /// a busy timeout so that a writer in another process makes this one wait instead of fail.
    static var databaseConfiguration: GRDB.Configuration {
        var configuration = GRDB.Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        return configuration
    }
}

/// The loaded scopes' indexes and the store revision they reflect.
struct IndexState: Sendable {
    var scopes: [String: ScopeIndex] = [:]
    /// The `revision` of `store_info` that the loaded scopes reflect; -1 when unknown.
    var revision: Int64 = -1
    /// Chains' Hebbian memories, built on first use per scope and dropped by writes to it.
    var chainMemories: [String: ChainMemory] = [:]
}
