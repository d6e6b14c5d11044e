import Foundation

/// How ``MemoryStore/recall(_:scope:options:)`` searches.
///
/// The weights' defaults were chosen on LoCoMo's development split only (conversations 1–5,
/// `engram bench locomo --tune`): lexical 0.6, completion 0.25 and spreading 0.1 gave
/// turn_all@10 65.3 there (dense 42.6, BM25 54.8); session context 0.2 raised it to 67.2, the
/// largest gain that kept sess_all@10 within a point (larger values gain more turn_all@10 but
/// gather the top hits into fewer sessions); see BENCHMARKS.md.
public struct RecallOptions: Sendable, Equatable {
    /// How many hits to return, 1…1000.
    public var k: Int
    /// The stages that run; switch one off to measure what it adds.
    public var stages: RecallStages = .all
    /// Only memories of this session.
    public var session: String?
    /// Only memories whose metadata holds every one of these pairs.
    public var metadata: [String: String] = [:]
    /// Only memories whose time lies in this range (either end may be open).
    public var after: Date?
    public var before: Date?
    /// Candidates taken from the dense scan (cues) and from the full-text index (memories).
    public var denseCandidates = 50
    public var lexicalCandidates = 50
    /// The weight of the lexical evidence (BM25 relative to the recall's best) beside the semantic one.
    public var lexicalWeight: Double = 0.6
    /// The weight of the similarity to the settled (completed) cue beside the query's own.
    public var completionWeight: Double = 0.25
    /// Context reinstatement: added to every candidate, this times the best base score among the
    /// candidates of its session, so that memories of the episode that matched best rise together.
    public var sessionContext: Double = 0.2
    /// How much a memory passes on to its associates, relative to its own fused score.
    public var spreading: Double = 0.1
    /// Entities named by more memories than this associate nothing (too common to be specific).
    public var entityFanout = 32
    /// A newer version of a memory's subject takes the older's score when its own falls short of
    /// it by less than this (the evidence cannot tell them apart); the older then loses
    /// `supersededPenalty` and ranks just below.
    public var supersessionMargin: Double = 0.2
    public var supersededPenalty: Double = 0.01
    /// Strengthen the association edges among the top three hits (a write).
    public var reinforce = false

    public init(k: Int = 10) { self.k = k }

    var hasFilters: Bool { session != nil || !metadata.isEmpty || after != nil || before != nil }
}
