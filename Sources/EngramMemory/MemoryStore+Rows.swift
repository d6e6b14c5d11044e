import EngramAssociative
import EngramKernels
import Foundation

/// The rows of the write path, and the conversion of rows to ``Memory``.
extension MemoryStore {
    /// Inserts a memory row and everything derived from it, and links it to the memories before
    /// and after it (by time) in its session.
    static func insert(_ memory: PreparedMemory, now: Date, in transaction: any MemoryBackendWriting) throws -> WrittenMemory {
        let stamp = now.timeIntervalSince1970, time = memory.time.timeIntervalSince1970
        let id = try transaction.insertMemory(MemoryRow(
            scope: memory.scope, session: memory.session, text: memory.text, metadataJSON: memory.metadataJSON,
            time: time, createdAt: stamp, updatedAt: stamp))
        var written = try insertDerived(memory, id: id, in: transaction)
        if let session = memory.session {
            for other in try transaction.sessionNeighbours(of: id, scope: memory.scope, session: session, time: time) {
                try transaction.insertEdge(source: min(id, other), target: max(id, other), kind: EdgeKind.temporal.rawValue, weight: 1)
                written.edges.append((id, other))
            }
        }
        return written
    }

    /// Links the memories just stored (`rows`, with their prepared items and their nearest
    /// memories) with the memories of their scope that they supersede or that supersede them.
    ///
    /// Two memories are taken for versions of one subject when their whole-text cosine reaches
    /// `threshold` and exceeds the older one's hubness (its mean cosine with its nearest other
    /// memories) by `distinctness`: the newer stands out from everything else the older is like.
    /// Cosine alone does not tell an update from small talk (in LoCoMo half of all turns have a
    /// later turn within 0.7, mostly greetings, which are near many turns); the margin over the
    /// neighbourhood does (0.09–0.65 for memory-dev's updates, ≥ 0.2 for a handful of LoCoMo's
    /// pairs per conversation). The later (by time, then by id) supersedes the earlier: an edge of
    /// kind ``EdgeKind/supersedes`` from the newer to the older, weighted by the cosine.
    static func linkSupersessions(
        _ rows: inout [WrittenMemory], stored: [(PreparedMemory, [Near])], threshold: Float, distinctness: Float,
        in transaction: any MemoryBackendWriting
    ) throws {
        var links: [(newer: MemoryID, older: MemoryID, similarity: Float, row: Int)] = []
        func later(_ a: (Date, MemoryID), than b: (Date, MemoryID)) -> Bool { a.0 > b.0 || (a.0 == b.0 && a.1 > b.1) }
        /// The mean of a neighbourhood without one entry (the partner's), 0 when nothing is left.
        func hubness(_ list: [Float], without partner: Float?) -> Float {
            var rest = list
            if let partner, let i = rest.firstIndex(where: { abs($0 - partner) < 1e-6 }) { rest.remove(at: i) }
            return ScopeIndex.hubness(of: rest) ?? 0
        }
        let candidates = stored.flatMap { $0.1.filter { $0.similarity >= threshold }.map(\.memory) }
        guard !candidates.isEmpty || stored.count > 1 else { return }
        var times: [MemoryID: Date] = [:], lists: [MemoryID: [Float]] = [:]
        if !candidates.isEmpty {
            // The candidates as they are now (one may have been forgotten since the scan), and
            // their neighbourhoods before this write.
            times = try transaction.times(of: candidates).mapValues(Date.init(timeIntervalSince1970:))
            lists = try transaction.neighbourhoods(of: candidates).mapValues { BlobCoding.floats($0) ?? [] }
        }
        for (r, (memory, nearest)) in stored.enumerated() {
            let id = rows[r].id
            for (other, similarity) in nearest where similarity >= threshold {
                guard let time = times[other] else { continue }
                let newer = later((memory.time, id), than: (time, other))
                let olderHubness = newer ? hubness(lists[other] ?? [], without: nil)
                    : hubness(nearest.map(\.similarity), without: similarity)
                guard similarity - olderHubness >= distinctness else { continue }
                links.append((newer ? id : other, newer ? other : id, similarity, r))
            }
        }
        for a in stored.indices {
            for b in stored.indices where b > a && stored[a].0.scope == stored[b].0.scope {
                let similarity = Kernels.dot(stored[a].0.cueEmbeddings[0], stored[b].0.cueEmbeddings[0])
                guard similarity >= threshold else { continue }
                let bIsNewer = later((stored[b].0.time, rows[b].id), than: (stored[a].0.time, rows[a].id))
                let older = bIsNewer ? a : b
                guard similarity - hubness(stored[older].1.map(\.similarity), without: nil) >= distinctness else { continue }
                links.append(bIsNewer ? (rows[b].id, rows[a].id, similarity, b) : (rows[a].id, rows[b].id, similarity, a))
            }
        }
        for link in links {
            try transaction.insertEdge(source: link.newer, target: link.older, kind: EdgeKind.supersedes.rawValue,
                                       weight: Double(link.similarity))
            rows[link.row].supersessions.append((link.newer, link.older))
        }
    }

    /// Records the neighbourhood of each memory just stored: the whole-text cosines of its nearest
    /// memories of the scope (`stored` gives those found in the index; the other memories of the
    /// call are added here), at most ``ScopeIndex/hubNeighbours``. A stored memory that the new
    /// one comes nearer than its farthest recorded neighbour gets it in its list too. (Only the
    /// memories in the new one's list are revisited, so a list can miss a newcomer that is near
    /// it but not near enough the other way; forgetting leaves the others' lists as they were.)
    static func recordNeighbourhoods(
        _ rows: inout [WrittenMemory], stored: [(PreparedMemory, [Near])], in transaction: any MemoryBackendWriting
    ) throws {
        let k = ScopeIndex.hubNeighbours
        var touched: [MemoryID: [(row: Int, similarity: Float)]] = [:]
        var lists: [(memory: MemoryID, similarities: Data)] = []
        for (r, (memory, nearest)) in stored.enumerated() {
            var list = nearest.map(\.similarity)
            for (o, other) in stored.enumerated() where o != r && other.0.scope == memory.scope {
                list.append(Kernels.dot(memory.cueEmbeddings[0], other.0.cueEmbeddings[0]))
            }
            list = Array(list.sorted(by: >).prefix(k))
            lists.append((rows[r].id, BlobCoding.data(list)))
            if let value = ScopeIndex.hubness(of: list) { rows[r].hubness.append((rows[r].id, value)) }
            for near in nearest { touched[near.memory, default: []].append((r, near.similarity)) }
        }
        try transaction.setNeighbourhoods(lists)
        guard !touched.isEmpty else { return }
        var changed: [(memory: MemoryID, similarities: Data)] = []
        for (memory, blob) in try transaction.neighbourhoods(of: Array(touched.keys)) {
            guard let arrivals = touched[memory] else { continue }
            let old = BlobCoding.floats(blob) ?? []
            let list = Array((old + arrivals.map(\.similarity)).sorted(by: >).prefix(k))
            guard list != old else { continue }
            changed.append((memory, BlobCoding.data(list)))
            if let value = ScopeIndex.hubness(of: list), let row = arrivals.first?.row { rows[row].hubness.append((memory, value)) }
        }
        try transaction.setNeighbourhoods(changed)
    }

    /// Inserts the cue, code and entity rows of memory `id`.
    static func insertDerived(_ memory: PreparedMemory, id: MemoryID, in transaction: any MemoryBackendWriting) throws -> WrittenMemory {
        var cues: [(id: Int, embedding: [Float])] = []
        for (number, (embedding, code)) in zip(memory.cueEmbeddings, memory.cueCodes).enumerated() {
            let kind = number == 0 ? CueKind.whole : CueKind.passage
            let cue = try transaction.insertCue(memory: id, kind: kind.rawValue, embedding: BlobCoding.data(embedding),
                                                code: BlobCoding.data(units: code.active))
            cues.append((cue, embedding))
        }
        var clauses: [(id: Int, embedding: [Float])] = []
        for embedding in memory.clauseEmbeddings {
            // Clause cues have no fly-hash code: they score candidates, they do not chain.
            let cue = try transaction.insertCue(memory: id, kind: CueKind.clause.rawValue, embedding: BlobCoding.data(embedding), code: nil)
            clauses.append((cue, embedding))
        }
        for name in memory.entities { try transaction.insertEntity(memory: id, name: name) }
        return WrittenMemory(id: id, scope: memory.scope, session: memory.session, text: memory.text, cues: cues,
                             clauses: clauses, entities: memory.entities, edges: [])
    }

    // MARK: - Validation

    /// Checks a memory against the store's rules (text, scope, session, metadata) without storing it.
    /// - Throws: the ``MemoryError`` that ``remember(_:)-([NewMemory])`` would throw for it.
    public static func validate(_ item: NewMemory) throws {
        // By code point (as JSON Schema's patterns see it), not by Character: " \u{301}" is one
        // Character whose first scalar is a space, but it holds a mark.
        guard !item.text.unicodeScalars.allSatisfy(\.properties.isWhitespace) else { throw MemoryError.emptyText }
        let bytes = item.text.utf8.count
        guard bytes <= maximumTextBytes else { throw MemoryError.textTooLong(bytes: bytes, limit: maximumTextBytes) }
        // SQLite's C strings end at NUL: the text would come back cut short.
        guard !item.text.unicodeScalars.contains("\u{0}") else {
            throw MemoryError.invalidArgument(name: "text", requirement: "must not contain NUL characters (U+0000)")
        }
        try validateName(item.scope, as: "scope")
        if let session = item.session { try validateName(session, as: "session") }
        guard item.metadata.count <= 64 else {
            throw MemoryError.invalidArgument(name: "metadata", requirement: "may hold at most 64 pairs, got \(item.metadata.count)")
        }
        for (key, value) in item.metadata {
            try validateName(key, as: "metadata key")
            guard value.unicodeScalars.count <= 4096 else {
                throw MemoryError.invalidArgument(name: "metadata value of \(key)", requirement: "must be at most 4096 characters")
            }
        }
    }

    /// A scope, session or metadata key: 1 to 256 characters (Unicode code points), no control
    /// characters.
    static func validateName(_ name: String, as what: String) throws {
        let length = name.unicodeScalars.count
        guard (1...256).contains(length) else {
            throw MemoryError.invalidArgument(name: what, requirement: "must be 1 to 256 characters long, got \(length)")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw MemoryError.invalidArgument(name: what, requirement: "must not contain control characters: \(name.debugDescription)")
        }
    }

    static func metadataJSON(_ metadata: [String: String]) throws -> String {
        let data = try JSONEncoder.sorted.encode(metadata)
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - Reading rows

    static func memory(from row: MemoryRow) -> Memory {
        // Written by `metadataJSON` as an object of strings; JSONSerialization reads it several
        // times faster than JSONDecoder, which showed in recall's time.
        let metadata = row.metadataJSON == "{}" ? [:]
            : (try? JSONSerialization.jsonObject(with: Data(row.metadataJSON.utf8))) as? [String: String] ?? [:]
        return Memory(
            id: row.id, scope: row.scope, session: row.session, text: row.text, metadata: metadata,
            time: Date(timeIntervalSince1970: row.time), createdAt: Date(timeIntervalSince1970: row.createdAt),
            updatedAt: Date(timeIntervalSince1970: row.updatedAt), supersededBy: row.supersededBy)
    }

    /// The memories with these ids that exist, by id.
    func fetchMemories(_ ids: [MemoryID]) throws -> [MemoryID: Memory] {
        guard !ids.isEmpty else { return [:] }
        let rows = try backend.read { try $0.memories(ids) }
        return Dictionary(rows.map { ($0.id, Self.memory(from: $0)) }) { a, _ in a }
    }
}

extension JSONEncoder {
    /// Keys sorted, slashes unescaped: stable text for the metadata column and for export.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
