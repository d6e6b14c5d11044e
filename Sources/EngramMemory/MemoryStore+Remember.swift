import EngramAssociative
import EngramKernels
import Foundation

extension MemoryStore {
    /// Stores one memory (see ``remember(_:)-([NewMemory])``).
    @discardableResult
    public func remember(
        _ text: String, scope: String = MemoryStore.defaultScope, session: String? = nil,
        metadata: [String: String] = [:], time: Date? = nil
    ) throws -> RememberOutcome {
        try remember([NewMemory(text: text, scope: scope, session: session, metadata: metadata, time: time)])[0]
    }

    /// Stores memories in one transaction: all of them, or, if anything fails, none.
    ///
    /// Each text is embedded (with passage cues for long texts), fly-hash coded, indexed for full
    /// text, scanned for entities, and linked to its temporal neighbours in its session. A text
    /// as close as ``Configuration/duplicateThreshold`` to a memory of its scope (stored before,
    /// or earlier in the same call) is not stored; its outcome names the existing memory.
    /// - Returns: one outcome per item, in order.
    /// - Throws: ``MemoryError`` for an invalid item (nothing is stored) or a database failure.
    public func remember(_ items: [NewMemory]) throws -> [RememberOutcome] {
        guard !items.isEmpty else { return [] }
        let now = Date()
        let prepared = try prepare(items, now: now)
        // The neighbours are found outside the write lock; a memory taken for an item's twin may
        // be forgotten before the write. Then the item would be acknowledged and lost, so the
        // write checks the twins and, if one is gone, looks again.
        for _ in 1...3 {
            if let outcomes = try remember(prepared, now: now, twinsMustExist: true) { return outcomes }
        }
        // Twins forgotten three times over while this waited: answer with what the index says.
        return try remember(prepared, now: now, twinsMustExist: false)!
    }

    /// One attempt of ``remember(_:)-([NewMemory])``: `nil` if a twin vanished meanwhile.
    private func remember(_ prepared: [PreparedMemory], now: Date, twinsMustExist: Bool) throws -> [RememberOutcome]? {
        let neighbourhood = try findNeighbours(prepared)
        let duplicates = neighbourhood.duplicates
        let toStore = prepared.indices.filter { duplicates[$0] == nil }
        let twins: [MemoryID] = duplicates.compactMap { if case let .memory(id, _)? = $0 { id } else { nil } }

        var ids: [Int: MemoryID] = [:]
        if !toStore.isEmpty || !twins.isEmpty {
            let stored = toStore.map { (prepared[$0], neighbourhood.nearest[$0]) }
            let threshold = configuration.supersessionThreshold
            let distinctness = configuration.supersessionDistinctness
            let scopes = Set(toStore.map { prepared[$0].scope })
            let written: (revisions: [String: Int64], rows: [WrittenMemory])? = try backend.write(scopes: scopes) { transaction in
                if twinsMustExist, !twins.isEmpty, try transaction.countExisting(twins) < Set(twins).count { return nil }
                guard !toStore.isEmpty else { return ([:], []) }
                var rows: [WrittenMemory] = []
                for i in toStore { rows.append(try Self.insert(prepared[i], now: now, in: transaction)) }
                // Versions are judged against the neighbourhoods as they were before this write.
                if let threshold {
                    try Self.linkSupersessions(&rows, stored: stored, threshold: threshold, distinctness: distinctness, in: transaction)
                }
                try Self.recordNeighbourhoods(&rows, stored: stored, in: transaction)
                var revisions: [String: Int64] = [:]
                for scope in scopes.sorted() {
                    let touched = rows.filter { $0.scope == scope }.reduce(into: Set<MemoryID>()) { $0.formUnion($1.touchedMemories) }
                    revisions[scope] = try transaction.bumpRevision(ofScope: scope, changed: touched)
                }
                return (revisions, rows)
            }
            guard let written else { return nil }
            for (i, row) in zip(toStore, written.rows) { ids[i] = row.id }
            for (scope, revision) in written.revisions {
                applyToIndex(scope: scope, revision: revision) { index in
                    for row in written.rows where row.scope == scope { row.apply(to: &index) }
                }
            }
        }
        return duplicates.indices.map { i in
            switch duplicates[i] {
            case nil: return .stored(ids[i]!)
            case let .memory(id, similarity): return .duplicate(of: id, similarity: similarity)
            case let .item(twin, similarity): return .duplicate(of: ids[twin]!, similarity: similarity)
            }
        }
    }

    /// Replaces a memory's text (re-encoding it), and optionally its metadata and time; it keeps
    /// its id, scope, session and association edges.
    /// - Throws: ``MemoryError/unknownID(_:)``, or the validation errors of ``remember(_:)-([NewMemory])``.
    public func update(_ id: MemoryID, text: String, metadata: [String: String]? = nil, time: Date? = nil) throws {
        let old = try get(id)
        let item = NewMemory(text: text, scope: old.scope, session: old.session,
                             metadata: metadata ?? old.metadata, time: time ?? old.time)
        let now = Date()
        let prepared = try prepare([item], now: now)[0]
        // Its new neighbourhood, among the others (the index still holds its old text).
        let nearest = try findNeighbours([prepared]).nearest[0].filter { $0.memory != id }
        let written: (revision: Int64, row: WrittenMemory) = try backend.write(scopes: [old.scope]) { transaction in
            guard try transaction.countExisting([id]) == 1 else { throw MemoryError.unknownID(id) }
            try transaction.deleteCuesAndEntities(of: id)
            try transaction.updateMemory(id, text: prepared.text, metadataJSON: prepared.metadataJSON,
                                         time: prepared.time.timeIntervalSince1970, updatedAt: now.timeIntervalSince1970)
            var rows = [try Self.insertDerived(prepared, id: id, in: transaction)]
            try Self.recordNeighbourhoods(&rows, stored: [(prepared, nearest)], in: transaction)
            return (try transaction.bumpRevision(ofScope: old.scope, changed: rows[0].touchedMemories), rows[0])
        }
        applyToIndex(scope: old.scope, revision: written.revision, deletedSnapshot: true) { index in
            index.removeMemory(id, text: old.text, keepingEdges: true)
            written.row.apply(to: &index, withEdges: false)
        }
    }

    /// Deletes a memory and everything derived from it: cues, codes, edges, entities and its
    /// full-text row, in one transaction, and from the in-memory index.
    /// - Throws: ``MemoryError/unknownID(_:)`` if there is no such memory.
    public func forget(_ id: MemoryID) throws {
        let scope = try get(id).scope
        let (revision, text): (Int64, String) = try backend.write(scopes: [scope]) { transaction in
            // Gone meanwhile, or (a moment ago) moved: its scope cannot change, so only the former.
            guard let deleted = try transaction.deleteMemory(id) else { throw MemoryError.unknownID(id) }
            // Its neighbours' back-links go with it wherever the index is brought forward.
            return (try transaction.bumpRevision(ofScope: deleted.scope, changed: [id]), deleted.text)
        }
        applyToIndex(scope: scope, revision: revision, deletedSnapshot: true) { index in index.removeMemory(id, text: text) }
    }

    /// Deletes every memory of a scope and everything derived from them, in one transaction
    /// (a user's data removed entirely), and drops the scope's in-memory index.
    /// - Returns: how many memories were deleted (0 for a scope that holds none).
    @discardableResult
    public func forget(scope: String) throws -> Int {
        try Self.validateName(scope, as: "scope")
        let (revision, count): (Int64, Int) = try backend.write(scopes: [scope]) { transaction in
            let deleted = try transaction.deleteScope(scope)
            return (try transaction.bumpRevision(ofScope: scope, changed: [wholeScopeChanged]), deleted)
        }
        applyToIndex(scope: scope, revision: revision, deletedSnapshot: true) { index in index = ScopeIndex(dimension: embedder.dimension) }
        return count
    }

    // MARK: - Steps

    /// A validated memory with its cues embedded and coded.
    struct PreparedMemory: Sendable {
        var text: String
        var scope: String
        var session: String?
        var metadataJSON: String
        var time: Date
        /// The whole text first, then any passages.
        var cueEmbeddings: [[Float]]
        var cueCodes: [SparseCode]
        /// The embeddings of its clauses (``CueExtraction/clauses(of:)``), if it has several.
        var clauseEmbeddings: [[Float]]
        var entities: [String]
    }

    /// What one stored memory added, to be mirrored in the in-memory index after the commit.
    struct WrittenMemory: Sendable {
        var id: MemoryID
        var scope: String
        var session: String?
        var text: String
        var cues: [(id: Int, embedding: [Float])]
        var clauses: [(id: Int, embedding: [Float])]
        var entities: [String]
        var edges: [(MemoryID, MemoryID)]
        /// Newer and older versions of one subject that this write linked (see ``MemoryStore/linkSupersessions``).
        var supersessions: [(newer: MemoryID, older: MemoryID)] = []
        /// Memories whose hubness this write set or changed (see ``MemoryStore/recordNeighbourhoods``).
        var hubness: [(MemoryID, Float)] = []

        /// The memories whose rows in the index this write changes: itself, the ends of its new
        /// edges and versions, and those whose hubness it changed.
        var touchedMemories: Set<MemoryID> {
            var touched: Set<MemoryID> = [id]
            for (a, b) in edges { touched.formUnion([a, b]) }
            for link in supersessions { touched.formUnion([link.newer, link.older]) }
            for (memory, _) in hubness { touched.insert(memory) }
            return touched
        }

        /// Mirrors the rows in the index of their scope.
        func apply(to index: inout ScopeIndex, withEdges: Bool = true) {
            for cue in cues {
                // A cue id is new by construction (never reused), so this cannot fail.
                try? index.addCue(id: cue.id, memory: id, embedding: cue.embedding)
            }
            for clause in clauses { try? index.addClause(id: clause.id, memory: id, embedding: clause.embedding) }
            index.addText(text, session: session, of: id)
            index.addEntities(entities, of: id)
            if withEdges { for (a, b) in edges { index.addEdge(a, b, kind: .temporal, weight: 1) } }
            for link in supersessions { index.addSupersession(newer: link.newer, older: link.older) }
            for (memory, value) in hubness { index.hubness[memory] = value }
        }
    }

    func prepare(_ items: [NewMemory], now: Date) throws -> [PreparedMemory] {
        var texts: [String] = []
        var cueRanges: [Range<Int>] = [], clauseRanges: [Range<Int>] = []
        for item in items {
            try Self.validate(item)
            let start = texts.count
            texts.append(item.text)
            texts.append(contentsOf: CueExtraction.passages(of: item.text))
            cueRanges.append(start ..< texts.count)
            let clauses = CueExtraction.clauses(of: item.text)
            clauseRanges.append(texts.count ..< texts.count + clauses.count)
            texts.append(contentsOf: clauses)
        }
        let embeddings = embedder.embed(texts)
        guard embeddings.count == texts.count, embeddings.allSatisfy({ $0.count == embedder.dimension }) else {
            throw MemoryError.invalidArgument(name: "embedder", requirement: "returned embeddings of the wrong count or dimension")
        }
        let codes: [[SparseCode]]
        do { codes = try cueRanges.map { try flyHash.codes(Array(embeddings[$0])) } } catch {
            throw MemoryError.invalidArgument(name: "embedding", requirement: "must be finite (\(error))")
        }
        return try items.indices.map { i in
            let item = items[i]
            return PreparedMemory(
                text: item.text, scope: item.scope, session: item.session,
                metadataJSON: try Self.metadataJSON(item.metadata), time: item.time ?? now,
                cueEmbeddings: Array(embeddings[cueRanges[i]]), cueCodes: codes[i],
                clauseEmbeddings: Array(embeddings[clauseRanges[i]]), entities: CueExtraction.entities(in: item.text))
        }
    }

    /// Why an item is not stored: it is too close to a stored memory, or to an earlier item of
    /// the same call.
    enum Duplicate: Sendable {
        case memory(MemoryID, similarity: Float)
        case item(Int, similarity: Float)
    }

    /// A stored memory near an item, and their whole-text cosine.
    typealias Near = (memory: MemoryID, similarity: Float)

    /// What the scope already holds near each item: whether it duplicates a memory (or an
    /// earlier item of the call), and its nearest memories by whole-text cosine (for its
    /// neighbourhood and for supersession).
    struct Neighbourhood: Sendable {
        /// For each item that must not be stored what it duplicates; `nil` for the others.
        var duplicates: [Duplicate?]
        /// For each item the nearest memories of its scope, best first.
        var nearest: [[Near]]
    }

    /// Cues scanned per item: enough for ``ScopeIndex/hubNeighbours`` whole texts among passages.
    static let neighbourCues = 16

    func findNeighbours(_ prepared: [PreparedMemory]) throws -> Neighbourhood {
        var result = Neighbourhood(duplicates: Array(repeating: nil, count: prepared.count),
                                   nearest: Array(repeating: [], count: prepared.count))
        let duplicateThreshold = configuration.duplicateThreshold
        for scope in Set(prepared.map(\.scope)) {
            let members = prepared.indices.filter { prepared[$0].scope == scope }
            // Per member: the nearest whole-text cues, and the cues near enough the duplicate
            // threshold to be scored again exactly.
            let margin = Self.duplicateRescoringMargin
            let nearest: [(wholeTexts: [Near], borderline: [(cue: Int, memory: MemoryID)])] = try withScopeIndex(scope) { index in
                guard !index.retriever.isEmpty else { return members.map { _ in ([], []) } }
                // One pass over the scope's codes for all the members.
                let found = try index.retriever.nearest(eachOf: members.map { prepared[$0].cueEmbeddings[0] }, count: Self.neighbourCues)
                return found.map { found in
                    let hits = found
                        .compactMap { hit -> (Near, Bool, Int)? in
                            guard let memory = index.memoryOfCue[hit.key] else { return nil }
                            return ((memory, hit.score), index.cuesOfMemory[memory]?.first == hit.key, hit.key)
                        }
                    let borderline = duplicateThreshold.map { threshold in
                        hits.filter { $0.0.similarity >= threshold - margin }.map { (cue: $0.2, memory: $0.0.memory) }
                    } ?? []
                    // A passage of a long memory can make a duplicate, not a neighbour or a version.
                    return (Array(hits.filter(\.1).map(\.0).prefix(ScopeIndex.hubNeighbours)), borderline)
                }
            }
            let exact = try exactCosines(of: nearest.map(\.borderline), to: members.map { prepared[$0].cueEmbeddings[0] })
            var kept: [Int] = []
            for (member, (i, near)) in zip(members, nearest).enumerated() {
                let embedding = prepared[i].cueEmbeddings[0]
                if let threshold = duplicateThreshold, let hit = exact[member].max(by: { $0.similarity < $1.similarity }),
                   hit.similarity >= threshold {
                    result.duplicates[i] = .memory(hit.memory, similarity: hit.similarity)
                } else if let threshold = duplicateThreshold,
                          let twin = kept.first(where: { Kernels.dot(prepared[$0].cueEmbeddings[0], embedding) >= threshold }) {
                    result.duplicates[i] = .item(twin, similarity: Kernels.dot(prepared[twin].cueEmbeddings[0], embedding))
                } else {
                    kept.append(i)
                }
                result.nearest[i] = near.wholeTexts
            }
        }
        return result
    }

    /// How far below the duplicate threshold an index cosine may lie and still be scored again
    /// from the stored float32 cue: the index's 8-bit rows err by at most ‖query‖ × ‖row error‖
    /// (half a quantisation step per component), far less than this for unit sentence vectors.
    static let duplicateRescoringMargin: Float = 0.02

    /// The exact cosines of each item's borderline cues, read from the back end, so that whether
    /// a text duplicates a memory never depends on the index's rounding.
    private func exactCosines(of borderline: [[(cue: Int, memory: MemoryID)]], to embeddings: [[Float]]) throws -> [[Near]] {
        let wanted = Set(borderline.joined().map(\.cue))
        guard !wanted.isEmpty else { return borderline.map { _ in [] } }
        let memories = Array(Set(borderline.joined().map(\.memory)))
        let dimension = embedder.dimension
        var stored: [Int: [Float]] = [:]
        for cue in try backend.read({ try $0.cues(of: memories) }) where wanted.contains(cue.cue) {
            stored[cue.cue] = BlobCoding.floats(cue.embedding, expected: dimension)
        }
        return zip(borderline, embeddings).map { cues, embedding in
            cues.compactMap { cue in
                stored[cue.cue].map { (cue.memory, Kernels.cosine(embedding, $0)) }
            }
        }
    }
}
