import Foundation

/// Where a ``MemoryStore`` keeps its memories: the rows of the store's schema behind
/// transactions, and nothing else. Everything that decides (encoding, duplicates, versions,
/// neighbourhoods, the in-memory scope indexes, recall, chains) lives in the store above it, so a
/// back end is the SQL of one engine: ``SQLiteBackend`` (one file, GRDB) in this module and
/// `PostgresBackend` (many servers over one database) in `EngramPostgres`.
///
/// The tables every back end holds (names and meaning as in ``SQLiteBackend``'s schema): memories;
/// their cues (float32 little-endian embeddings, kind 0 whole text, 1 passage, 2 clause) and the
/// fly-hash codes of the cues (UInt16 little-endian unit lists); association edges
/// (`source < target` for the undirected kinds); entity names; each memory's neighbourhood
/// (float32 cosines); key/value facts about the store; a revision per scope, which every write
/// transaction that changes a scope increments, so that any process can tell whether the scope
/// index it holds is current; and a change log (the memories each revision of a scope touched,
/// the latest ``changeLogLength`` revisions), from which a process brings its index forward
/// instead of rebuilding it; and a snapshot of each scope's index (``ScopeIndex``'s bytes with the
/// revision they reflect), from which a process restores the index instead of rebuilding it.
/// Deleting a memory deletes every row derived from it in the same transaction, the scope's
/// snapshot included (as do a text update and a scope's deletion), so that nothing of a forgotten
/// memory stays behind.
///
/// Errors: a back end throws ``MemoryError/database(_:)`` with the engine's result code for its
/// own failures, and lets the ``MemoryError``s its callers throw inside a transaction through.
public protocol MemoryBackend: Sendable {
    /// Where the store lives, for messages: a path, or a URL without its password.
    var location: String { get }
    /// What was found amiss when the store was opened (such as a file other users can read).
    var warnings: [String] { get }

    /// Runs `body` in a read transaction: it sees one consistent state of the store.
    func read<T>(_ body: (any MemoryBackendReading) throws -> T) throws -> T

    /// Runs `body` in one write transaction, committed when it returns and rolled back when it
    /// throws. Writers of the same `scopes` (the scopes the body changes) run one at a time.
    func write<T>(scopes: Set<String>, _ body: (any MemoryBackendWriting) throws -> T) throws -> T

    /// The bytes the store occupies on disk, where that is known (`nil` for a server database).
    func storageBytes() -> Int64?
}

/// Revisions of a scope whose changed memories the log keeps.
public let changeLogLength: Int64 = 1_000

/// In the change log, the memory id that means "everything in the scope changed" (a scope deleted).
public let wholeScopeChanged: MemoryID = 0

/// The queries of a transaction.
public protocol MemoryBackendReading {
    /// The store's key/value facts (format version, encoder, fly-hash parameters).
    func storeInfo() throws -> [String: String]
    /// The scope's revision: 0 until something is written to it.
    func revision(ofScope scope: String) throws -> Int64
    /// The memories with these ids (those that exist, in any order), each with the latest memory
    /// that supersedes it.
    func memories(_ ids: [MemoryID]) throws -> [MemoryRow]
    /// How many of `ids` name an existing memory.
    func countExisting(_ ids: [MemoryID]) throws -> Int
    /// The memories that pass `filter` with ids above `after`, in id order, at most `limit`.
    func list(_ filter: MemoryFilter, after: MemoryID, limit: Int) throws -> [MemoryRow]
    /// The ids of the memories that pass `filter` (its `words` are not used here).
    func ids(_ filter: MemoryFilter) throws -> [MemoryID]
    /// The scopes that hold memories, by name, with their counts.
    func scopes() throws -> [(scope: String, memories: Int)]
    /// Rows per table: memories, cues, edges, and scopes that hold memories.
    func counts() throws -> (memories: Int, cues: Int, edges: Int, scopes: Int)
    /// The times of the memories with these ids (those that exist).
    func times(of ids: [MemoryID]) throws -> [MemoryID: Double]
    /// The stored neighbourhoods (float32 LE cosines) of the memories with these ids.
    func neighbourhoods(of ids: [MemoryID]) throws -> [MemoryID: Data]

    /// The scope's cues in id order: id, memory, kind, embedding.
    func forEachCue(inScope scope: String, _ body: (Int, MemoryID, Int, Data) throws -> Void) throws
    /// The number of the scope's cues of kinds other than `kind` (to reserve room).
    func cueCount(inScope scope: String, excludingKind kind: Int) throws -> Int
    /// The scope's memories: id, text, session.
    func forEachText(inScope scope: String, _ body: (MemoryID, String, String?) throws -> Void) throws
    /// The edges whose source is in the scope: source, target, kind, weight, and the times of the
    /// two memories.
    func forEachEdge(inScope scope: String, _ body: (EdgeRow) throws -> Void) throws
    /// The neighbourhoods of the scope's memories.
    func forEachNeighbourhood(inScope scope: String, _ body: (MemoryID, Data) throws -> Void) throws
    /// The entities of the scope's memories, ordered by memory.
    func forEachEntity(inScope scope: String, _ body: (MemoryID, String) throws -> Void) throws
    /// The fly-hash codes of the scope's cues of `kind`: memory, units.
    func forEachCode(inScope scope: String, cueKind kind: Int, _ body: (MemoryID, Data) throws -> Void) throws

    /// The memories that the scope's revisions after `revision` touched, or `nil` when the log no
    /// longer reaches back that far.
    func changes(inScope scope: String, after revision: Int64) throws -> Set<MemoryID>?
    /// The cues of these memories in id order: id, memory, kind, embedding.
    func cues(of memories: [MemoryID]) throws -> [(cue: Int, memory: MemoryID, kind: Int, embedding: Data)]
    /// The entities of these memories.
    func entities(of memories: [MemoryID]) throws -> [(memory: MemoryID, name: String)]
    /// The edges with one of these memories at either end.
    func edges(touching memories: [MemoryID]) throws -> [EdgeRow]
    /// The scope's index snapshot and the revision it reflects, if one is stored.
    func snapshot(ofScope scope: String) throws -> (revision: Int64, data: Data)?
}

/// The changes of a write transaction.
public protocol MemoryBackendWriting: MemoryBackendReading {
    /// Adds a fact about the store unless the key is present.
    func insertStoreInfo(_ key: String, _ value: String) throws
    /// Inserts a memory row and returns its new id (never one used before in this store).
    func insertMemory(_ row: MemoryRow) throws -> MemoryID
    /// Replaces a memory's text, metadata, time and update time (and deletes its scope's snapshot).
    func updateMemory(_ id: MemoryID, text: String, metadataJSON: String, time: Double, updatedAt: Double) throws
    /// Inserts a cue of a memory, and its code when it has one; returns the cue's new id.
    func insertCue(memory: MemoryID, kind: Int, embedding: Data, code: Data?) throws -> Int
    /// Records that a memory mentions an entity (once per name).
    func insertEntity(memory: MemoryID, name: String) throws
    /// Adds an edge unless one of this kind joins the pair already.
    func insertEdge(source: MemoryID, target: MemoryID, kind: Int, weight: Double) throws
    /// Adds `amount` to an edge's weight up to `limit` (creating it with `amount`); returns the weight.
    func strengthenEdge(source: MemoryID, target: MemoryID, kind: Int, by amount: Double, limit: Double) throws -> Double
    /// The memories of the session just before and just after `id` (by time, then id).
    func sessionNeighbours(of id: MemoryID, scope: String, session: String, time: Double) throws -> [MemoryID]
    /// Sets (inserts or replaces) the neighbourhoods of these memories, in as few statements as
    /// the engine allows (a write touches ten or so per memory).
    func setNeighbourhoods(_ rows: [(memory: MemoryID, similarities: Data)]) throws
    /// Deletes a memory's cues (with their codes) and entities, keeping the memory and its edges.
    func deleteCuesAndEntities(of memory: MemoryID) throws
    /// Deletes a memory and everything derived from it (its scope's snapshot too); returns its
    /// scope and text, `nil` if absent.
    func deleteMemory(_ id: MemoryID) throws -> (scope: String, text: String)?
    /// Deletes every memory of a scope and everything derived from them (its snapshot too);
    /// returns how many.
    func deleteScope(_ scope: String) throws -> Int
    /// Stores (or replaces) the scope's index snapshot, taken at `revision`.
    func saveSnapshot(ofScope scope: String, revision: Int64, data: Data) throws
    /// Increments the scope's revision, logs the memories the transaction changed in it (at least
    /// one; ``wholeScopeChanged`` for all), forgets log entries older than ``changeLogLength``
    /// revisions, and returns the new revision.
    func bumpRevision(ofScope scope: String, changed: Set<MemoryID>) throws -> Int64
}

/// A row of the memory table.
public struct MemoryRow: Sendable, Equatable {
    public var id: MemoryID
    public var scope: String
    public var session: String?
    public var text: String
    /// The metadata as a JSON object of strings, keys sorted.
    public var metadataJSON: String
    /// Seconds since 1970.
    public var time: Double
    public var createdAt: Double
    public var updatedAt: Double
    /// The latest memory that supersedes this one (read only; ignored on insert).
    public var supersededBy: MemoryID?

    public init(
        id: MemoryID = 0, scope: String, session: String?, text: String, metadataJSON: String,
        time: Double, createdAt: Double, updatedAt: Double, supersededBy: MemoryID? = nil
    ) {
        self.id = id
        self.scope = scope
        self.session = session
        self.text = text
        self.metadataJSON = metadataJSON
        self.time = time
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.supersededBy = supersededBy
    }
}

/// An edge with the times of its two memories (chains order temporal edges by them).
public struct EdgeRow: Sendable, Equatable {
    public var source: MemoryID
    public var target: MemoryID
    public var kind: Int
    public var weight: Double
    public var sourceTime: Double
    public var targetTime: Double

    public init(source: MemoryID, target: MemoryID, kind: Int, weight: Double, sourceTime: Double, targetTime: Double) {
        self.source = source
        self.target = target
        self.kind = kind
        self.weight = weight
        self.sourceTime = sourceTime
        self.targetTime = targetTime
    }
}

/// Which memories a listing or a filtered recall admits; every condition given must hold.
public struct MemoryFilter: Sendable, Equatable {
    public var scope: String?
    public var session: String?
    /// Time at or after (seconds since 1970).
    public var from: Double?
    /// Time before.
    public var until: Double?
    /// Time at or before.
    public var through: Double?
    /// Metadata values that must be equal.
    public var metadata: [String: String] = [:]
    /// Words the text must all contain, stemmed as the back end's full-text index stems them.
    public var words: [String] = []

    public init(scope: String? = nil, session: String? = nil, from: Double? = nil, until: Double? = nil,
                through: Double? = nil, metadata: [String: String] = [:], words: [String] = []) {
        self.scope = scope
        self.session = session
        self.from = from
        self.until = until
        self.through = through
        self.metadata = metadata
        self.words = words
    }
}
