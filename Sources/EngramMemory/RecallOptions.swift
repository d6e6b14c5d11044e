import Foundation

/// How ``MemoryStore/recall(_:scope:options:)`` searches.
///
/// The defaults were chosen with `engram bench recall --tune` on the development suites only
/// (LoCoMo's conversations 1–5, memory-dev alone and among LoCoMo's 5,882 turns, the demo), as
/// the settings that beat every flat baseline on all of them at once; the grids tried and what
/// each setting cost where are in BENCHMARKS.md. The scores are in units of the dense
/// evidence's deviation over the scope (see ``Fusion``), so the weights mean the same for every
/// query and scope.
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
    /// Lexical coverage (0…1) times this meets the dense z-score in the soft maximum of ``Fusion``:
    /// a memory with every query term scores like one 8 deviations up the dense scale.
    public var lexicalWeight: Double = 8
    /// A memory's cue evidence is `(1 − clauseWeight)` times its whole text's cosine plus
    /// `clauseWeight` times its best cue's (whole text, passages and clauses).
    public var clauseWeight: Double = 0.5
    /// The weight of the cosine with the settled (completed) cue beside the query's own. 0: on
    /// the development suites every positive weight cost paraphrase recall (0.25: memory-dev
    /// top-1 79 → 72) for at most 0.6 points of LoCoMo; the Hopfield stage still brings in the
    /// settled state's nearest memories as candidates.
    public var completionWeight: Double = 0
    /// How much of its hubness (mean cosine with its nearest memories) a memory's dense evidence
    /// loses: 1 is cross-domain similarity local scaling, 0 switches the discount off.
    public var hubnessWeight: Double = 1
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
    public var supersessionMargin: Double = 2
    public var supersededPenalty: Double = 0.01
    /// Strengthen the association edges among the top three hits (a write).
    public var reinforce = false

    public init(k: Int = 10) { self.k = k }

    var hasFilters: Bool { session != nil || !metadata.isEmpty || after != nil || before != nil }
}
