@testable import EngramPostgres
import Foundation
import GRDB
import Testing
@testable import EngramMemory

/// What the back-end seam promises beyond single-store behaviour: several stores over one back end
/// (processes, servers) see each other's writes scope by scope, and database failures keep their
/// engine's code.
@Suite("Back ends: shared stores, revisions per scope, failures")
struct BackendSeamTests {
    let embedder = HashingEmbedder()

    @Test(arguments: TestBackend.allCases) func aWriteInOneScopeReloadsOnlyThatScope(_ backend: TestBackend) throws {
        try backend.withReopenableStore { open in
            let first = try MemoryStore(backend: try open(), embedder: embedder)
            let second = try MemoryStore(backend: try open(), embedder: embedder)
            try first.remember("alpha scope note about kites", scope: "a")
            try first.remember("beta scope note about boats", scope: "b")
            #expect(try first.recall("kites", scope: "a", k: 5).count == 1)
            #expect(try first.recall("boats", scope: "b", k: 5).count == 1)
            let revisionOfB = first.scopeSlots["b"].withLock { $0.revision }

            let added = try second.remember("another alpha note about kites and wind", scope: "a").id
            // The other store's write is seen on the next recall of its scope…
            #expect(try first.recall("kites wind", scope: "a", k: 5).map(\.memory.id).contains(added))
            // …and the scope it did not touch keeps its loaded index and revision.
            #expect(first.scopeSlots["b"].withLock { $0.index != nil && $0.revision == revisionOfB })
            try second.forget(added)
            #expect(try !first.recall("kites wind", scope: "a", k: 5).map(\.memory.id).contains(added))
            #expect(try first.list(scope: "a").count == 1)
            // Brought forward from the change log each time, never rebuilt.
            #expect(first.scopeSlots["a"].withLock { ($0.loads, $0.catchUps) } == (1, 2))
        }
    }

    @Test(arguments: TestBackend.allCases) func anIndexBroughtForwardRecallsAsOneBuiltAfresh(_ backend: TestBackend) throws {
        try backend.withReopenableStore { open in
            let reader = try MemoryStore(backend: try open(), embedder: embedder)
            let writer = try MemoryStore(backend: try open(), embedder: embedder)
            var random = SystemRandomNumberGenerator()
            let words = ["kite", "boat", "harbour", "train", "garden", "Lisbon", "Maya", "cello", "tent", "river", "Friday", "bread"]
            func sentence() -> String { (0..<5).map { _ in words.randomElement(using: &random)! }.joined(separator: " ") }
            var ids: [MemoryID] = []
            for i in 0..<30 { ids.append(try writer.remember("\(sentence()) note \(i)", scope: "s", session: "day\(i % 3)").id) }
            let queries = (0..<6).map { _ in sentence() }
            for round in 0..<5 {
                _ = try reader.recall(queries[round], scope: "s", k: 5)   // loaded, then brought forward
                for step in 0..<6 {
                    switch (round + step) % 4 {
                    case 0: ids.append(try writer.remember("\(sentence()) later \(round)-\(step)", scope: "s", session: "day\(step % 3)").id)
                    case 1: try writer.update(ids[(round * 7 + step) % ids.count], text: "\(sentence()) revised \(round)-\(step)")
                    case 2:
                        let id = ids.remove(at: (round * 5 + step) % ids.count)
                        try writer.forget(id)
                    default:
                        var options = RecallOptions(k: 3)
                        options.reinforce = true
                        _ = try writer.recall(queries[step], scope: "s", options: options)
                    }
                }
            }
            let fresh = try MemoryStore(backend: try open(), embedder: embedder)
            for query in queries {
                let caught = try reader.recall(query, scope: "s", k: 8), built = try fresh.recall(query, scope: "s", k: 8)
                #expect(caught.map(\.memory.id) == built.map(\.memory.id), "\(query)")
                for (a, b) in zip(caught, built) { #expect(abs(a.score - b.score) < 1e-9 && a.foundBy == b.foundBy) }
            }
            #expect(reader.scopeSlots["s"].withLock { $0.loads == 1 && $0.catchUps >= 4 })
        }
    }

    @Test(arguments: TestBackend.allCases) func twoStoresWritingOneScopeShareNoID(_ backend: TestBackend) throws {
        try backend.withReopenableStore { open in
            // Every text stored (none taken for another's duplicate), so that ids are all there is to compare.
            var configuration = MemoryStore.Configuration()
            configuration.duplicateThreshold = nil
            let stores = try (0..<2).map { _ in try MemoryStore(backend: try open(), embedder: embedder, configuration: configuration) }
            let written = Locked([[MemoryID]]())
            DispatchQueue.concurrentPerform(iterations: 2) { n in
                let ids = (0..<40).compactMap { i in try? stores[n].remember("writer \(n) entry \(i) word\(n)x\(i)", scope: "shared").id }
                written.withLock { $0.append(ids) }
            }
            let ids = written.withLock { $0.flatMap { $0 } }
            #expect(ids.count == 80 && Set(ids).count == 80)
            #expect(Set(try stores[0].list(scope: "shared", limit: 500).map(\.id)) == Set(ids))
            #expect(try stores[1].recall("writer 0 entry 7", scope: "shared", k: 3).first?.memory.text == "writer 0 entry 7 word0x7")
        }
    }

    @Test func sqliteFailuresKeepTheirResultCode() {
        func kind(_ code: ResultCode) -> DatabaseFailure.Kind? {
            guard case let .database(failure) = SQLiteBackend.failure(DatabaseError(resultCode: code, message: "m")) else { return nil }
            #expect(failure.code == "SQLite result code \(code.rawValue)")
            return failure.kind
        }
        #expect(kind(.SQLITE_BUSY) == .busy)
        #expect(kind(.SQLITE_FULL) == .full)
        #expect(kind(.SQLITE_CORRUPT) == .corrupt)
        #expect(kind(.SQLITE_IOERR) == .io)
        #expect(kind(.SQLITE_CONSTRAINT) == .other)
        #expect(DatabaseFailure(kind: .busy, code: "x", message: "y").isTransient)
    }

    @Test func postgresStatesMapToKinds() {
        #expect(PostgresBackend.kind(ofSQLState: "53100") == .full)
        #expect(PostgresBackend.kind(ofSQLState: "40P01") == .busy)
        #expect(PostgresBackend.kind(ofSQLState: "57P01") == .unavailable)
        #expect(PostgresBackend.kind(ofSQLState: "08006") == .unavailable)
        #expect(PostgresBackend.kind(ofSQLState: "23505") == .other)
    }

    @Test func aPostgresURLIsCheckedAndItsPasswordRedacted() throws {
        let location = try PostgresLocation(url: "postgres://ann:s%40cret@db.example:6543/memories?sslmode=require")
        #expect(location.username == "ann" && location.password == "s@cret" && location.host == "db.example" && location.port == 6543)
        #expect(location.database == "memories" && location.tls == .require)
        #expect(location.redacted == "postgres://ann:***@db.example:6543/memories?sslmode=require")
        #expect(try PostgresLocation(url: "postgresql://ann@localhost").database == "ann")
        for bad in ["postgres://", "postgres://db.example/x", "postgres://a:b@h/x?sslmode=maybe", "postgres://a:b@h/x?pool=3"] {
            #expect(throws: MemoryError.self, "\(bad)") { try PostgresLocation(url: bad) }
            do { _ = try PostgresLocation(url: bad) } catch { #expect(!"\(error)".contains(":b@")) }
        }
    }

    @Test func anUnreachableDatabaseSaysSoWithoutThePassword() throws {
        do {
            _ = try PostgresBackend(url: "postgres://engram:\(TestPostgres.password)@127.0.0.1:1/none?sslmode=disable")
            Issue.record("connected to port 1")
        } catch let MemoryError.database(failure) {
            #expect(failure.kind == .unavailable)
            #expect(failure.message.contains("cannot reach PostgreSQL at postgres://engram:***@127.0.0.1:1/none"))
            #expect(!"\(failure)".contains(TestPostgres.password))
        }
    }

    @Test func anotherApplicationsDatabaseIsRefused() throws {
        let url = try TestPostgres.freshDatabaseURL()
        // Another application's database: a `memory` table without Engram's migration records.
        _ = try PostgresBackend(url: url).write(scopes: []) { transaction in
            try (transaction as! PostgresTransaction).run("DROP TABLE engram_migrations")
        }
        #expect(throws: MemoryError.self) { try PostgresBackend(url: url) }
        do { _ = try PostgresBackend(url: url) } catch {
            #expect("\(error)".contains("is not an Engram store") && !"\(error)".contains(TestPostgres.password))
        }
    }
}
