import EngramAssociative
import Foundation

extension MemoryStore {
    /// The `k` memories of `scope` that best match `query`.
    public func recall(_ query: String, scope: String = MemoryStore.defaultScope, k: Int = 10) throws -> [RecallHit] {
        try recall(query, scope: scope, options: RecallOptions(k: k))
    }

    /// Recall as in DESIGN.md: candidates from the dense scan of cue embeddings and from BM25 over
    /// the scope's texts (``LexicalIndex``), a Hopfield settle of the query over the candidates'
    /// cues, spreading activation over association edges, fused as ``Fusion`` describes. Associates that no
    /// candidate stage found are brought in by spreading (their hits say `association`).
    /// - Returns: at most `options.k` hits, best first.
    /// - Throws: ``MemoryError/invalidArgument(name:requirement:)`` for an empty query or an
    ///   option out of range, ``MemoryError/database(_:)``.
    public func recall(_ query: String, scope: String, options: RecallOptions) throws -> [RecallHit] {
        guard !query.allSatisfy(\.isWhitespace) else {
            throw MemoryError.invalidArgument(name: "query", requirement: "must not be empty")
        }
        try Self.validateName(scope, as: "scope")
        guard (1...1000).contains(options.k) else {
            throw MemoryError.invalidArgument(name: "k", requirement: "must be in 1...1000, got \(options.k)")
        }
        guard !options.stages.isDisjoint(with: [.dense, .lexical]) else {
            throw MemoryError.invalidArgument(name: "stages", requirement: "must include dense or lexical (the candidate stages)")
        }
        let queryEmbedding = embedder.embed([query])[0]
        let allowed = options.hasFilters ? try allowedMemories(scope: scope, options: options) : nil

        let ranked: [(MemoryID, Double, RecallStages)] = try withScopeIndex(scope) { index in
            var fusion = Fusion(options: options)
            if options.stages.contains(.dense) {
                fusion.add(try denseCandidates(queryEmbedding, index: index, options: options, allowed: allowed), as: .dense)
            }
            if options.stages.contains(.lexical) {
                fusion.add(index.lexical.search(query, limit: options.lexicalCandidates, allowed: allowed), as: .lexical)
            }
            var settled: [Float]?
            if options.stages.contains(.hopfield) {
                // Settle over the candidates; the settled state, a blend of the best of them,
                // completes the cue: it finds memories of its own and adds its similarity.
                let cues = fusion.candidates.flatMap { index.cuesOfMemory[$0] ?? [] }
                let state = try index.retriever.settle(queryEmbedding, over: cues).state
                let completed: [SearchHit]
                if let allowed {
                    let admitted = allowed.flatMap { index.cuesOfMemory[$0] ?? [] }
                    completed = try index.retriever.nearest(state, among: admitted, count: options.denseCandidates)
                } else {
                    completed = try index.retriever.nearest(state, count: options.denseCandidates)
                }
                fusion.add(Self.bestPerMemory(completed, index: index), as: .hopfield)
                // Its similarity enters the score only with a positive weight (the default is 0).
                if options.completionWeight > 0 { settled = state }
            }
            let semantic = !options.stages.isDisjoint(with: [.dense, .hopfield])
            /// The evidence of `memories`: cosines with the query and the settled state, coverage.
            func gatherEvidence(_ memories: [MemoryID]) throws {
                if semantic { fusion.setSemantic(try Self.cueEvidence(queryEmbedding, memories, index, options: options)) }
                if let settled { fusion.setCompletion(try Self.cueEvidence(settled, memories, index, options: options)) }
                if options.stages.contains(.lexical) { fusion.setCoverage(index.lexical.coverage(of: query, for: memories)) }
                for memory in memories { fusion.setHubness(index.hubness[memory] ?? index.meanHubness, of: memory) }
            }
            try gatherEvidence(fusion.candidates)
            if semantic {
                fusion.setDenseScale(try Self.denseScale(queryEmbedding, settled, index: index, options: options))
            }
            if options.stages.contains(.association) {
                let before = fusion.candidates.count
                fusion.spread(over: index, allowed: allowed)
                try gatherEvidence(Array(fusion.candidates[before...]))
                fusion.reinstateContext(index)
            }
            if options.stages.contains(.supersession) { fusion.preferNewerVersions(index) }
            return fusion.ranked(limit: options.k)
        }
        let memories = try fetchMemories(ranked.map(\.0))
        let hits = ranked.compactMap { (id: MemoryID, score: Double, stages: RecallStages) -> RecallHit? in
            memories[id].map { RecallHit(memory: $0, score: score, foundBy: stages) }
        }
        if options.reinforce { try reinforce(hits.prefix(3).map(\.memory.id), scope: scope) }
        return hits
    }

    // MARK: - Stages

    /// The best cue cosine of each memory among the dense candidates, best first.
    private func denseCandidates(
        _ query: [Float], index: ScopeIndex, options: RecallOptions, allowed: Set<MemoryID>?
    ) throws -> [(MemoryID, Double)] {
        guard !index.retriever.isEmpty else { return [] }
        let hits: [SearchHit]
        if let allowed {
            // A filtered recall scores exactly the cues of the memories the filter admits.
            let cues = allowed.flatMap { index.cuesOfMemory[$0] ?? [] }
            hits = cues.isEmpty ? [] : try index.retriever.nearest(query, among: cues, count: options.denseCandidates)
        } else {
            hits = try index.retriever.nearest(query, count: options.denseCandidates)
        }
        return Self.bestPerMemory(hits, index: index)
    }

    /// Memories of the scope whose dense evidence estimates its distribution for a query.
    static let scaleSample = 512

    /// The mean and standard deviation of the dense evidence (``Fusion/denseEvidence(_:)``) over
    /// the scope, estimated on up to ``scaleSample`` of its memories taken at an even stride.
    static func denseScale(
        _ query: [Float], _ settled: [Float]?, index: ScopeIndex, options: RecallOptions
    ) throws -> (mean: Double, deviation: Double) {
        let members = index.members
        guard !members.isEmpty else { return (0, 1) }
        let stride = max(1, members.count / scaleSample)
        let drawn = Swift.stride(from: 0, to: members.count, by: stride).map { members[$0] }
        // In the drawn order; every member has a cue (it became one with its first), so this
        // leaves none out, and the completion evidence comes in the same order.
        let evidence = try cueEvidence(query, drawn, index, options: options)
        guard !evidence.isEmpty else { return (0, 1) }
        let sample = evidence.map(\.0), semantic = evidence.map(\.1)
        let completion = try settled.map { try cueEvidence($0, sample, index, options: options).map(\.1) }
        let hubness = sample.map { index.hubness[$0] }
        // The mean over the scope is a full pass: only for a sample with memories from before v2.
        let fallback = hubness.allSatisfy { $0 != nil } ? 0 : Double(index.meanHubness)
        let values = sample.indices.map { i in
            Fusion.denseEvidence(semantic: semantic[i], completion: completion?[i],
                                 hubness: hubness[i].map(Double.init) ?? fallback, options: options)
        }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, max(variance.squareRoot(), 1e-3))
    }

    /// The cue evidence of each of `memories` for `vector`:
    /// `(1 − clauseWeight) · cos(whole text) + clauseWeight · max(cos of any cue or clause)`, so
    /// that a memory whose one part answers a question gains without losing what its whole says.
    static func cueEvidence(
        _ vector: [Float], _ memories: [MemoryID], _ index: ScopeIndex, options: RecallOptions
    ) throws -> [(MemoryID, Double)] {
        let cueLists = memories.map { index.cuesOfMemory[$0] ?? [] }
        let clauseLists = memories.map { index.clausesOfMemory[$0] ?? [] }
        let cues = try index.retriever.cosines(vector, keys: cueLists.flatMap { $0 })
        let clauseKeys = clauseLists.flatMap { $0 }
        let clauses = clauseKeys.isEmpty ? [] : try index.clauses.cosines(vector, keys: clauseKeys)
        let a = options.clauseWeight
        var evidence: [(MemoryID, Double)] = []
        evidence.reserveCapacity(memories.count)
        var nextCue = 0, nextClause = 0
        for (i, memory) in memories.enumerated() {
            defer {
                nextCue += cueLists[i].count
                nextClause += clauseLists[i].count
            }
            guard !cueLists[i].isEmpty else { continue }
            // The first cue is the whole text's.
            let whole = Double(cues[nextCue])
            var best = whole
            for j in nextCue ..< nextCue + cueLists[i].count { best = max(best, Double(cues[j])) }
            for j in nextClause ..< nextClause + clauseLists[i].count { best = max(best, Double(clauses[j])) }
            evidence.append((memory, (1 - a) * whole + a * best))
        }
        return evidence
    }

    /// The memories of `hits` (best first) with the score of their best cue.
    static func bestPerMemory(_ hits: [SearchHit], index: ScopeIndex) -> [(MemoryID, Double)] {
        var seen = Set<MemoryID>()
        return hits.compactMap { hit in
            guard let memory = index.memoryOfCue[hit.key], seen.insert(memory).inserted else { return nil }
            return (memory, Double(hit.score))
        }
    }

    /// The memories of `scope` that pass the options' filters.
    private func allowedMemories(scope: String, options: RecallOptions) throws -> Set<MemoryID> {
        let filter = MemoryFilter(scope: scope, session: options.session, from: options.after?.timeIntervalSince1970,
                                  through: options.before?.timeIntervalSince1970, metadata: options.metadata)
        return Set(try backend.read { try $0.ids(filter) })
    }

    /// Strengthens the co-recall edges among `ids` by 0.1 each (up to 1).
    private func reinforce(_ ids: [MemoryID], scope: String) throws {
        guard ids.count > 1 else { return }
        var pairs: [(MemoryID, MemoryID)] = []
        for i in ids.indices { for j in ids.indices where i < j { pairs.append((min(ids[i], ids[j]), max(ids[i], ids[j]))) } }
        let frozen = pairs
        let (revision, weights): (Int64, [Float]) = try backend.write(scopes: [scope]) { transaction in
            let weights = try frozen.map { a, b in
                Float(try transaction.strengthenEdge(source: a, target: b, kind: EdgeKind.coRecall.rawValue, by: 0.1, limit: 1))
            }
            return (try transaction.bumpRevision(ofScope: scope, changed: Set(ids)), weights)
        }
        applyToIndex(scope: scope, revision: revision) { index in
            for ((a, b), weight) in zip(frozen, weights) { index.addEdge(a, b, kind: .coRecall, weight: weight) }
        }
    }
}

/// Fuses the stages' evidence into one score per candidate, then spreads it over associations.
///
/// Each stage's evidence is put on a scale that means the same for every query and scope, and the
/// two are joined by a soft maximum, so that a memory scores by whichever evidence is strong:
///
///     base = log(exp(z) + exp(lexicalWeight · coverage))
///
/// - `z` is the dense evidence `e = 2·s − hubnessWeight·r` as a z-score over the scope (its mean
///   and deviation estimated on a sample of the scope's memories, ``MemoryStore/denseScale``),
///   where `s = (cos(q, m) + completionWeight · cos(ξ, m)) / (1 + completionWeight)` blends the
///   memory's best cue cosine with the query and with the Hopfield-settled state ξ (without the
///   Hopfield stage `s` is the cosine), and `r` is the memory's hubness (the mean cosine with its
///   nearest memories): the cross-domain similarity local scaling of Conneau et al. (2018), which
///   discounts generic memories that are near everything. A relevant memory lies several
///   deviations above the scope's mean; without a dense or Hopfield stage `z` is absent.
/// - `coverage` is the idf-weighted share of the query's terms the memory holds
///   (``LexicalIndex/coverage(of:for:)``, in [0, 1]); one common shared word gives little,
///   whatever BM25 rank it earns. 0 without the lexical stage.
///
/// The weights were chosen on the development suites (LoCoMo's conversations 1–5, memory-dev
/// alone and among LoCoMo's turns): a linear sum trades the paraphrase suites (where the fact
/// shares no words with the question and lies ~6 deviations up) against LoCoMo (where evidence
/// turns lie ~2 deviations up and share a quarter of the query's idf); the soft maximum serves
/// both. Spreading then adds, to every associate of one of the 20 best candidates,
/// `spreading · weight · base(source)`: edges weigh their stored weight, a shared entity
/// `log(N / n) / log N` for an entity of n of the scope's N memories. Context reinstatement adds
/// to each candidate `sessionContext ·` the best base score among the candidates of its session
/// (both are part of the association stage). Knowledge updates come last
/// (``preferNewerVersions(_:)``).
struct Fusion {
    /// Candidates whose associates spreading visits.
    static let spreadingSources = 20

    let options: RecallOptions
    private(set) var candidates: [MemoryID] = []
    private var semantic: [MemoryID: Double] = [:]
    private var coverage: [MemoryID: Double] = [:]
    private var completion: [MemoryID: Double] = [:]
    private var hubness: [MemoryID: Double] = [:]
    private var denseScale: (mean: Double, deviation: Double)?
    private var associated: [MemoryID: Double] = [:]
    private var context: [MemoryID: Double] = [:]
    /// The best score among the older versions a memory supersedes, and the superseded candidates.
    private var inherited: [MemoryID: Double] = [:]
    private var superseded: Set<MemoryID> = []
    private var stages: [MemoryID: RecallStages] = [:]

    init(options: RecallOptions) { self.options = options }

    /// Adds a stage's candidates, best first (their evidence is set by the `set…` calls).
    mutating func add(_ ranked: [(MemoryID, Double)], as stage: RecallStages) {
        for (memory, _) in ranked {
            if stages[memory] == nil { candidates.append(memory) }
            stages[memory, default: []].insert(stage)
        }
    }

    /// Sets the best cue cosines with the query.
    mutating func setSemantic(_ scores: [(MemoryID, Double)]) {
        for (memory, score) in scores { semantic[memory] = score }
    }

    /// Sets the best cue cosines with the settled state.
    mutating func setCompletion(_ scores: [(MemoryID, Double)]) {
        for (memory, score) in scores { completion[memory] = score }
    }

    /// Sets the lexical coverage (memories left out cover nothing).
    mutating func setCoverage(_ scores: [MemoryID: Double]) {
        coverage.merge(scores) { $1 }
    }

    mutating func setHubness(_ value: Float, of memory: MemoryID) { hubness[memory] = Double(value) }

    /// Sets the mean and deviation of the dense evidence over the scope; until then there is no `z`.
    mutating func setDenseScale(_ scale: (mean: Double, deviation: Double)) { denseScale = scale }

    /// The dense evidence `e` of a memory with these cosines and hubness (see ``Fusion``).
    static func denseEvidence(semantic: Double, completion: Double?, hubness: Double, options: RecallOptions) -> Double {
        let blended = completion.map { (semantic + options.completionWeight * $0) / (1 + options.completionWeight) } ?? semantic
        return 2 * blended - options.hubnessWeight * hubness
    }

    /// The dense evidence as a z-score over the scope; `nil` without a dense scale.
    func z(_ memory: MemoryID) -> Double? {
        guard let scale = denseScale else { return nil }
        let e = Self.denseEvidence(semantic: semantic[memory] ?? 0, completion: completion.isEmpty ? nil : completion[memory] ?? 0,
                                   hubness: hubness[memory] ?? 0, options: options)
        return (e - scale.mean) / scale.deviation
    }

    func base(_ memory: MemoryID) -> Double {
        let lexical = options.lexicalWeight * (coverage[memory] ?? 0)
        guard let z = z(memory) else { return lexical }
        // log(eᶻ + eˡ), computed without overflow.
        let high = max(z, lexical), low = min(z, lexical)
        return high + log1p(exp(low - high))
    }

    /// Adds ``RecallOptions/sessionContext`` times the best base score of its session's candidates
    /// to every candidate; a memory without a session is its own episode (it gets that share of
    /// its own base score), so that having a session is no advantage in itself.
    mutating func reinstateContext(_ index: ScopeIndex) {
        guard options.sessionContext > 0 else { return }
        var best: [Int32: Double] = [:]
        for memory in candidates {
            guard let session = index.sessionOfMemory[memory] else { continue }
            best[session] = max(best[session] ?? -.infinity, base(memory))
        }
        for memory in candidates {
            let top = index.sessionOfMemory[memory].flatMap { best[$0] } ?? base(memory)
            context[memory] = options.sessionContext * top
        }
    }

    mutating func spread(over index: ScopeIndex, allowed: Set<MemoryID>?) {
        // Each base score once (a comparison that recomputed them cost more than the spreading).
        let sources = candidates.map { ($0, base($0)) }.sorted { $0.1 > $1.1 }.prefix(Self.spreadingSources)
        let total = Double(max(index.memoryCount, 2))
        var added: [MemoryID: Double] = [:]
        for (source, sourceBase) in sources {
            let amount = sourceBase * options.spreading
            guard amount > 0 else { continue }
            for neighbour in index.neighbours[source] ?? [] {
                added[neighbour.memory, default: 0] += amount * Double(neighbour.weight)
            }
            for (other, fanout) in index.entityNeighbours(of: source, maximumFanout: options.entityFanout) {
                added[other, default: 0] += amount * max(0, log(total / Double(fanout)) / log(total))
            }
        }
        for (memory, amount) in added where amount > 0 && (allowed?.contains(memory) ?? true) {
            if stages[memory] == nil { candidates.append(memory) }
            stages[memory, default: []].insert(.association)
            associated[memory, default: 0] += amount
        }
    }

    /// Knowledge updates: a candidate superseded by a newer version of its subject that is also a
    /// candidate lends it its score, when the query's evidence for the older is not clearly the
    /// stronger (by less than ``RecallOptions/supersessionMargin``), and then loses
    /// ``RecallOptions/supersededPenalty``: between versions the evidence cannot tell apart the
    /// newer wins, and the older stays just below it as history. A question that matches the older
    /// version much better (one that asks about the past) still finds the older first. Newer
    /// versions are not brought in: similar memories are found by the stages that find the older.
    mutating func preferNewerVersions(_ index: ScopeIndex) {
        guard !index.newerVersions.isEmpty else { return }
        var lent: [MemoryID: Double] = [:]
        for memory in candidates {
            guard let newer = index.newerVersions[memory] else { continue }
            let lending = activation(memory)
            for version in newer where stages[version] != nil && activation(version) > lending - options.supersessionMargin {
                lent[version] = max(lent[version] ?? -.infinity, lending)
                superseded.insert(memory)
            }
        }
        for (memory, score) in lent {
            stages[memory, default: []].insert(.supersession)
            inherited[memory] = score
        }
    }

    /// The fused evidence before knowledge updates: base, spreading and context.
    func activation(_ memory: MemoryID) -> Double { base(memory) + (associated[memory] ?? 0) + (context[memory] ?? 0) }

    func score(_ memory: MemoryID) -> Double {
        let own = activation(memory)
        let fused = inherited[memory].map { max(own, $0) } ?? own
        return superseded.contains(memory) ? fused - options.supersededPenalty : fused
    }

    func ranked(limit: Int) -> [(MemoryID, Double, RecallStages)] {
        let scored = candidates.map { ($0, score($0)) }
        return scored.sorted { a, b in a.1 > b.1 || (a.1 == b.1 && a.0 < b.0) }
            .prefix(limit).map { ($0.0, $0.1, stages[$0.0] ?? []) }
    }
}
