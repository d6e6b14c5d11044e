import EngramAssociative
import Foundation
import GRDB

extension MemoryStore {
    /// The `k` memories of `scope` that best match `query`.
    public func recall(_ query: String, scope: String = MemoryStore.defaultScope, k: Int = 10) throws -> [RecallHit] {
        try recall(query, scope: scope, options: RecallOptions(k: k))
    }

    /// Recall as in DESIGN.md: candidates from the dense scan of cue embeddings and from BM25 over
    /// the full text, a Hopfield settle of the query over the candidates' cues, spreading
    /// activation over association edges, and reciprocal-rank fusion.
    ///
    /// **Fusion.** Each ranked list (dense cosine, BM25, settled cosine) gives a candidate
    /// `1 / (60 + rank)` (rank from 1; the usual reciprocal-rank constant); a memory's base score
    /// is the sum over the lists it is in. Spreading then adds, to every associate of one of the
    /// 20 best candidates, `spreading · weight · base`: temporal and co-recall edges weigh their
    /// stored weight, a shared entity `1 / log2(1 + n)` for an entity of n memories. Associates
    /// that no list found are brought in this way (their hits say `association`).
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
        let lexical = options.stages.contains(.lexical)
            ? try lexicalCandidates(query, scope: scope, limit: options.lexicalCandidates, allowed: allowed) : []

        let ranked: [(MemoryID, Double, RecallStages)] = try withScopeIndex(scope) { index in
            var fusion = Fusion()
            if options.stages.contains(.dense) {
                fusion.add(try denseCandidates(queryEmbedding, index: index, options: options, allowed: allowed), as: .dense)
            }
            fusion.add(lexical, as: .lexical)
            if options.stages.contains(.hopfield) {
                let cues = fusion.candidates.flatMap { index.cuesOfMemory[$0] ?? [] }
                let settled = try index.retriever.settle(queryEmbedding, over: cues)
                fusion.add(Self.bestPerMemory(settled, index: index), as: .hopfield)
            }
            if options.stages.contains(.association) {
                fusion.spread(over: index, options: options, allowed: allowed)
            }
            return fusion.ranked(limit: options.k)
        }
        let memories = try readTransaction { db in try Self.fetchMemories(ranked.map(\.0), in: db) }
        let hits = ranked.compactMap { id, score, stages in
            memories[id].map { RecallHit(memory: $0, score: score, foundBy: stages) }
        }
        if options.reinforce { try reinforce(hits.prefix(3).map(\.memory.id), scope: scope) }
        return hits
    }

    // MARK: - Stages

    /// The best cue cosine of each memory among the dense candidates, best first.
    private func denseCandidates(
        _ query: [Float], index: ScopeIndex, options: RecallOptions, allowed: Set<MemoryID>?
    ) throws -> [MemoryID] {
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

    /// The memories of `hits` in order of their best cue.
    static func bestPerMemory(_ hits: [SearchHit], index: ScopeIndex) -> [MemoryID] {
        var seen = Set<MemoryID>()
        return hits.compactMap { hit in
            guard let memory = index.memoryOfCue[hit.key], seen.insert(memory).inserted else { return nil }
            return memory
        }
    }

    /// The memories of `scope` ranked by FTS5's BM25 for the words of `query`.
    private func lexicalCandidates(_ query: String, scope: String, limit: Int, allowed: Set<MemoryID>?) throws -> [MemoryID] {
        guard let expression = FullTextQuery.expression(for: query) else { return [] }
        let ids = try readTransaction { db in
            try MemoryID.fetchAll(db, sql: """
                SELECT memory.id FROM memory_fts JOIN memory ON memory.id = memory_fts.rowid
                WHERE memory_fts MATCH ? AND memory.scope = ?
                ORDER BY bm25(memory_fts) LIMIT ?
                """, arguments: [expression, scope, allowed == nil ? limit : -1])
        }
        guard let allowed else { return ids }
        return Array(ids.filter(allowed.contains).prefix(limit))
    }

    /// The memories of `scope` that pass the options' filters.
    private func allowedMemories(scope: String, options: RecallOptions) throws -> Set<MemoryID> {
        var conditions = ["scope = ?"]
        var arguments: [any DatabaseValueConvertible] = [scope]
        if let session = options.session {
            conditions.append("session = ?")
            arguments.append(session)
        }
        if let after = options.after {
            conditions.append("time >= ?")
            arguments.append(after.timeIntervalSince1970)
        }
        if let before = options.before {
            conditions.append("time <= ?")
            arguments.append(before.timeIntervalSince1970)
        }
        for (key, value) in options.metadata.sorted(by: { $0.key < $1.key }) {
            conditions.append("json_extract(metadata, ?) = ?")
            arguments.append("$.\"\(key.replacingOccurrences(of: "\"", with: "\\\""))\"")
            arguments.append(value)
        }
        let sql = "SELECT id FROM memory WHERE " + conditions.joined(separator: " AND ")
        let statementArguments = StatementArguments(arguments.map { $0.databaseValue })
        return Set(try readTransaction { db in try MemoryID.fetchAll(db, sql: sql, arguments: statementArguments) })
    }

    /// Strengthens the co-recall edges among `ids` by 0.1 each (up to 1).
    private func reinforce(_ ids: [MemoryID], scope: String) throws {
        guard ids.count > 1 else { return }
        var pairs: [(MemoryID, MemoryID)] = []
        for i in ids.indices { for j in ids.indices where i < j { pairs.append((min(ids[i], ids[j]), max(ids[i], ids[j]))) } }
        let frozen = pairs
        let (revision, weights): (Int64, [Float]) = try writeTransaction { db in
            var weights: [Float] = []
            for (a, b) in frozen {
                try db.execute(sql: """
                    INSERT INTO edge (source_id, target_id, kind, weight) VALUES (?, ?, ?, 0.1)
                    ON CONFLICT (source_id, target_id, kind) DO UPDATE SET weight = min(1.0, weight + 0.1)
                    """, arguments: [a, b, EdgeKind.coRecall.rawValue])
                let weight = try Double.fetchOne(
                    db, sql: "SELECT weight FROM edge WHERE source_id = ? AND target_id = ? AND kind = ?",
                    arguments: [a, b, EdgeKind.coRecall.rawValue]) ?? 0.1
                weights.append(Float(weight))
            }
            return (try Self.bumpRevision(db), weights)
        }
        applyToIndex(revision: revision) { state in
            state.chainMemories[scope] = nil
            for ((a, b), weight) in zip(frozen, weights) { state.scopes[scope]?.addEdge(a, b, kind: .coRecall, weight: weight) }
        }
    }
}

/// Reciprocal-rank fusion of the stages' ranked lists, then spreading activation.
struct Fusion {
    static let rankConstant = 60.0
    /// Candidates whose associates spreading visits.
    static let spreadingSources = 20

    private(set) var candidates: [MemoryID] = []
    private var scores: [MemoryID: Double] = [:]
    private var stages: [MemoryID: RecallStages] = [:]

    mutating func add(_ ranked: [MemoryID], as stage: RecallStages) {
        for (rank, memory) in ranked.enumerated() {
            if scores[memory] == nil { candidates.append(memory) }
            scores[memory, default: 0] += 1 / (Self.rankConstant + Double(rank + 1))
            // Settling re-ranks the candidates that other stages found; it brings in none itself.
            if stage != .hopfield { stages[memory, default: []].insert(stage) }
        }
    }

    mutating func spread(over index: ScopeIndex, options: RecallOptions, allowed: Set<MemoryID>?) {
        let sources = candidates.sorted { scores[$0]! > scores[$1]! }.prefix(Self.spreadingSources)
        var added: [MemoryID: Double] = [:]
        for source in sources {
            let base = scores[source]! * options.spreading
            for neighbour in index.neighbours[source] ?? [] {
                added[neighbour.memory, default: 0] += base * Double(neighbour.weight)
            }
            for (other, fanout) in index.entityNeighbours(of: source, maximumFanout: options.entityFanout) {
                added[other, default: 0] += base / log2(1 + Double(fanout))
            }
        }
        for (memory, amount) in added where allowed?.contains(memory) ?? true {
            if scores[memory] == nil { candidates.append(memory) }
            scores[memory, default: 0] += amount
            stages[memory, default: []].insert(.association)
        }
    }

    func ranked(limit: Int) -> [(MemoryID, Double, RecallStages)] {
        candidates.sorted { a, b in scores[a]! > scores[b]! || (scores[a]! == scores[b]! && a < b) }
            .prefix(limit).map { ($0, scores[$0]!, stages[$0] ?? []) }
    }
}
