import Foundation
import GRDB

extension MemoryStore {
    /// The memory stored under `id`.
    /// - Throws: ``MemoryError/unknownID(_:)``.
    public func get(_ id: MemoryID) throws -> Memory {
        let memory = try readTransaction { db in try Self.fetchMemories([id], in: db)[id] }
        guard let memory else { throw MemoryError.unknownID(id) }
        return memory
    }

    /// Memories in id order (the order they were stored), a page at a time.
    /// - Parameters:
    ///   - scope: only this scope's memories; `nil` for every scope.
    ///   - matching: only memories whose text contains every one of these words (a full-text
    ///     search through the FTS5 index, with Porter stemming: "hiking" finds "hiked").
    ///   - session: only this session's memories.
    ///   - from, until: only memories whose time is at or after `from` and before `until`.
    ///   - after: only ids greater than this (pass the last id of the previous page).
    ///   - limit: the page size, ≥ 1.
    public func list(
        scope: String? = nil, session: String? = nil, matching: String? = nil,
        from: Date? = nil, until: Date? = nil, after: MemoryID = 0, limit: Int = 100
    ) throws -> [Memory] {
        guard limit >= 1 else { throw MemoryError.invalidArgument(name: "limit", requirement: "must be at least 1, got \(limit)") }
        var conditions = ["id > ?"]
        var arguments: [any DatabaseValueConvertible] = [after]
        if let scope {
            try Self.validateName(scope, as: "scope")
            conditions.append("scope = ?")
            arguments.append(scope)
        }
        if let session {
            try Self.validateName(session, as: "session")
            conditions.append("session = ?")
            arguments.append(session)
        }
        if let from {
            conditions.append("time >= ?")
            arguments.append(from.timeIntervalSince1970)
        }
        if let until {
            conditions.append("time < ?")
            arguments.append(until.timeIntervalSince1970)
        }
        if let matching {
            // Every word quoted, so that the user's text is never read as FTS5 query syntax.
            let words = LexicalTerms.words(of: matching)
            guard !words.isEmpty else {
                throw MemoryError.invalidArgument(name: "matching", requirement: "must contain a word")
            }
            conditions.append("id IN (SELECT rowid FROM memory_fts WHERE memory_fts MATCH ?)")
            arguments.append(words.map { "\"\($0)\"" }.joined(separator: " "))
        }
        arguments.append(limit)
        let sql = "SELECT \(Self.memoryColumns) FROM memory WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?"
        let statementArguments = StatementArguments(arguments.map { $0.databaseValue })
        return try readTransaction { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map(Self.memory(from:))
        }
    }

    /// Every memory, in id order, handed to `body` one page at a time (for export).
    public func forEachMemory(scope: String? = nil, _ body: (Memory) throws -> Void) throws {
        var last: MemoryID = 0
        while true {
            let page = try list(scope: scope, after: last, limit: 500)
            guard let end = page.last else { return }
            try page.forEach(body)
            last = end.id
        }
    }

    /// The scopes that hold memories, with their counts.
    public func scopes() throws -> [(scope: String, memories: Int)] {
        try readTransaction { db in
            try Row.fetchAll(db, sql: "SELECT scope, COUNT(*) FROM memory GROUP BY scope ORDER BY scope")
                .map { (scope: $0[0] as String, memories: $0[1] as Int) }
        }
    }

    /// An estimate of the heap memory held by the in-memory indexes of the scopes loaded so far
    /// (text and metadata stay in SQLite and are not counted), in bytes.
    public func loadedIndexBytes() -> Int {
        state.withLock { state in
            state.scopes.values.reduce(0) { $0 + $1.approximateByteCount }
                + state.chainMemories.values.reduce(0) { $0 + $1.associator.approximateByteCount }
        }
    }

    /// Counts of the store's rows, and the file's size.
    public func statistics() throws -> MemoryStatistics {
        let path = self.path
        return try readTransaction { db in
            func count(_ table: String) throws -> Int { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
            let version = try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'format_version'")
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
            return MemoryStatistics(
                memories: try count("memory"), cues: try count("cue"), edges: try count("edge"),
                scopes: try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT scope) FROM memory") ?? 0,
                formatVersion: version.flatMap(Int.init) ?? 0, fileBytes: size)
        }
    }
}
