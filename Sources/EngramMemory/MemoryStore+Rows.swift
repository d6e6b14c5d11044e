import EngramAssociative
import EngramKernels
import Foundation
import GRDB

/// The SQL of the write path, and the conversion of rows to ``Memory``.
extension MemoryStore {
    /// Inserts a memory row and everything derived from it, and links it to the memories before
    /// and after it (by time) in its session.
    static func insert(_ memory: PreparedMemory, now: Date, in db: Database) throws -> WrittenMemory {
        let stamp = now.timeIntervalSince1970, time = memory.time.timeIntervalSince1970
        try db.execute(
            sql: """
                INSERT INTO memory (scope, session, text, metadata, time, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [memory.scope, memory.session, memory.text, memory.metadataJSON, time, stamp, stamp])
        let id = db.lastInsertedRowID
        var written = try insertDerived(memory, id: id, in: db)
        if let session = memory.session {
            let neighbours = try MemoryID.fetchAll(db, sql: """
                SELECT id FROM (SELECT id FROM memory WHERE scope = ?1 AND session = ?2 AND id != ?3
                                  AND (time < ?4 OR (time = ?4 AND id < ?3)) ORDER BY time DESC, id DESC LIMIT 1)
                UNION ALL
                SELECT id FROM (SELECT id FROM memory WHERE scope = ?1 AND session = ?2 AND id != ?3
                                  AND (time > ?4 OR (time = ?4 AND id > ?3)) ORDER BY time, id LIMIT 1)
                """, arguments: [memory.scope, session, id, time])
            for other in neighbours {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO edge (source_id, target_id, kind, weight) VALUES (?, ?, ?, 1)",
                    arguments: [min(id, other), max(id, other), EdgeKind.temporal.rawValue])
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
        in db: Database
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
            let marks = databaseQuestionMarks(count: candidates.count)
            for row in try Row.fetchAll(db, sql: "SELECT id, time FROM memory WHERE id IN (\(marks))", arguments: StatementArguments(candidates)) {
                times[row["id"]] = Date(timeIntervalSince1970: row["time"])
            }
            for row in try Row.fetchAll(db, sql: "SELECT memory_id, similarities FROM neighbourhood WHERE memory_id IN (\(marks))",
                                        arguments: StatementArguments(candidates)) {
                lists[row[0]] = BlobCoding.floats(row[1] as Data) ?? []
            }
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
            try db.execute(
                sql: "INSERT OR IGNORE INTO edge (source_id, target_id, kind, weight) VALUES (?, ?, ?, ?)",
                arguments: [link.newer, link.older, EdgeKind.supersedes.rawValue, Double(link.similarity)])
            rows[link.row].supersessions.append((link.newer, link.older))
        }
    }

    /// Records the neighbourhood of each memory just stored: the whole-text cosines of its nearest
    /// memories of the scope (`stored` gives those found in the index; the other memories of the
    /// call are added here), at most ``ScopeIndex/hubNeighbours``. A stored memory that the new
    /// one comes nearer than its farthest recorded neighbour gets it in its list too. (Only the
    /// memories in the new one's list are revisited, so a list can miss a newcomer that is near
    /// it but not near enough the other way; forgetting leaves the others' lists as they were.)
    static func recordNeighbourhoods(_ rows: inout [WrittenMemory], stored: [(PreparedMemory, [Near])], in db: Database) throws {
        let k = ScopeIndex.hubNeighbours
        var touched: [MemoryID: [(row: Int, similarity: Float)]] = [:]
        for (r, (memory, nearest)) in stored.enumerated() {
            var list = nearest.map(\.similarity)
            for (o, other) in stored.enumerated() where o != r && other.0.scope == memory.scope {
                list.append(Kernels.dot(memory.cueEmbeddings[0], other.0.cueEmbeddings[0]))
            }
            list = Array(list.sorted(by: >).prefix(k))
            try db.execute(sql: "INSERT OR REPLACE INTO neighbourhood (memory_id, similarities) VALUES (?, ?)",
                           arguments: [rows[r].id, BlobCoding.data(list)])
            if let value = ScopeIndex.hubness(of: list) { rows[r].hubness.append((rows[r].id, value)) }
            for near in nearest { touched[near.memory, default: []].append((r, near.similarity)) }
        }
        guard !touched.isEmpty else { return }
        let current = try Row.fetchAll(
            db, sql: "SELECT memory_id, similarities FROM neighbourhood WHERE memory_id IN (\(databaseQuestionMarks(count: touched.count)))",
            arguments: StatementArguments(Array(touched.keys)))
        for row in current {
            let memory: MemoryID = row[0]
            guard let arrivals = touched[memory] else { continue }
            let blob: Data = row[1]
            let old = BlobCoding.floats(blob) ?? []
            let list = Array((old + arrivals.map(\.similarity)).sorted(by: >).prefix(k))
            guard list != old else { continue }
            try db.execute(sql: "UPDATE neighbourhood SET similarities = ? WHERE memory_id = ?", arguments: [BlobCoding.data(list), memory])
            if let value = ScopeIndex.hubness(of: list), let row = arrivals.first?.row { rows[row].hubness.append((memory, value)) }
        }
    }

    /// Inserts the cue, code and entity rows of memory `id`.
    static func insertDerived(_ memory: PreparedMemory, id: MemoryID, in db: Database) throws -> WrittenMemory {
        var cues: [(id: Int, embedding: [Float])] = []
        for (number, (embedding, code)) in zip(memory.cueEmbeddings, memory.cueCodes).enumerated() {
            try db.execute(sql: "INSERT INTO cue (memory_id, kind, embedding) VALUES (?, ?, ?)",
                           arguments: [id, (number == 0 ? CueKind.whole : CueKind.passage).rawValue, BlobCoding.data(embedding)])
            let cue = Int(db.lastInsertedRowID)
            try db.execute(sql: "INSERT INTO code (cue_id, units) VALUES (?, ?)",
                           arguments: [cue, BlobCoding.data(units: code.active)])
            cues.append((cue, embedding))
        }
        var clauses: [(id: Int, embedding: [Float])] = []
        for embedding in memory.clauseEmbeddings {
            // Clause cues have no fly-hash code: they score candidates, they do not chain.
            try db.execute(sql: "INSERT INTO cue (memory_id, kind, embedding) VALUES (?, ?, ?)",
                           arguments: [id, CueKind.clause.rawValue, BlobCoding.data(embedding)])
            clauses.append((Int(db.lastInsertedRowID), embedding))
        }
        for name in memory.entities {
            try db.execute(sql: "INSERT OR IGNORE INTO entity (memory_id, name) VALUES (?, ?)", arguments: [id, name])
        }
        return WrittenMemory(id: id, scope: memory.scope, session: memory.session, text: memory.text, cues: cues,
                             clauses: clauses, entities: memory.entities, edges: [])
    }

    /// Increments `store_info.revision` and returns the new value.
    static func bumpRevision(_ db: Database) throws -> Int64 {
        try db.execute(sql: "UPDATE store_info SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")
        return try currentRevision(db)
    }

    static func currentRevision(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM store_info WHERE key = 'revision'") ?? 0
    }

    /// Runs `body` in one write transaction, converting database failures to ``MemoryError``.
    func writeTransaction<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        do {
            return try database.write(body)
        } catch let error as MemoryError {
            throw error
        } catch {
            throw MemoryError.database(Self.describe(error))
        }
    }

    /// Runs `body` in a read transaction, converting database failures to ``MemoryError``.
    func readTransaction<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        do {
            return try database.read(body)
        } catch let error as MemoryError {
            throw error
        } catch {
            throw MemoryError.database(Self.describe(error))
        }
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

    static let memoryColumns = "id, scope, session, text, metadata, time, created_at, updated_at"

    static func memory(from row: Row) -> Memory {
        let metadataText: String = row["metadata"]
        // Written by `metadataJSON` as an object of strings; JSONSerialization reads it several
        // times faster than JSONDecoder, which showed in recall's time.
        let metadata = metadataText == "{}" ? [:]
            : (try? JSONSerialization.jsonObject(with: Data(metadataText.utf8))) as? [String: String] ?? [:]
        return Memory(
            id: row["id"], scope: row["scope"], session: row["session"], text: row["text"], metadata: metadata,
            time: Date(timeIntervalSince1970: row["time"]), createdAt: Date(timeIntervalSince1970: row["created_at"]),
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
    }

    static func fetchMemories(_ ids: [MemoryID], in db: Database) throws -> [MemoryID: Memory] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(
            db, sql: "SELECT \(memoryColumns) FROM memory WHERE id IN (\(databaseQuestionMarks(count: ids.count)))",
            arguments: StatementArguments(ids))
        var memories = Dictionary(uniqueKeysWithValues: rows.map { row in
            let memory = Self.memory(from: row)
            return (memory.id, memory)
        })
        let newer = try Row.fetchAll(db, sql: """
            SELECT target_id, max(source_id) FROM edge
            WHERE kind = ? AND target_id IN (\(databaseQuestionMarks(count: ids.count))) GROUP BY target_id
            """, arguments: StatementArguments([EdgeKind.supersedes.rawValue]) + StatementArguments(ids))
        for row in newer { memories[row[0]]?.supersededBy = row[1] }
        return memories
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
