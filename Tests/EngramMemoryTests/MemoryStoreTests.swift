import Foundation
import Testing
@testable import EngramMemory

@Suite("MemoryStore: remember, recall, update, forget, scopes")
struct MemoryStoreTests {
    let embedder = HashingEmbedder()

    @Test(arguments: TestBackend.allCases) func remembersAndRecallsAMemory(_ backend: TestBackend) throws {
        let store = try backend.makeStore(embedder)
        let id = try store.remember("Caroline went hiking in the Alps", scope: "alice", metadata: ["source": "chat"]).id
        try store.remember("Bob repaired the kitchen sink", scope: "alice")
        let hits = try store.recall("hiking Alps", scope: "alice", k: 1)
        #expect(hits.first?.memory.id == id)
        #expect(hits.first?.memory.metadata == ["source": "chat"])
        #expect(hits.first?.foundBy.contains(.dense) == true)
        #expect(try store.get(id).text == "Caroline went hiking in the Alps")
    }

    @Test(arguments: TestBackend.allCases) func scopesArePartitions(_ backend: TestBackend) throws {
        let store = try backend.makeStore(embedder)
        let a = try store.remember("the launch code is blue falcon", scope: "alice").id
        let b = try store.remember("the launch code is red falcon", scope: "bob").id
        let fromBob = try store.recall("launch code falcon", scope: "bob", k: 10)
        #expect(fromBob.map(\.memory.id) == [b])
        #expect(try store.recall("launch code falcon", scope: "alice", k: 10).map(\.memory.id) == [a])
        #expect(try store.recall("launch code", scope: "carol", k: 10).isEmpty)
        #expect(try store.list(scope: "alice").map(\.id) == [a])
    }

    @Test(arguments: TestBackend.allCases) func forgetLeavesNothingBehind(_ backend: TestBackend) throws {
        let store = try backend.makeStore(embedder)
        let first = try store.remember("Maya adopted a cat called Pixel", scope: "s", session: "home").id
        let second = try store.remember("Pixel hides under the sofa", scope: "s", session: "home").id
        let third = try store.remember("Lena feeds Pixel when Maya travels", scope: "s", session: "home").id
        #expect(try store.statistics().edges == 2)
        _ = try store.recall("Pixel", scope: "s", k: 3)   // loads the scope's index
        try store.forget(second)

        // Every row derived from it is gone, through the back end's own queries.
        let counts: [String: Int] = try store.backend.read { reader in
            var counts = ["memory": try reader.countExisting([second]), "cue": 0, "code": 0, "edge": 0, "entity": 0, "neighbourhood": 0]
            try reader.forEachCue(inScope: "s") { _, memory, _, _ in if memory == second { counts["cue"]! += 1 } }
            try reader.forEachCode(inScope: "s", cueKind: CueKind.whole.rawValue) { memory, _ in if memory == second { counts["code"]! += 1 } }
            try reader.forEachEdge(inScope: "s") { edge in if [edge.source, edge.target].contains(second) { counts["edge"]! += 1 } }
            try reader.forEachEntity(inScope: "s") { memory, _ in if memory == second { counts["entity"]! += 1 } }
            counts["neighbourhood"] = try reader.neighbourhoods(of: [second]).count
            counts["fts"] = try reader.list(MemoryFilter(words: ["sofa"]), after: 0, limit: 10).count
            #expect(try reader.counts().cues == 2 && reader.counts().memories == 2)
            return counts
        }
        #expect(counts == ["memory": 0, "cue": 0, "code": 0, "edge": 0, "entity": 0, "neighbourhood": 0, "fts": 0])
        let hits = try store.recall("Pixel hides under the sofa", scope: "s", k: 10)
        #expect(!hits.map(\.memory.id).contains(second))
        #expect(Set(hits.map(\.memory.id)) == [first, third])
        #expect(throws: MemoryError.unknownID(second)) { try store.get(second) }
        #expect(throws: MemoryError.unknownID(second)) { try store.forget(second) }
        // Ids are never reused.
        #expect(try store.remember("a new memory about gardening", scope: "s").id > third)
    }

    @Test(arguments: TestBackend.allCases) func nearDuplicatesAreReportedNotStored(_ backend: TestBackend) throws {
        let store = try backend.makeStore(embedder)
        let id = try store.remember("I moved to Lisbon in March", scope: "u").id
        let outcome = try store.remember("i moved to lisbon in march!", scope: "u")
        guard case let .duplicate(existing, similarity) = outcome else {
            Issue.record("expected a duplicate, got \(outcome)")
            return
        }
        #expect(existing == id && similarity >= 0.97)
        // Another scope is another partition: stored there.
        guard case .stored = try store.remember("I moved to Lisbon in March", scope: "v") else {
            Issue.record("a duplicate across scopes must be stored")
            return
        }
        // Within one batch, the second copy points at the first.
        let batch = try store.remember([NewMemory(text: "tea at five", scope: "w"), NewMemory(text: "Tea at five.", scope: "w")])
        guard case let .stored(firstID) = batch[0], case .duplicate(of: firstID, _) = batch[1] else {
            Issue.record("unexpected batch outcomes \(batch)")
            return
        }
        var configuration = MemoryStore.Configuration()
        configuration.duplicateThreshold = nil
        let keeping = try backend.makeStore(embedder, configuration: configuration)
        try keeping.remember("same text", scope: "u")
        #expect(try keeping.remember("same text", scope: "u") != .duplicate(of: 1, similarity: 1))
        #expect(try keeping.statistics().memories == 2)
    }

    @Test(arguments: TestBackend.allCases) func updateReEncodesAndKeepsTheID(_ backend: TestBackend) throws {
        let store = try backend.makeStore(embedder)
        let id = try store.remember("the meeting is on Monday", scope: "u").id
        try store.remember("lunch with Sam on Friday", scope: "u")
        try store.update(id, text: "the meeting moved to Thursday")
        #expect(try store.get(id).text == "the meeting moved to Thursday")
        #expect(try store.recall("Thursday meeting", scope: "u", k: 1).first?.memory.id == id)
        let mondayHits = try store.list(matching: "monday").count
        #expect(try store.list(matching: "thursday").map(\.id) == [id])
        #expect(mondayHits == 0)
        #expect(throws: MemoryError.unknownID(999)) { try store.update(999, text: "x") }
        #expect(throws: MemoryError.emptyText) { try store.update(id, text: "  ") }
        #expect(try store.get(id).text == "the meeting moved to Thursday")
    }

    @Test(arguments: TestBackend.allCases) func badInputIsRefusedAndChangesNothing(_ backend: TestBackend) throws {
        let store = try backend.makeStore(embedder)
        try store.remember("kept", scope: "u")
        #expect(throws: MemoryError.emptyText) { try store.remember("", scope: "u") }
        #expect(throws: MemoryError.emptyText) { try store.remember(" \n\t\u{2003}\u{85}", scope: "u") }
        #expect(throws: MemoryError.invalidArgument(name: "text", requirement: "must not contain NUL characters (U+0000)")) {
            try store.remember("cut\u{0}short", scope: "u")
        }
        #expect(throws: MemoryError.self) { try store.remember("x", scope: String(repeating: "é", count: 257)) }
        try store.remember(" \u{301}", scope: String(repeating: "é", count: 256))
        let long = String(repeating: "a", count: MemoryStore.maximumTextBytes + 1)
        #expect(throws: MemoryError.textTooLong(bytes: MemoryStore.maximumTextBytes + 1, limit: MemoryStore.maximumTextBytes)) {
            try store.remember(long, scope: "u")
        }
        #expect(throws: MemoryError.self) { try store.remember("x", scope: "") }
        #expect(throws: MemoryError.self) { try store.remember("x", scope: "bad\u{0}scope") }
        #expect(throws: MemoryError.self) { try store.recall("", scope: "u", k: 1) }
        #expect(throws: MemoryError.self) { try store.recall("x", scope: "u", k: 0) }
        #expect(throws: MemoryError.unknownID(42)) { try store.chain(from: 42, hops: 2) }
        // A batch with one bad item stores none of it.
        #expect(throws: MemoryError.emptyText) {
            try store.remember([NewMemory(text: "fine", scope: "u"), NewMemory(text: "", scope: "u")])
        }
        #expect(try store.statistics().memories == 2)
    }

    @Test(arguments: TestBackend.allCases) func filtersRestrictRecall(_ backend: TestBackend) throws {
        let store = try backend.makeStore(embedder)
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        let early = try store.remember("garden tomatoes ripened", scope: "u", session: "a", metadata: ["kind": "note"], time: t0).id
        let late = try store.remember("garden tomatoes eaten", scope: "u", session: "b", metadata: ["kind": "log"],
                                      time: t0.addingTimeInterval(86_400)).id
        var options = RecallOptions(k: 5)
        options.session = "b"
        #expect(try store.recall("garden tomatoes", scope: "u", options: options).map(\.memory.id) == [late])
        options = RecallOptions(k: 5)
        options.metadata = ["kind": "note"]
        #expect(try store.recall("garden tomatoes", scope: "u", options: options).map(\.memory.id) == [early])
        options = RecallOptions(k: 5)
        options.before = t0.addingTimeInterval(10)
        #expect(try store.recall("garden tomatoes", scope: "u", options: options).map(\.memory.id) == [early])
    }

    @Test(arguments: TestBackend.allCases) func everyStageCanBeSwitchedOff(_ backend: TestBackend) throws {
        let store = try backend.makeStore(embedder)
        for i in 0..<30 { try store.remember("memory number \(i) about topic \(i % 5)", scope: "u", session: "s") }
        for stages in [RecallStages.all, [.dense], [.lexical], [.dense, .hopfield], [.lexical, .association]] {
            var options = RecallOptions(k: 5)
            options.stages = stages
            let hits = try store.recall("topic 3", scope: "u", options: options)
            #expect(hits.count == 5)
            #expect(hits.allSatisfy { stages.isSuperset(of: $0.foundBy) && !$0.foundBy.isEmpty })
        }
        var none = RecallOptions(k: 5)
        none.stages = [.hopfield, .association]
        #expect(throws: MemoryError.self) { try store.recall("topic", scope: "u", options: none) }
    }

    @Test(arguments: TestBackend.allCases) func sessionContextLiftsTheBestMatchingEpisode(_ backend: TestBackend) throws {
        let store = try backend.makeStore(embedder)
        let best = try store.remember("kayak river rapids trip", scope: "u", session: "june").id
        let sameSession = try store.remember("kayak paddles rented", scope: "u", session: "june").id
        let otherSession = try store.remember("kayak paddles sold", scope: "u", session: "may").id
        for i in 0..<6 { try store.remember("unrelated filler \(i)", scope: "u", session: "x\(i)") }
        var options = RecallOptions(k: 3)
        options.stages = [.dense, .association]
        options.spreading = 0
        options.sessionContext = 0
        let flat = try store.recall("kayak river rapids paddles", scope: "u", options: options)
        options.sessionContext = 0.5
        let reinstated = try store.recall("kayak river rapids paddles", scope: "u", options: options)
        #expect(flat.first?.memory.id == best && reinstated.first?.memory.id == best)
        let gap = { (hits: [RecallHit]) -> Double in
            let same = hits.first { $0.memory.id == sameSession }?.score ?? 0
            let other = hits.first { $0.memory.id == otherSession }?.score ?? 0
            return same - other
        }
        #expect(gap(reinstated) > gap(flat))
    }

    @Test(arguments: TestBackend.allCases) func chainsFollowSessionOrder(_ backend: TestBackend) throws {
        let store = try backend.makeStore(embedder)
        let base = Date(timeIntervalSince1970: 1_000_000)
        let texts = ["packed the tent", "drove to the lake", "caught a trout", "cooked it on the fire", "slept under stars"]
        var ids: [MemoryID] = []
        for (i, text) in texts.enumerated() {
            ids.append(try store.remember(text, scope: "trip", session: "day1", time: base.addingTimeInterval(Double(i) * 60)).id)
        }
        try store.remember("an unrelated note about taxes", scope: "trip", session: "admin")
        let path = try store.chain(from: ids[0], hops: 4)
        #expect(path.map(\.memory.id) == ids)
        #expect(path.dropFirst().allSatisfy { $0.strength > 0.5 })
        let fromCue = try store.chain(fromCue: "trout", scope: "trip", hops: 2)
        #expect(fromCue.map(\.memory.id) == Array(ids[2...4]))
    }

    @Test(arguments: TestBackend.allCases) func longTextsGetPassageCues(_ backend: TestBackend) throws {
        let store = try backend.makeStore(embedder)
        let filler = (0..<12).map { "Sentence \($0) talks about ordinary weather and nothing else." }.joined(separator: " ")
        let id = try store.remember(filler + " The spare key is hidden under the blue flowerpot.", scope: "u").id
        try store.remember("the weather was ordinary", scope: "u")
        #expect(try store.statistics().cues > 3)
        #expect(try store.recall("where is the spare key hidden", scope: "u", k: 1).first?.memory.id == id)
    }
}
