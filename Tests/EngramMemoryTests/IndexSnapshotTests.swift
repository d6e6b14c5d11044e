@testable import EngramPostgres
import Foundation
import Testing
@testable import EngramMemory

/// Scope index snapshots: a store restored from one recalls exactly as a store that rebuilt its
/// index; one that is behind is brought forward; nothing of a forgotten memory stays in one; a
/// damaged one is rebuilt over, never trusted.
@Suite("Scope index snapshots")
struct IndexSnapshotTests {
    let embedder = HashingEmbedder()

    static var snapshotting: MemoryStore.Configuration {
        var configuration = MemoryStore.Configuration()
        configuration.indexSnapshotMinimum = 1
        return configuration
    }

    static var rebuilding: MemoryStore.Configuration {
        var configuration = MemoryStore.Configuration()
        configuration.indexSnapshotMinimum = nil
        return configuration
    }

    static let words = ["kite", "boat", "harbour", "train", "garden", "Lisbon", "Maya", "cello", "tent", "river", "Friday", "bread",
                        "Oslo", "violin", "Peter", "market"]

    static func sentence(_ i: Int) -> String {
        (0..<6).map { words[($0 * 7 + i * 5 + $0 * i) % words.count] }.joined(separator: " ") + " note \(i)"
    }

    static let queries = ["kite harbour Maya", "cello in Lisbon", "bread at the market on Friday", "Peter's violin", "river boat"]

    /// A scope with sessions, entities, versions, co-recall edges, an update and a forget.
    func fill(_ store: MemoryStore, scope: String = "s", count: Int = 40) throws -> [MemoryID] {
        var ids: [MemoryID] = []
        for i in 0..<count { ids.append(try store.remember(Self.sentence(i), scope: scope, session: "day\(i % 4)").id) }
        try store.remember("Maya moved to Lisbon in May", scope: scope, time: Date(timeIntervalSince1970: 1_000))
        try store.remember("Maya moved to Oslo in June", scope: scope, time: Date(timeIntervalSince1970: 2_000))
        var options = RecallOptions(k: 3)
        options.reinforce = true
        for query in Self.queries { _ = try store.recall(query, scope: scope, options: options) }
        return ids
    }

    func expectSameRecalls(_ a: MemoryStore, _ b: MemoryStore, scope: String = "s") throws {
        for query in Self.queries + ["Maya moved", "note 7"] {
            let x = try a.recall(query, scope: scope, k: 8), y = try b.recall(query, scope: scope, k: 8)
            #expect(x.map(\.memory.id) == y.map(\.memory.id), "\(query)")
            for (p, q) in zip(x, y) { #expect(abs(p.score - q.score) < 1e-9 && p.foundBy == q.foundBy, "\(query)") }
        }
    }

    @Test(arguments: TestBackend.allCases) func aRestoredIndexRecallsAsARebuiltOne(_ backend: TestBackend) throws {
        try backend.withReopenableStore { open in
            let writer = try MemoryStore(backend: try open(), embedder: embedder, configuration: Self.snapshotting)
            _ = try fill(writer)
            _ = try writer.importMemories((0..<5).map { NewMemory(text: Self.sentence(100 + $0), scope: "s") })
            #expect(try writer.backend.read { try $0.snapshot(ofScope: "s") }?.revision == writer.backend.read { try $0.revision(ofScope: "s") })

            let restored = try MemoryStore(backend: try open(), embedder: embedder, configuration: Self.snapshotting)
            let rebuilt = try MemoryStore(backend: try open(), embedder: embedder, configuration: Self.rebuilding)
            try expectSameRecalls(restored, rebuilt)
            #expect(restored.scopeSlots["s"].withLock { ($0.loads, $0.restores, $0.catchUps) } == (0, 1, 0))
            #expect(rebuilt.scopeSlots["s"].withLock { ($0.loads, $0.restores) } == (1, 0))
        }
    }

    @Test(arguments: TestBackend.allCases) func aSnapshotBehindIsBroughtForward(_ backend: TestBackend) throws {
        try backend.withReopenableStore { open in
            let first = try MemoryStore(backend: try open(), embedder: embedder, configuration: Self.snapshotting)
            _ = try fill(first)
            first.saveSnapshots(of: ["s"])
            // Another process that keeps no snapshots writes on.
            let other = try MemoryStore(backend: try open(), embedder: embedder, configuration: Self.rebuilding)
            for i in 200..<206 { try other.remember(Self.sentence(i), scope: "s", session: "day9") }
            let snapshot = try #require(try other.backend.read { try $0.snapshot(ofScope: "s") })
            let revision = try other.backend.read { try $0.revision(ofScope: "s") }
            #expect(snapshot.revision < revision)

            let restored = try MemoryStore(backend: try open(), embedder: embedder, configuration: Self.snapshotting)
            let rebuilt = try MemoryStore(backend: try open(), embedder: embedder, configuration: Self.rebuilding)
            try expectSameRecalls(restored, rebuilt)
            #expect(restored.scopeSlots["s"].withLock { ($0.loads, $0.restores, $0.catchUps) } == (0, 1, 1))
        }
    }

    @Test(arguments: TestBackend.allCases) func forgettingOrUpdatingDeletesTheSnapshot(_ backend: TestBackend) throws {
        try backend.withReopenableStore { open in
            let store = try MemoryStore(backend: try open(), embedder: embedder, configuration: Self.snapshotting)
            func stored(_ scope: String = "s") throws -> Bool { try store.backend.read { try $0.snapshot(ofScope: scope) } != nil }
            let ids = try fill(store)
            _ = try fill(store, scope: "t")
            store.saveSnapshots(of: ["s", "t"])
            #expect(try stored() && stored("t"))
            try store.forget(ids[3])
            #expect(try !stored() && stored("t"))

            store.saveSnapshots(of: ["s"])
            try store.update(ids[4], text: "a wholly new text about tents")
            #expect(try !stored())

            store.saveSnapshots(of: ["s"])
            try store.forget(scope: "s")
            #expect(try !stored() && stored("t"))
            // The index this process holds still answers, without the forgotten memories.
            #expect(try store.recall("kite", scope: "s", k: 5).isEmpty)
        }
    }

    @Test(arguments: TestBackend.allCases) func aDamagedSnapshotIsRebuiltOver(_ backend: TestBackend) throws {
        try backend.withReopenableStore { open in
            let writer = try MemoryStore(backend: try open(), embedder: embedder, configuration: Self.snapshotting)
            _ = try fill(writer)
            let revision = try writer.backend.read { try $0.revision(ofScope: "s") }
            try writer.backend.write(scopes: ["s"]) { try $0.saveSnapshot(ofScope: "s", revision: revision, data: Data("not a snapshot".utf8)) }

            let reader = try MemoryStore(backend: try open(), embedder: embedder, configuration: Self.snapshotting)
            let rebuilt = try MemoryStore(backend: try open(), embedder: embedder, configuration: Self.rebuilding)
            try expectSameRecalls(reader, rebuilt)
            #expect(reader.scopeSlots["s"].withLock { ($0.loads, $0.restores) } == (1, 0))
            // Replaced by a good one.
            let data = try #require(try reader.backend.read { try $0.snapshot(ofScope: "s") }).data
            #expect(throws: Never.self) { try ScopeIndex(snapshot: data, dimension: embedder.dimension) }
        }
    }

    @Test func everyTruncationIsRefused() throws {
        let store = try MemoryStore(inMemoryWith: embedder, configuration: Self.snapshotting)
        _ = try fill(store)
        let data = try store.withScopeIndex("s") { $0.snapshot() }
        #expect(throws: Never.self) { try ScopeIndex(snapshot: data, dimension: embedder.dimension) }
        for cut in Set((0..<60).map { $0 * data.count / 60 } + [data.count - 1]) {
            #expect(throws: SnapshotReader.Malformed.self) { try ScopeIndex(snapshot: data.prefix(cut), dimension: embedder.dimension) }
        }
        #expect(throws: SnapshotReader.Malformed.self) { try ScopeIndex(snapshot: data + Data([0]), dimension: embedder.dimension) }
        #expect(throws: SnapshotReader.Malformed.self) { try ScopeIndex(snapshot: data, dimension: embedder.dimension + 1) }
    }
}
