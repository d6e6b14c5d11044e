import Foundation
import GRDB
import Testing
@testable import EngramMemory

@Suite("MemoryStore files: persistence, foreign files, concurrency, JSONL transfer")
struct StoreFileTests {
    let embedder = HashingEmbedder()

    @Test func reopeningRebuildsTheIndex() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("nested/memory.sqlite").path
            var ids: [MemoryID] = []
            do {
                let store = try MemoryStore(path: path, embedder: embedder)
                ids.append(try store.remember("the boat is moored at pier seven", scope: "u", session: "s").id)
                ids.append(try store.remember("the car is parked on level two", scope: "u", session: "s").id)
            }
            let reopened = try MemoryStore(path: path, embedder: embedder)
            #expect(try reopened.recall("where is the boat moored", scope: "u", k: 1).first?.memory.id == ids[0])
            #expect(try reopened.statistics() .memories == 2)
            #expect(try reopened.statistics().edges == 1)
            let mode = try reopened.sqliteDatabase.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
            // An encoder of another name or dimension is refused: its embeddings are not comparable.
            struct Other: TextEmbedder {
                var dimension: Int { 8 }
                var embedderName: String { "other" }
                func embed(_ texts: [String]) -> [[Float]] { texts.map { _ in [1, 0, 0, 0, 0, 0, 0, 0] } }
            }
            #expect(throws: MemoryError.self) { try MemoryStore(path: path, embedder: Other()) }
        }
    }

    @Test func foreignFilesAreRefusedAndLeftUntouched() throws {
        try withTemporaryDirectory { directory in
            let notSQLite = directory.appendingPathComponent("notes.sqlite")
            let bytes = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            try bytes.write(to: notSQLite)
            do {
                _ = try MemoryStore(path: notSQLite.path, embedder: embedder)
                Issue.record("a file of random bytes was opened as a store")
            } catch let error as MemoryError {
                guard case .notAnEngramStore = error else { Issue.record("unexpected error \(error)"); return }
                #expect(error.description.contains("not an SQLite database"))
            }
            #expect(try Data(contentsOf: notSQLite) == bytes)

            let foreign = directory.appendingPathComponent("app.sqlite")
            let queue = try DatabaseQueue(path: foreign.path)
            try queue.write { try $0.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)") }
            try queue.close()
            let before = try Data(contentsOf: foreign)
            #expect(throws: MemoryError.self) { try MemoryStore(path: foreign.path, embedder: embedder) }
            #expect(try Data(contentsOf: foreign) == before)
            #expect(!FileManager.default.fileExists(atPath: foreign.path + "-wal"))
        }
    }

    @Test func readersKeepWorkingWhileAnotherConnectionWrites() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("shared.sqlite").path
            var keepAll = MemoryStore.Configuration()
            keepAll.duplicateThreshold = nil   // the hashing embedder's bucket collisions look like duplicates
            let writer = try MemoryStore(path: path, embedder: embedder, configuration: keepAll)
            let reader = try MemoryStore(path: path, embedder: embedder)   // as a second process would
            try writer.remember("seed memory about rivers", scope: "u")
            let total = 120
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for i in 0..<total { try writer.remember("note \(i) about river \(i)", scope: "u") }
                }
                for _ in 0..<2 {
                    group.addTask {
                        for _ in 0..<40 {
                            let hits = try reader.recall("river", scope: "u", k: 5)
                            #expect(!hits.isEmpty)
                        }
                    }
                }
                try await group.waitForAll()
            }
            // The reader notices the other connection's writes and reloads its index.
            let count = try reader.statistics().memories
            #expect(count == total + 1)
            #expect(try reader.recall("note 117 about river 117", scope: "u", k: 1).first?.memory.text == "note 117 about river 117")
            let check = try await reader.sqliteDatabase.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
            #expect(check == "ok")
        }
    }

    @Test(arguments: TestBackend.allCases) func exportThenImportGivesTheSameMemories(_ backend: TestBackend) throws {
        let source = try backend.makeStore(embedder)
        try source.remember("first memory", scope: "a", session: "s1", metadata: ["k": "v", "quote": "say \"hi\""],
                            time: Date(timeIntervalSince1970: 1_700_000_000.25))
        try source.remember("second memory — with ünïcödé and a/slash", scope: "b")
        var lines = ""
        try source.forEachMemory { lines += MemoryTransfer.line(for: $0) }
        let items = try MemoryTransfer.read(Data(lines.utf8))
        let target = try backend.makeStore(embedder)
        #expect(try target.importMemories(items) == MemoryStore.ImportSummary(stored: 2, duplicates: 0))
        let before = try source.list(), after = try target.list()
        #expect(before.count == after.count)
        for (x, y) in zip(before, after) {
            #expect(x.text == y.text && x.scope == y.scope && x.session == y.session && x.metadata == y.metadata)
            #expect(abs(x.time.timeIntervalSince(y.time)) < 0.001)
        }
    }

    @Test func malformedJSONLNamesTheLine() throws {
        func error(_ text: [UInt8]) -> String? {
            do { _ = try MemoryTransfer.read(Data(text)); return nil } catch { return "\(error)" }
        }
        let good = Array(#"{"text": "fine"}"#.utf8) + [10]
        #expect(error(good + Array("not json\n".utf8))?.hasPrefix("line 2: not a JSON object") == true)
        #expect(error(good + [10] + Array(#"{"scope": "u"}"#.utf8))?.hasPrefix("line 3: \"text\" is missing") == true)
        #expect(error(good + Array(#"{"text": 5}"#.utf8))?.contains("line 2") == true)
        #expect(error(good + Array(#"{"text": "x", "time": "yesterday"}"#.utf8))?.contains("ISO 8601") == true)
        #expect(error(good + Array(#"{"text": ""}"#.utf8)) == "line 2: the text is empty")
        #expect(error(good + Array(#"{"text": "x", "metadata": {"n": 1}}"#.utf8))?.contains("line 2") == true)
        #expect(error(good + [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D, 10]) == "line 2: not valid UTF-8")
        #expect(try MemoryTransfer.read(Data(good + [10, 32, 10] + good)).count == 2)
    }
}
