import EngramMemory
import Foundation
import Logging
import PostgresNIO

/// The back-end queries and changes in PostgreSQL's SQL, on the connection of one transaction.
///
/// The store's calls are synchronous; each statement waits for its result on the calling thread
/// (never an event-loop thread: the store runs on its callers' threads, and the server's on a
/// thread pool), while PostgresNIO does the I/O on its event loop.
final class PostgresTransaction: MemoryBackendWriting {
    let connection: PostgresConnection
    let logger: Logger

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    @discardableResult
    func run(_ query: PostgresQuery) throws -> PostgresQueryResult {
        try connection.query(query, logger: logger).wait()
    }

    // MARK: - Reading

    func storeInfo() throws -> [String: String] {
        Dictionary(try run("SELECT key, value FROM store_info").map { try $0.decode((String, String).self) }) { a, _ in a }
    }

    func revision(ofScope scope: String) throws -> Int64 {
        try run("SELECT revision FROM scope_revision WHERE scope = \(scope)").first.map { try $0.decode(Int64.self) } ?? 0
    }

    private static let memoryColumns = """
        id, scope, session, text, metadata, time, created_at, updated_at,
        (SELECT max(source_id) FROM edge WHERE edge.kind = 2 AND edge.target_id = memory.id)
        """

    private static func memoryRow(_ row: PostgresRow) throws -> MemoryRow {
        let (id, scope, session, text, metadata, time, createdAt, updatedAt, newer) =
            try row.decode((Int64, String, String?, String, String, Double, Double, Double, Int64?).self)
        return MemoryRow(id: id, scope: scope, session: session, text: text, metadataJSON: metadata, time: time,
                         createdAt: createdAt, updatedAt: updatedAt, supersededBy: newer)
    }

    func memories(_ ids: [MemoryID]) throws -> [MemoryRow] {
        guard !ids.isEmpty else { return [] }
        return try run(PostgresQuery(unsafeSQL: "SELECT \(Self.memoryColumns) FROM memory WHERE id = ANY($1)", binds: binds(ids)))
            .map(Self.memoryRow)
    }

    func countExisting(_ ids: [MemoryID]) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try run("SELECT count(*) FROM memory WHERE id = ANY(\(ids))").first.map { try $0.decode(Int.self) } ?? 0
    }

    private func binds(_ ids: [MemoryID]) -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(ids)
        return bindings
    }

    /// The WHERE conditions of a filter with their bindings, numbered after `bindings`' own.
    private static func conditions(_ filter: MemoryFilter, _ bindings: inout PostgresBindings) -> [String] {
        var conditions: [String] = []
        func add(_ sql: (String) -> String, _ value: some PostgresDynamicTypeEncodable) {
            bindings.append(value)
            conditions.append(sql("$\(bindings.count)"))
        }
        if let scope = filter.scope { add({ "scope = \($0)" }, scope) }
        if let session = filter.session { add({ "session = \($0)" }, session) }
        if let from = filter.from { add({ "time >= \($0)" }, from) }
        if let until = filter.until { add({ "time < \($0)" }, until) }
        if let through = filter.through { add({ "time <= \($0)" }, through) }
        for (key, value) in filter.metadata.sorted(by: { $0.key < $1.key }) {
            bindings.append(key)
            let keyMark = "$\(bindings.count)"
            add({ "(metadata::jsonb ->> \(keyMark)) = \($0)" }, value)
        }
        if !filter.words.isEmpty {
            add({ "search @@ plainto_tsquery('english', \($0))" }, filter.words.joined(separator: " "))
        }
        return conditions
    }

    func list(_ filter: MemoryFilter, after: MemoryID, limit: Int) throws -> [MemoryRow] {
        var bindings = PostgresBindings()
        bindings.append(after)
        let conditions = ["id > $1"] + Self.conditions(filter, &bindings)
        bindings.append(limit)
        let sql = "SELECT \(Self.memoryColumns) FROM memory WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT $\(bindings.count)"
        return try run(PostgresQuery(unsafeSQL: sql, binds: bindings)).map(Self.memoryRow)
    }

    func ids(_ filter: MemoryFilter) throws -> [MemoryID] {
        var plain = filter
        plain.words = []
        var bindings = PostgresBindings()
        let conditions = Self.conditions(plain, &bindings)
        let clause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try run(PostgresQuery(unsafeSQL: "SELECT id FROM memory" + clause, binds: bindings)).map { try $0.decode(Int64.self) }
    }

    func scopes() throws -> [(scope: String, memories: Int)] {
        try run("SELECT scope, count(*) FROM memory GROUP BY scope ORDER BY scope COLLATE \"C\"").map {
            let (scope, count) = try $0.decode((String, Int).self)
            return (scope: scope, memories: count)
        }
    }

    func counts() throws -> (memories: Int, cues: Int, edges: Int, scopes: Int) {
        guard let row = try run("""
            SELECT (SELECT count(*) FROM memory), (SELECT count(*) FROM cue), (SELECT count(*) FROM edge),
                   (SELECT count(DISTINCT scope) FROM memory)
            """).first else { return (0, 0, 0, 0) }
        let (memories, cues, edges, scopes) = try row.decode((Int, Int, Int, Int).self)
        return (memories, cues, edges, scopes)
    }

    func times(of ids: [MemoryID]) throws -> [MemoryID: Double] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try run("SELECT id, time FROM memory WHERE id = ANY(\(ids))").map { try $0.decode((Int64, Double).self) }) { a, _ in a }
    }

    func neighbourhoods(of ids: [MemoryID]) throws -> [MemoryID: Data] {
        guard !ids.isEmpty else { return [:] }
        let rows = try run("SELECT memory_id, similarities FROM neighbourhood WHERE memory_id = ANY(\(ids))")
        return Dictionary(try rows.map { try $0.decode((Int64, Data).self) }) { a, _ in a }
    }

    func forEachCue(inScope scope: String, _ body: (Int, MemoryID, Int, Data) throws -> Void) throws {
        for row in try run("""
            SELECT cue.id, cue.memory_id, cue.kind, cue.embedding FROM cue JOIN memory ON memory.id = cue.memory_id
            WHERE memory.scope = \(scope) ORDER BY cue.id
            """) {
            let (cue, memory, kind, embedding) = try row.decode((Int, Int64, Int, Data).self)
            try body(cue, memory, kind, embedding)
        }
    }

    func cueCount(inScope scope: String, excludingKind kind: Int) throws -> Int {
        try run("""
            SELECT count(*) FROM cue JOIN memory ON memory.id = cue.memory_id WHERE memory.scope = \(scope) AND cue.kind != \(kind)
            """).first.map { try $0.decode(Int.self) } ?? 0
    }

    func forEachText(inScope scope: String, _ body: (MemoryID, String, String?) throws -> Void) throws {
        for row in try run("SELECT id, text, session FROM memory WHERE scope = \(scope)") {
            let (id, text, session) = try row.decode((Int64, String, String?).self)
            try body(id, text, session)
        }
    }

    func forEachEdge(inScope scope: String, _ body: (EdgeRow) throws -> Void) throws {
        for row in try run("""
            SELECT edge.source_id, edge.target_id, edge.kind, edge.weight, a.time, b.time FROM edge
            JOIN memory a ON a.id = edge.source_id JOIN memory b ON b.id = edge.target_id WHERE a.scope = \(scope)
            """) {
            let (source, target, kind, weight, sourceTime, targetTime) = try row.decode((Int64, Int64, Int, Double, Double, Double).self)
            try body(EdgeRow(source: source, target: target, kind: kind, weight: weight, sourceTime: sourceTime, targetTime: targetTime))
        }
    }

    func forEachNeighbourhood(inScope scope: String, _ body: (MemoryID, Data) throws -> Void) throws {
        for row in try run("""
            SELECT memory_id, similarities FROM neighbourhood JOIN memory ON memory.id = neighbourhood.memory_id
            WHERE memory.scope = \(scope)
            """) {
            let (memory, similarities) = try row.decode((Int64, Data).self)
            try body(memory, similarities)
        }
    }

    func forEachEntity(inScope scope: String, _ body: (MemoryID, String) throws -> Void) throws {
        for row in try run("""
            SELECT memory_id, name FROM entity JOIN memory ON memory.id = entity.memory_id
            WHERE memory.scope = \(scope) ORDER BY memory_id
            """) {
            let (memory, name) = try row.decode((Int64, String).self)
            try body(memory, name)
        }
    }

    func forEachCode(inScope scope: String, cueKind kind: Int, _ body: (MemoryID, Data) throws -> Void) throws {
        for row in try run("""
            SELECT memory.id, code.units FROM code JOIN cue ON cue.id = code.cue_id
            JOIN memory ON memory.id = cue.memory_id WHERE memory.scope = \(scope) AND cue.kind = \(kind)
            """) {
            let (memory, units) = try row.decode((Int64, Data).self)
            try body(memory, units)
        }
    }

    func changes(inScope scope: String, after revision: Int64) throws -> Set<MemoryID>? {
        let rows = try run("""
            SELECT memory_id, min(revision) OVER () FROM scope_change WHERE scope = \(scope) AND revision > \(revision)
            """).map { try $0.decode((Int64, Int64).self) }
        guard let oldest = rows.first?.1 else { return [] }
        // The log is contiguous from its oldest kept revision: it reaches back if that is revision + 1.
        guard oldest == revision + 1 else { return nil }
        return Set(rows.map(\.0))
    }

    func cues(of memories: [MemoryID]) throws -> [(cue: Int, memory: MemoryID, kind: Int, embedding: Data)] {
        guard !memories.isEmpty else { return [] }
        return try run("SELECT id, memory_id, kind, embedding FROM cue WHERE memory_id = ANY(\(memories)) ORDER BY id").map {
            let (cue, memory, kind, embedding) = try $0.decode((Int, Int64, Int, Data).self)
            return (cue, memory, kind, embedding)
        }
    }

    func entities(of memories: [MemoryID]) throws -> [(memory: MemoryID, name: String)] {
        guard !memories.isEmpty else { return [] }
        return try run("SELECT memory_id, name FROM entity WHERE memory_id = ANY(\(memories))").map {
            let (memory, name) = try $0.decode((Int64, String).self)
            return (memory, name)
        }
    }

    func edges(touching memories: [MemoryID]) throws -> [EdgeRow] {
        guard !memories.isEmpty else { return [] }
        return try run(PostgresQuery(unsafeSQL: """
            SELECT edge.source_id, edge.target_id, edge.kind, edge.weight, a.time, b.time FROM edge
            JOIN memory a ON a.id = edge.source_id JOIN memory b ON b.id = edge.target_id
            WHERE edge.source_id = ANY($1) OR edge.target_id = ANY($1)
            """, binds: binds(memories))).map {
            let (source, target, kind, weight, sourceTime, targetTime) = try $0.decode((Int64, Int64, Int, Double, Double, Double).self)
            return EdgeRow(source: source, target: target, kind: kind, weight: weight, sourceTime: sourceTime, targetTime: targetTime)
        }
    }

    func snapshot(ofScope scope: String) throws -> (revision: Int64, data: Data)? {
        try run("SELECT revision, data FROM scope_snapshot WHERE scope = \(scope)").first.map {
            let (revision, data) = try $0.decode((Int64, Data).self)
            return (revision, data)
        }
    }

    // MARK: - Writing

    func insertStoreInfo(_ key: String, _ value: String) throws {
        try run("INSERT INTO store_info (key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO NOTHING")
    }

    func insertMemory(_ row: MemoryRow) throws -> MemoryID {
        guard let id = try run("""
            INSERT INTO memory (scope, session, text, metadata, time, created_at, updated_at)
            VALUES (\(row.scope), \(row.session), \(row.text), \(row.metadataJSON), \(row.time), \(row.createdAt), \(row.updatedAt))
            RETURNING id
            """).first else { throw PostgresBackend.missingResult("INSERT INTO memory") }
        return try id.decode(Int64.self)
    }

    func updateMemory(_ id: MemoryID, text: String, metadataJSON: String, time: Double, updatedAt: Double) throws {
        try run("DELETE FROM scope_snapshot WHERE scope = (SELECT scope FROM memory WHERE id = \(id))")
        try run("""
            UPDATE memory SET text = \(text), metadata = \(metadataJSON), time = \(time), updated_at = \(updatedAt) WHERE id = \(id)
            """)
    }

    func insertCue(memory: MemoryID, kind: Int, embedding: Data, code: Data?) throws -> Int {
        guard let row = try run("""
            INSERT INTO cue (memory_id, kind, embedding) VALUES (\(memory), \(kind), \(embedding)) RETURNING id
            """).first else { throw PostgresBackend.missingResult("INSERT INTO cue") }
        let cue = try row.decode(Int.self)
        if let code { try run("INSERT INTO code (cue_id, units) VALUES (\(cue), \(code))") }
        return cue
    }

    func insertEntity(memory: MemoryID, name: String) throws {
        try run("INSERT INTO entity (memory_id, name) VALUES (\(memory), \(name)) ON CONFLICT DO NOTHING")
    }

    func insertEdge(source: MemoryID, target: MemoryID, kind: Int, weight: Double) throws {
        try run("""
            INSERT INTO edge (source_id, target_id, kind, weight) VALUES (\(source), \(target), \(kind), \(weight)) ON CONFLICT DO NOTHING
            """)
    }

    func strengthenEdge(source: MemoryID, target: MemoryID, kind: Int, by amount: Double, limit: Double) throws -> Double {
        try run("""
            INSERT INTO edge (source_id, target_id, kind, weight) VALUES (\(source), \(target), \(kind), \(amount))
            ON CONFLICT (source_id, target_id, kind) DO UPDATE SET weight = least(\(limit), edge.weight + \(amount))
            RETURNING weight
            """).first.map { try $0.decode(Double.self) } ?? amount
    }

    func sessionNeighbours(of id: MemoryID, scope: String, session: String, time: Double) throws -> [MemoryID] {
        var bindings = PostgresBindings()
        bindings.append(scope)
        bindings.append(session)
        bindings.append(id)
        bindings.append(time)
        return try run(PostgresQuery(unsafeSQL: """
            (SELECT id FROM memory WHERE scope = $1 AND session = $2 AND id != $3
               AND (time < $4 OR (time = $4 AND id < $3)) ORDER BY time DESC, id DESC LIMIT 1)
            UNION ALL
            (SELECT id FROM memory WHERE scope = $1 AND session = $2 AND id != $3
               AND (time > $4 OR (time = $4 AND id > $3)) ORDER BY time, id LIMIT 1)
            """, binds: bindings)).map { try $0.decode(Int64.self) }
    }

    /// One multi-row statement per 500 rows: each statement is a round trip to the server.
    func setNeighbourhoods(_ given: [(memory: MemoryID, similarities: Data)]) throws {
        // One row per memory (the last given): ON CONFLICT may not touch a row twice.
        var last: [MemoryID: Int] = [:]
        for (i, row) in given.enumerated() { last[row.memory] = i }
        let rows = given.indices.filter { last[given[$0].memory] == $0 }.map { given[$0] }
        for start in stride(from: 0, to: rows.count, by: 500) {
            let chunk = rows[start ..< min(start + 500, rows.count)]
            var bindings = PostgresBindings()
            var values: [String] = []
            for row in chunk {
                bindings.append(row.memory)
                try bindings.append(row.similarities)
                values.append("($\(bindings.count - 1), $\(bindings.count))")
            }
            try run(PostgresQuery(unsafeSQL: """
                INSERT INTO neighbourhood (memory_id, similarities) VALUES \(values.joined(separator: ", "))
                ON CONFLICT (memory_id) DO UPDATE SET similarities = excluded.similarities
                """, binds: bindings))
        }
    }

    func deleteCuesAndEntities(of memory: MemoryID) throws {
        try run("DELETE FROM cue WHERE memory_id = \(memory)")
        try run("DELETE FROM entity WHERE memory_id = \(memory)")
    }

    func deleteMemory(_ id: MemoryID) throws -> (scope: String, text: String)? {
        guard let row = try run("DELETE FROM memory WHERE id = \(id) RETURNING scope, text").first else { return nil }
        let (scope, text) = try row.decode((String, String).self)
        try run("DELETE FROM scope_snapshot WHERE scope = \(scope)")
        return (scope, text)
    }

    func deleteScope(_ scope: String) throws -> Int {
        let count = try run("WITH deleted AS (DELETE FROM memory WHERE scope = \(scope) RETURNING 1) SELECT count(*) FROM deleted")
            .first.map { try $0.decode(Int.self) } ?? 0
        try run("DELETE FROM scope_snapshot WHERE scope = \(scope)")
        return count
    }

    func saveSnapshot(ofScope scope: String, revision: Int64, data: Data) throws {
        try run("""
            INSERT INTO scope_snapshot (scope, revision, data) VALUES (\(scope), \(revision), \(data))
            ON CONFLICT (scope) DO UPDATE SET revision = excluded.revision, data = excluded.data
            """)
    }

    func bumpRevision(ofScope scope: String, changed: Set<MemoryID>) throws -> Int64 {
        let revision = try run("""
            INSERT INTO scope_revision (scope, revision) VALUES (\(scope), 1)
            ON CONFLICT (scope) DO UPDATE SET revision = scope_revision.revision + 1 RETURNING revision
            """).first.map { try $0.decode(Int64.self) } ?? 1
        let memories = changed.isEmpty ? [wholeScopeChanged] : Array(changed)
        try run("""
            INSERT INTO scope_change (scope, revision, memory_id) SELECT \(scope), \(revision), unnest(\(memories)) ON CONFLICT DO NOTHING
            """)
        try run("DELETE FROM scope_change WHERE scope = \(scope) AND revision <= \(revision - changeLogLength)")
        return revision
    }
}
