import Foundation
import GRDB

/// The back-end queries and changes in SQLite's SQL, on the connection of one transaction.
struct SQLiteTransaction: MemoryBackendWriting {
    let db: Database

    // MARK: - Reading

    func storeInfo() throws -> [String: String] {
        Dictionary(try Row.fetchAll(db, sql: "SELECT key, value FROM store_info").map { ($0["key"], $0["value"]) }) { a, _ in a }
    }

    func revision(ofScope scope: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT revision FROM scope_revision WHERE scope = ?", arguments: [scope]) ?? 0
    }

    static let memoryColumns = "id, scope, session, text, metadata, time, created_at, updated_at"

    private static func memoryRow(_ row: Row) -> MemoryRow {
        MemoryRow(id: row["id"], scope: row["scope"], session: row["session"], text: row["text"], metadataJSON: row["metadata"],
                  time: row["time"], createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    func memories(_ ids: [MemoryID]) throws -> [MemoryRow] {
        guard !ids.isEmpty else { return [] }
        let marks = databaseQuestionMarks(count: ids.count)
        var rows = try Row.fetchAll(db, sql: "SELECT \(Self.memoryColumns) FROM memory WHERE id IN (\(marks))",
                                    arguments: StatementArguments(ids)).map(Self.memoryRow)
        let newer = try Row.fetchAll(db, sql: """
            SELECT target_id, max(source_id) FROM edge WHERE kind = ? AND target_id IN (\(marks)) GROUP BY target_id
            """, arguments: StatementArguments([EdgeKind.supersedes.rawValue]) + StatementArguments(ids))
        let latest = Dictionary(newer.map { ($0[0] as MemoryID, $0[1] as MemoryID) }) { a, _ in a }
        for i in rows.indices { rows[i].supersededBy = latest[rows[i].id] }
        return rows
    }

    func countExisting(_ ids: [MemoryID]) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM memory WHERE id IN (\(databaseQuestionMarks(count: ids.count)))",
                                arguments: StatementArguments(ids)) ?? 0
    }

    /// The WHERE clause of a filter, with its arguments.
    private static func conditions(_ filter: MemoryFilter) -> ([String], [any DatabaseValueConvertible]) {
        var conditions: [String] = [], arguments: [any DatabaseValueConvertible] = []
        func add(_ condition: String, _ value: any DatabaseValueConvertible) {
            conditions.append(condition)
            arguments.append(value)
        }
        if let scope = filter.scope { add("scope = ?", scope) }
        if let session = filter.session { add("session = ?", session) }
        if let from = filter.from { add("time >= ?", from) }
        if let until = filter.until { add("time < ?", until) }
        if let through = filter.through { add("time <= ?", through) }
        for (key, value) in filter.metadata.sorted(by: { $0.key < $1.key }) {
            conditions.append("json_extract(metadata, ?) = ?")
            arguments.append("$.\"\(key.replacingOccurrences(of: "\"", with: "\\\""))\"")
            arguments.append(value)
        }
        if !filter.words.isEmpty {
            // Every word quoted, so that the user's text is never read as FTS5 query syntax.
            add("id IN (SELECT rowid FROM memory_fts WHERE memory_fts MATCH ?)",
                filter.words.map { "\"\($0.replacingOccurrences(of: "\"", with: "\"\""))\"" }.joined(separator: " "))
        }
        return (conditions, arguments)
    }

    func list(_ filter: MemoryFilter, after: MemoryID, limit: Int) throws -> [MemoryRow] {
        var (conditions, arguments) = Self.conditions(filter)
        conditions.insert("id > ?", at: 0)
        arguments.insert(after, at: 0)
        arguments.append(limit)
        let sql = "SELECT \(Self.memoryColumns) FROM memory WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?"
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue))).map(Self.memoryRow)
    }

    func ids(_ filter: MemoryFilter) throws -> [MemoryID] {
        var plain = filter
        plain.words = []
        let (conditions, arguments) = Self.conditions(plain)
        let clause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try MemoryID.fetchAll(db, sql: "SELECT id FROM memory" + clause, arguments: StatementArguments(arguments.map(\.databaseValue)))
    }

    func scopes() throws -> [(scope: String, memories: Int)] {
        try Row.fetchAll(db, sql: "SELECT scope, COUNT(*) FROM memory GROUP BY scope ORDER BY scope")
            .map { (scope: $0[0] as String, memories: $0[1] as Int) }
    }

    func counts() throws -> (memories: Int, cues: Int, edges: Int, scopes: Int) {
        func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql) ?? 0 }
        return (try count("SELECT COUNT(*) FROM memory"), try count("SELECT COUNT(*) FROM cue"),
                try count("SELECT COUNT(*) FROM edge"), try count("SELECT COUNT(DISTINCT scope) FROM memory"))
    }

    func times(of ids: [MemoryID]) throws -> [MemoryID: Double] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(db, sql: "SELECT id, time FROM memory WHERE id IN (\(databaseQuestionMarks(count: ids.count)))",
                                    arguments: StatementArguments(ids))
        return Dictionary(rows.map { ($0[0] as MemoryID, $0[1] as Double) }) { a, _ in a }
    }

    func neighbourhoods(of ids: [MemoryID]) throws -> [MemoryID: Data] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(
            db, sql: "SELECT memory_id, similarities FROM neighbourhood WHERE memory_id IN (\(databaseQuestionMarks(count: ids.count)))",
            arguments: StatementArguments(ids))
        return Dictionary(rows.map { ($0[0] as MemoryID, $0[1] as Data) }) { a, _ in a }
    }

    func forEachCue(inScope scope: String, _ body: (Int, MemoryID, Int, Data) throws -> Void) throws {
        let cues = try Row.fetchCursor(db, sql: """
            SELECT cue.id, cue.memory_id, cue.kind, cue.embedding FROM cue JOIN memory ON memory.id = cue.memory_id
            WHERE memory.scope = ? ORDER BY cue.id
            """, arguments: [scope])
        while let row = try cues.next() { try body(row[0], row[1], row[2], row[3]) }
    }

    func cueCount(inScope scope: String, excludingKind kind: Int) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM cue JOIN memory ON memory.id = cue.memory_id WHERE memory.scope = ? AND cue.kind != ?
            """, arguments: [scope, kind]) ?? 0
    }

    func forEachText(inScope scope: String, _ body: (MemoryID, String, String?) throws -> Void) throws {
        let texts = try Row.fetchCursor(db, sql: "SELECT id, text, session FROM memory WHERE scope = ?", arguments: [scope])
        while let row = try texts.next() { try body(row[0], row[1], row[2]) }
    }

    func forEachEdge(inScope scope: String, _ body: (EdgeRow) throws -> Void) throws {
        let edges = try Row.fetchCursor(db, sql: """
            SELECT edge.source_id, edge.target_id, edge.kind, edge.weight, a.time, b.time FROM edge
            JOIN memory a ON a.id = edge.source_id JOIN memory b ON b.id = edge.target_id WHERE a.scope = ?
            """, arguments: [scope])
        while let row = try edges.next() {
            try body(EdgeRow(source: row[0], target: row[1], kind: row[2], weight: row[3], sourceTime: row[4], targetTime: row[5]))
        }
    }

    func forEachNeighbourhood(inScope scope: String, _ body: (MemoryID, Data) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT memory_id, similarities FROM neighbourhood JOIN memory ON memory.id = neighbourhood.memory_id
            WHERE memory.scope = ?
            """, arguments: [scope])
        while let row = try rows.next() { try body(row[0], row[1]) }
    }

    func forEachEntity(inScope scope: String, _ body: (MemoryID, String) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT memory_id, name FROM entity JOIN memory ON memory.id = entity.memory_id
            WHERE memory.scope = ? ORDER BY memory_id
            """, arguments: [scope])
        while let row = try rows.next() { try body(row[0], row[1]) }
    }

    func forEachCode(inScope scope: String, cueKind kind: Int, _ body: (MemoryID, Data) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT memory.id, code.units FROM code JOIN cue ON cue.id = code.cue_id
            JOIN memory ON memory.id = cue.memory_id WHERE memory.scope = ? AND cue.kind = ?
            """, arguments: [scope, kind])
        while let row = try rows.next() { try body(row[0], row[1]) }
    }

    func changes(inScope scope: String, after revision: Int64) throws -> Set<MemoryID>? {
        // The log is contiguous from its oldest kept revision: it reaches back if that is at most revision + 1.
        let oldest = try Int64.fetchOne(db, sql: "SELECT min(revision) FROM scope_change WHERE scope = ? AND revision > ?",
                                        arguments: [scope, revision])
        guard let oldest else { return [] }
        guard oldest == revision + 1 else { return nil }
        return Set(try MemoryID.fetchAll(db, sql: "SELECT DISTINCT memory_id FROM scope_change WHERE scope = ? AND revision > ?",
                                         arguments: [scope, revision]))
    }

    func cues(of memories: [MemoryID]) throws -> [(cue: Int, memory: MemoryID, kind: Int, embedding: Data)] {
        guard !memories.isEmpty else { return [] }
        return try Row.fetchAll(db, sql: """
            SELECT id, memory_id, kind, embedding FROM cue WHERE memory_id IN (\(databaseQuestionMarks(count: memories.count))) ORDER BY id
            """, arguments: StatementArguments(memories)).map { (cue: $0[0], memory: $0[1], kind: $0[2], embedding: $0[3]) }
    }

    func entities(of memories: [MemoryID]) throws -> [(memory: MemoryID, name: String)] {
        guard !memories.isEmpty else { return [] }
        return try Row.fetchAll(db, sql: "SELECT memory_id, name FROM entity WHERE memory_id IN (\(databaseQuestionMarks(count: memories.count)))",
                                arguments: StatementArguments(memories)).map { (memory: $0[0], name: $0[1]) }
    }

    func edges(touching memories: [MemoryID]) throws -> [EdgeRow] {
        guard !memories.isEmpty else { return [] }
        let marks = databaseQuestionMarks(count: memories.count)
        return try Row.fetchAll(db, sql: """
            SELECT edge.source_id, edge.target_id, edge.kind, edge.weight, a.time, b.time FROM edge
            JOIN memory a ON a.id = edge.source_id JOIN memory b ON b.id = edge.target_id
            WHERE edge.source_id IN (\(marks)) OR edge.target_id IN (\(marks))
            """, arguments: StatementArguments(memories) + StatementArguments(memories)).map {
            EdgeRow(source: $0[0], target: $0[1], kind: $0[2], weight: $0[3], sourceTime: $0[4], targetTime: $0[5])
        }
    }

    func snapshot(ofScope scope: String) throws -> (revision: Int64, data: Data)? {
        try Row.fetchOne(db, sql: "SELECT revision, data FROM scope_snapshot WHERE scope = ?", arguments: [scope])
            .map { (revision: $0["revision"], data: $0["data"]) }
    }

    // MARK: - Writing

    func insertStoreInfo(_ key: String, _ value: String) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO store_info (key, value) VALUES (?, ?)", arguments: [key, value])
    }

    func insertMemory(_ row: MemoryRow) throws -> MemoryID {
        try db.execute(
            sql: "INSERT INTO memory (scope, session, text, metadata, time, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [row.scope, row.session, row.text, row.metadataJSON, row.time, row.createdAt, row.updatedAt])
        return db.lastInsertedRowID
    }

    func updateMemory(_ id: MemoryID, text: String, metadataJSON: String, time: Double, updatedAt: Double) throws {
        try db.execute(sql: "DELETE FROM scope_snapshot WHERE scope = (SELECT scope FROM memory WHERE id = ?)", arguments: [id])
        try db.execute(sql: "UPDATE memory SET text = ?, metadata = ?, time = ?, updated_at = ? WHERE id = ?",
                       arguments: [text, metadataJSON, time, updatedAt, id])
    }

    func insertCue(memory: MemoryID, kind: Int, embedding: Data, code: Data?) throws -> Int {
        try db.execute(sql: "INSERT INTO cue (memory_id, kind, embedding) VALUES (?, ?, ?)", arguments: [memory, kind, embedding])
        let cue = Int(db.lastInsertedRowID)
        if let code { try db.execute(sql: "INSERT INTO code (cue_id, units) VALUES (?, ?)", arguments: [cue, code]) }
        return cue
    }

    func insertEntity(memory: MemoryID, name: String) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO entity (memory_id, name) VALUES (?, ?)", arguments: [memory, name])
    }

    func insertEdge(source: MemoryID, target: MemoryID, kind: Int, weight: Double) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO edge (source_id, target_id, kind, weight) VALUES (?, ?, ?, ?)",
                       arguments: [source, target, kind, weight])
    }

    func strengthenEdge(source: MemoryID, target: MemoryID, kind: Int, by amount: Double, limit: Double) throws -> Double {
        try Double.fetchOne(db, sql: """
            INSERT INTO edge (source_id, target_id, kind, weight) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (source_id, target_id, kind) DO UPDATE SET weight = min(?5, weight + ?4)
            RETURNING weight
            """, arguments: [source, target, kind, amount, limit]) ?? amount
    }

    func sessionNeighbours(of id: MemoryID, scope: String, session: String, time: Double) throws -> [MemoryID] {
        try MemoryID.fetchAll(db, sql: """
            SELECT id FROM (SELECT id FROM memory WHERE scope = ?1 AND session = ?2 AND id != ?3
                              AND (time < ?4 OR (time = ?4 AND id < ?3)) ORDER BY time DESC, id DESC LIMIT 1)
            UNION ALL
            SELECT id FROM (SELECT id FROM memory WHERE scope = ?1 AND session = ?2 AND id != ?3
                              AND (time > ?4 OR (time = ?4 AND id > ?3)) ORDER BY time, id LIMIT 1)
            """, arguments: [scope, session, id, time])
    }

    /// One prepared statement run per row: SQLite has no round trips to save.
    func setNeighbourhoods(_ rows: [(memory: MemoryID, similarities: Data)]) throws {
        let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO neighbourhood (memory_id, similarities) VALUES (?, ?)")
        for row in rows { try statement.execute(arguments: [row.memory, row.similarities]) }
    }

    func deleteCuesAndEntities(of memory: MemoryID) throws {
        try db.execute(sql: "DELETE FROM cue WHERE memory_id = ?", arguments: [memory])
        try db.execute(sql: "DELETE FROM entity WHERE memory_id = ?", arguments: [memory])
    }

    func deleteMemory(_ id: MemoryID) throws -> (scope: String, text: String)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT scope, text FROM memory WHERE id = ?", arguments: [id]) else { return nil }
        try db.execute(sql: "DELETE FROM memory WHERE id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM scope_snapshot WHERE scope = ?", arguments: [row["scope"] as String])
        return (row["scope"], row["text"])
    }

    func deleteScope(_ scope: String) throws -> Int {
        try db.execute(sql: "DELETE FROM memory WHERE scope = ?", arguments: [scope])
        let count = db.changesCount
        try db.execute(sql: "DELETE FROM scope_snapshot WHERE scope = ?", arguments: [scope])
        return count
    }

    func saveSnapshot(ofScope scope: String, revision: Int64, data: Data) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO scope_snapshot (scope, revision, data) VALUES (?, ?, ?)",
                       arguments: [scope, revision, data])
    }

    func bumpRevision(ofScope scope: String, changed: Set<MemoryID>) throws -> Int64 {
        let revision = try Int64.fetchOne(db, sql: """
            INSERT INTO scope_revision (scope, revision) VALUES (?, 1)
            ON CONFLICT (scope) DO UPDATE SET revision = revision + 1 RETURNING revision
            """, arguments: [scope]) ?? 1
        let log = try db.cachedStatement(sql: "INSERT OR IGNORE INTO scope_change (scope, revision, memory_id) VALUES (?, ?, ?)")
        for memory in changed.isEmpty ? [wholeScopeChanged] : Array(changed) { try log.execute(arguments: [scope, revision, memory]) }
        try db.execute(sql: "DELETE FROM scope_change WHERE scope = ? AND revision <= ?", arguments: [scope, revision - changeLogLength])
        return revision
    }
}
