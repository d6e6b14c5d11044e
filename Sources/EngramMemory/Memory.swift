import Foundation

/// The id of a stored memory: positive, assigned by the store, never reused after a forget.
public typealias MemoryID = Int64

/// One stored memory as the store returns it.
public struct Memory: Sendable, Equatable, Codable {
    public var id: MemoryID
    /// The hard partition it lives in (a user, an agent, or a path such as `alice/planner`).
    public var scope: String
    /// The conversation or run it came from within the scope, if any: memories of one session are
    /// linked to their temporal neighbours.
    public var session: String?
    public var text: String
    /// Free-form string pairs given by the caller.
    public var metadata: [String: String]
    /// When the remembered event happened (defaults to when it was stored).
    public var time: Date
    /// When it was stored, and when it was last changed.
    public var createdAt: Date
    public var updatedAt: Date
    /// The latest memory of the scope that supersedes this one (a newer version of the same
    /// subject, see ``MemoryStore/Configuration/supersessionThreshold``), if any: this one is
    /// history.
    public var supersededBy: MemoryID?
}

/// What ``MemoryStore/remember(_:scope:session:metadata:time:)`` did.
public enum RememberOutcome: Sendable, Equatable {
    /// A new memory was stored under this id.
    case stored(MemoryID)
    /// Nothing was stored: the scope already holds a memory this close to the text
    /// (cosine ≥ ``MemoryStore/Configuration/duplicateThreshold``).
    case duplicate(of: MemoryID, similarity: Float)

    /// The new memory's id, or the existing one's.
    public var id: MemoryID {
        switch self {
        case let .stored(id), let .duplicate(of: id, _): return id
        }
    }
}

/// A memory to write, as ``MemoryStore/remember(_:)`` and the importers take it.
public struct NewMemory: Sendable, Equatable {
    public var text: String
    public var scope: String
    public var session: String?
    public var metadata: [String: String]
    public var time: Date?

    public init(text: String, scope: String = MemoryStore.defaultScope, session: String? = nil,
                metadata: [String: String] = [:], time: Date? = nil) {
        self.text = text
        self.scope = scope
        self.session = session
        self.metadata = metadata
        self.time = time
    }
}

/// The stages of recall, each of which can bring a memory in and each of which can be switched off.
public struct RecallStages: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Nearest cue embeddings by cosine (an 8-bit scan with exact re-scoring).
    public static let dense = RecallStages(rawValue: 1 << 0)
    /// BM25 over the words of the scope's memories.
    public static let lexical = RecallStages(rawValue: 1 << 1)
    /// Modern-Hopfield settling of the query over the candidates of the stages above; the settled
    /// state, a completed cue, is searched for memories of its own and scores every candidate.
    public static let hopfield = RecallStages(rawValue: 1 << 2)
    /// Spreading activation over association edges (temporal neighbours, shared entities, co-recall).
    public static let association = RecallStages(rawValue: 1 << 3)
    /// Knowledge updates: a memory superseded by a newer version of its subject lends its score
    /// to the newer one and ranks below it.
    public static let supersession = RecallStages(rawValue: 1 << 4)

    public static let all: RecallStages = [.dense, .lexical, .hopfield, .association, .supersession]

    /// Every stage with its lower-case name, in pipeline order.
    public static let named: [(stage: RecallStages, name: String)] = [
        (.dense, "dense"), (.lexical, "lexical"), (.hopfield, "hopfield"), (.association, "association"),
        (.supersession, "supersession"),
    ]

    /// Lower-case names, for output.
    public var names: [String] { Self.named.filter { contains($0.stage) }.map(\.name) }
}

/// One recalled memory: its score (higher is better, comparable within one recall) and the stages
/// that brought it among the candidates.
public struct RecallHit: Sendable, Equatable {
    public var memory: Memory
    public var score: Double
    public var foundBy: RecallStages
}

/// One step of a chain: the memory reached and how strongly the previous one led to it.
public struct ChainStep: Sendable, Equatable {
    public var memory: Memory
    /// The fraction of the recalled code that matched this memory's code (0…1).
    public var strength: Double
}

/// Counts that describe a store.
public struct MemoryStatistics: Sendable, Equatable, Codable {
    public var memories: Int
    public var cues: Int
    public var edges: Int
    public var scopes: Int
    public var formatVersion: Int
    public var fileBytes: Int64?
}
