import Foundation
import GRDB

/// The store's SQLite schema: named migrations that never change once shipped (add a new one
/// instead), and the checks that tell an Engram store from any other file before anything is
/// written to it.
///
/// Tables:
/// - `memory`: one row per memory (`id` AUTOINCREMENT, so a forgotten id is never reused).
/// - `cue`: the cue embeddings of each memory (the whole text, and passages of long texts), as
///   little-endian float32 BLOBs.
/// - `code`: the fly-hash code of each cue, as little-endian UInt16 unit indices.
/// - `edge`: association edges between two memories of a scope (temporal neighbours, co-recall),
///   stored once per unordered pair and kind.
/// - `entity`: the entity names each memory mentions; shared entities associate memories.
/// - `memory_fts`: an FTS5 index over `memory.text`, kept in step by triggers.
/// - `neighbourhood` (v2): for each memory, the whole-text cosines of its nearest memories of the
///   scope (at most ``ScopeIndex/hubNeighbours``, descending, float32 LE BLOB), kept as memories
///   arrive; their mean is the memory's hubness, which recall discounts. A store from before v2
///   has no rows for its older memories: recall treats them as of average hubness.
/// - `store_info`: key/value facts (format version, encoder, fly-hash parameters). Its `revision`
///   key, a store-wide write counter, is what v1 and v2 noticed other processes' writes by.
/// - `scope_revision` (v3): a write counter per scope, incremented by every transaction that
///   changes the scope, so that a write in one scope leaves every other scope's loaded index
///   valid. A scope without a row is at revision 0.
/// - `scope_change` (v3): the memories each of a scope's latest revisions touched (0: all of
///   them), so that a process whose index is a few revisions behind reloads only those.
/// - `scope_snapshot` (v4): a snapshot of each scope's in-memory index (``ScopeIndex/snapshot()``)
///   and the revision it reflects, so that opening a store restores the index in one read.
///   Deleting or updating a memory deletes its scope's snapshot in the same transaction.
///
/// Every child row references its memory `ON DELETE CASCADE`, so deleting the memory row deletes
/// everything derived from it in the same transaction.
enum SQLiteSchema {
    /// `PRAGMA application_id` of an Engram store: "Engr" in ASCII.
    static let applicationID: Int32 = 0x456E_6772
    /// The version of the data layout this code writes and reads.
    static let formatVersion = 1

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: memories, cues, codes, edges, entities, full text") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.create(table: "store_info") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try db.create(table: "memory") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("scope", .text).notNull()
                t.column("session", .text)
                t.column("text", .text).notNull()
                t.column("metadata", .text).notNull()
                t.column("time", .double).notNull()
                t.column("created_at", .double).notNull()
                t.column("updated_at", .double).notNull()
            }
            try db.create(index: "memory_by_scope_session_time", on: "memory", columns: ["scope", "session", "time"])
            try db.create(table: "cue") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("memory_id", .integer).notNull().indexed().references("memory", onDelete: .cascade)
                t.column("kind", .integer).notNull()
                t.column("embedding", .blob).notNull()
            }
            try db.create(table: "code") { t in
                t.primaryKey("cue_id", .integer).references("cue", onDelete: .cascade)
                t.column("units", .blob).notNull()
            }
            try db.create(table: "edge") { t in
                t.column("source_id", .integer).notNull().references("memory", onDelete: .cascade)
                t.column("target_id", .integer).notNull().references("memory", onDelete: .cascade)
                t.column("kind", .integer).notNull()
                t.column("weight", .double).notNull()
                t.primaryKey(["source_id", "target_id", "kind"])
            }
            try db.create(index: "edge_by_target", on: "edge", columns: ["target_id"])
            try db.create(table: "entity") { t in
                t.column("memory_id", .integer).notNull().references("memory", onDelete: .cascade)
                t.column("name", .text).notNull()
                t.primaryKey(["memory_id", "name"])
            }
            try db.create(index: "entity_by_name", on: "entity", columns: ["name"])
            try db.create(virtualTable: "memory_fts", using: FTS5()) { t in
                t.synchronize(withTable: "memory")
                t.tokenizer = .porter(wrapping: .unicode61())
                t.column("text")
            }
            try db.execute(sql: "INSERT INTO store_info (key, value) VALUES ('format_version', ?), ('revision', '0')",
                           arguments: ["\(formatVersion)"])
        }
        migrator.registerMigration("v2: nearest-neighbour similarities") { db in
            try db.create(table: "neighbourhood") { t in
                t.primaryKey("memory_id", .integer).references("memory", onDelete: .cascade)
                t.column("similarities", .blob).notNull()
            }
        }
        migrator.registerMigration("v3: revisions and change logs per scope") { db in
            try db.create(table: "scope_revision") { t in
                t.primaryKey("scope", .text)
                t.column("revision", .integer).notNull()
            }
            try db.create(table: "scope_change") { t in
                t.column("scope", .text).notNull()
                t.column("revision", .integer).notNull()
                t.column("memory_id", .integer).notNull()
                t.primaryKey(["scope", "revision", "memory_id"])
            }
        }
        migrator.registerMigration("v4: scope index snapshots") { db in
            try db.create(table: "scope_snapshot") { t in
                t.primaryKey("scope", .text)
                t.column("revision", .integer).notNull()
                t.column("data", .blob).notNull()
            }
        }
        return migrator
    }

    /// Brings the schema up to date. Two processes opening a new file at once can both find a
    /// migration unapplied (the migrator reads its bookkeeping before it takes the write lock);
    /// the one that loses the race fails on a table the other made, and rolls back. Reading the
    /// bookkeeping again then finds the migration applied.
    static func migrate(_ database: any DatabaseWriter) throws {
        for attempt in 1...3 {
            do {
                return try migrator.migrate(database)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR && attempt < 3 {
                continue
            }
        }
    }

    /// Checks, through a read-only connection that changes nothing, that `path` is an Engram store
    /// this code can open, or an empty/new database that may become one.
    /// - Throws: ``MemoryError/notAnEngramStore(path:reason:)`` or ``MemoryError/incompatibleStore(path:reason:)``.
    static func checkExistingFile(at path: String) throws {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? NSNumber, size.intValue > 0 else { return }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let (applicationID, tables, version, migrations): (Int32, [String], String?, Int)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            (applicationID, tables, version, migrations) = try queue.read { db in
                let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                let version = tables.contains("store_info")
                    ? try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'format_version'") : nil
                let migrations = tables.contains("grdb_migrations")
                    ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations") ?? 0 : 0
                return (id, tables, version, migrations)
            }
            try queue.close()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw MemoryError.notAnEngramStore(path: path, reason: "the file is not an SQLite database")
        } catch let error as DatabaseError {
            throw MemoryError.notAnEngramStore(path: path, reason: "SQLite cannot read it (\(error.message ?? "\(error.resultCode)"))")
        }
        // Empty, or being created by another process at this moment (its migrator has made its
        // bookkeeping table and not yet committed the first migration): the migrator will wait
        // for that process and find the store made.
        if applicationID == 0 && (tables.isEmpty || (tables == ["grdb_migrations"] && migrations == 0)) { return }
        guard applicationID == Self.applicationID else {
            let listed = tables.prefix(5).joined(separator: ", ")
            throw MemoryError.notAnEngramStore(
                path: path, reason: "it is an SQLite database with application_id \(applicationID) and tables \(listed)")
        }
        if let version, let number = Int(version), number > formatVersion {
            throw MemoryError.incompatibleStore(
                path: path, reason: "its format version is \(number); this Engram reads up to \(formatVersion)")
        }
    }
}
