import EngramMemory
import Logging
import PostgresNIO

/// The store's schema in PostgreSQL: the tables of ``SQLiteBackend``'s schema, column for column
/// (ids from identity columns that never reuse a value, embeddings and codes as `bytea` in the
/// same little-endian layouts, times as seconds since 1970), with a generated `tsvector` column
/// and a GIN index for full-text search in place of SQLite's FTS5 table.
///
/// Migrations are named like SQLite's, applied in order inside one transaction, and recorded in
/// `engram_migrations`; a transaction-scoped advisory lock makes servers that start together
/// apply each one once. A shipped migration never changes: add a new one.
enum PostgresSchema {
    /// The advisory lock key of migrations ("Engr").
    static let migrationLock: Int64 = 0x456E_6772

    static let migrations: [(name: String, statements: [String])] = [
        ("v1: memories, cues, codes, edges, entities, full text", [
            "CREATE TABLE store_info (key text PRIMARY KEY, value text NOT NULL)",
            """
            CREATE TABLE memory (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, scope text NOT NULL, session text,
                text text NOT NULL, metadata text NOT NULL, time double precision NOT NULL,
                created_at double precision NOT NULL, updated_at double precision NOT NULL,
                search tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED)
            """,
            "CREATE INDEX memory_by_scope_session_time ON memory (scope, session, time)",
            "CREATE INDEX memory_search ON memory USING gin (search)",
            """
            CREATE TABLE cue (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                memory_id bigint NOT NULL REFERENCES memory ON DELETE CASCADE,
                kind integer NOT NULL, embedding bytea NOT NULL)
            """,
            "CREATE INDEX cue_by_memory ON cue (memory_id)",
            "CREATE TABLE code (cue_id bigint PRIMARY KEY REFERENCES cue ON DELETE CASCADE, units bytea NOT NULL)",
            """
            CREATE TABLE edge (
                source_id bigint NOT NULL REFERENCES memory ON DELETE CASCADE,
                target_id bigint NOT NULL REFERENCES memory ON DELETE CASCADE,
                kind integer NOT NULL, weight double precision NOT NULL, PRIMARY KEY (source_id, target_id, kind))
            """,
            "CREATE INDEX edge_by_target ON edge (target_id)",
            """
            CREATE TABLE entity (
                memory_id bigint NOT NULL REFERENCES memory ON DELETE CASCADE, name text NOT NULL,
                PRIMARY KEY (memory_id, name))
            """,
            "CREATE INDEX entity_by_name ON entity (name)",
            "INSERT INTO store_info (key, value) VALUES ('format_version', '1')",
        ]),
        ("v2: nearest-neighbour similarities", [
            """
            CREATE TABLE neighbourhood (
                memory_id bigint PRIMARY KEY REFERENCES memory ON DELETE CASCADE, similarities bytea NOT NULL)
            """,
        ]),
        ("v3: revisions and change logs per scope", [
            "CREATE TABLE scope_revision (scope text PRIMARY KEY, revision bigint NOT NULL)",
            """
            CREATE TABLE scope_change (
                scope text NOT NULL, revision bigint NOT NULL, memory_id bigint NOT NULL, PRIMARY KEY (scope, revision, memory_id))
            """,
        ]),
        ("v4: scope index snapshots", [
            "CREATE TABLE scope_snapshot (scope text PRIMARY KEY, revision bigint NOT NULL, data bytea NOT NULL)",
        ]),
    ]

    /// Brings the database's schema up to date, refusing a database whose tables are another
    /// application's.
    static func migrate(_ connection: PostgresConnection, location: String, logger: Logger) throws {
        func run(_ query: PostgresQuery) throws -> PostgresQueryResult { try connection.query(query, logger: logger).wait() }
        _ = try run("BEGIN")
        do {
            _ = try run("SELECT pg_advisory_xact_lock(\(migrationLock))")
            let tables = try run("""
                SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()
                """).map { try $0.decode(String.self) }
            if !tables.contains("engram_migrations") && tables.contains("memory") {
                throw MemoryError.notAnEngramStore(
                    path: location, reason: "its schema has a table named memory but no engram_migrations (another application's)")
            }
            _ = try run("CREATE TABLE IF NOT EXISTS engram_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
            let applied = Set(try run("SELECT name FROM engram_migrations").map { try $0.decode(String.self) })
            let known = Set(migrations.map(\.name))
            if let unknown = applied.subtracting(known).sorted().first {
                throw MemoryError.incompatibleStore(
                    path: location, reason: "it has the migration \"\(unknown)\", which this version of Engram does not know (a newer one made it)")
            }
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.statements { _ = try run(PostgresQuery(unsafeSQL: statement)) }
                _ = try run("INSERT INTO engram_migrations (name) VALUES (\(migration.name))")
            }
            _ = try run("COMMIT")
        } catch {
            _ = try? run("ROLLBACK")
            throw error
        }
    }
}
