import Foundation
import Testing
@testable import EngramMemory

/// Knowledge updates: a later memory close to an earlier one of its scope supersedes it; recall
/// ranks the newer first and reports the older as history.
@Suite("Knowledge updates")
struct SupersessionTests {
    let embedder = HashingEmbedder()
    let january = Date(timeIntervalSince1970: 1_704_067_200)
    let june = Date(timeIntervalSince1970: 1_717_200_000)

    /// The hashing embedder puts "Kofi lives in Leeds" and "Kofi lives in Glasgow now" at a
    /// cosine of 3/√20 ≈ 0.67: link above 0.6.
    func store(_ backend: TestBackend) throws -> MemoryStore {
        var configuration = MemoryStore.Configuration()
        configuration.supersessionThreshold = 0.6
        return try backend.makeStore(embedder, configuration: configuration)
    }

    @Test(arguments: TestBackend.allCases) func theNewerFactRanksFirstAndTheOlderSaysItWasSuperseded(_ backend: TestBackend) throws {
        let store = try store(backend)
        let old = try store.remember("Kofi lives in Leeds", scope: "u", time: january).id
        try store.remember("Priya plays the cello", scope: "u", time: january)
        let new = try store.remember("Kofi lives in Glasgow now", scope: "u", time: june).id

        // Without the stage the shorter, older text matches the question better.
        var without = RecallOptions(k: 3)
        without.stages.remove(.supersession)
        #expect(try store.recall("where does Kofi live", scope: "u", options: without).first?.memory.id == old)

        let hits = try store.recall("where does Kofi live", scope: "u", k: 3)
        #expect(hits.map(\.memory.id).prefix(2) == [new, old])
        #expect(hits[0].foundBy.contains(.supersession))
        #expect(hits[0].memory.supersededBy == nil)
        #expect(hits[1].memory.supersededBy == new)
        #expect(try store.get(old).supersededBy == new)
        // The older one stays recallable, just below: it lost exactly the penalty.
        #expect(abs(hits[0].score - hits[1].score - RecallOptions().supersededPenalty) < 1e-9)
    }

    @Test(arguments: TestBackend.allCases) func timeNotInsertionOrderDecidesWhichIsNewer(_ backend: TestBackend) throws {
        let store = try store(backend)
        let new = try store.remember("Kofi lives in Glasgow now", scope: "u", time: june).id
        let old = try store.remember("Kofi lives in Leeds", scope: "u", time: january).id
        #expect(try store.get(old).supersededBy == new)
        #expect(try store.get(new).supersededBy == nil)
        // Within one batch too.
        let batch = try store.remember([
            NewMemory(text: "Ama works at the bakery now", scope: "v", time: june),
            NewMemory(text: "Ama works at the bank", scope: "v", time: january),
        ]).map(\.id)
        #expect(try store.get(batch[1]).supersededBy == batch[0])
    }

    @Test(arguments: TestBackend.allCases) func aQuestionThatMatchesTheOlderMuchBetterStillFindsIt(_ backend: TestBackend) throws {
        let store = try store(backend)
        let old = try store.remember("Kofi lives in Leeds", scope: "u", time: january).id
        let new = try store.remember("Kofi lives in Glasgow now", scope: "u", time: june).id
        // "Leeds" is in the older text only: the evidence tells the versions apart.
        let hits = try store.recall("Leeds", scope: "u", k: 2)
        #expect(hits.map(\.memory.id) == [old, new])
        #expect(hits[0].memory.supersededBy == new)
        #expect(hits[1].foundBy.contains(.supersession) == false)
        // A filter that admits only the older one keeps the newer out.
        var onlyOld = RecallOptions(k: 5)
        onlyOld.before = january
        #expect(try store.recall("where does Kofi live", scope: "u", options: onlyOld).map(\.memory.id) == [old])
    }

    @Test(arguments: TestBackend.allCases) func forgettingTheNewerRestoresTheOlder(_ backend: TestBackend) throws {
        let store = try store(backend)
        let old = try store.remember("Kofi lives in Leeds", scope: "u", time: january).id
        let new = try store.remember("Kofi lives in Glasgow now", scope: "u", time: june).id
        _ = try store.recall("Kofi", scope: "u", k: 2)   // loads the index
        try store.forget(new)
        #expect(try store.get(old).supersededBy == nil)
        #expect(try store.recall("where does Kofi live", scope: "u", k: 1).first?.memory.id == old)
    }

    @Test(arguments: TestBackend.allCases) func linksSurviveReopeningTheStore(_ backend: TestBackend) throws {
        try backend.withReopenableStore { open in
            var configuration = MemoryStore.Configuration()
            configuration.supersessionThreshold = 0.6
            let (old, new): (MemoryID, MemoryID) = try {
                let store = try MemoryStore(backend: try open(), embedder: embedder, configuration: configuration)
                return (try store.remember("Kofi lives in Leeds", scope: "u", time: january).id,
                        try store.remember("Kofi lives in Glasgow now", scope: "u", time: june).id)
            }()
            let reopened = try MemoryStore(backend: try open(), embedder: embedder, configuration: configuration)
            #expect(try reopened.recall("where does Kofi live", scope: "u", k: 2).map(\.memory.id) == [new, old])
        }
    }

    @Test(arguments: TestBackend.allCases) func differentSubjectsAndOtherScopesAreNotLinked(_ backend: TestBackend) throws {
        let store = try store(backend)
        let kofi = try store.remember("Kofi lives in Leeds", scope: "u", time: january).id
        try store.remember("Priya plays the cello", scope: "u", time: june)
        try store.remember("Kofi lives in Glasgow now", scope: "other", time: june)
        #expect(try store.get(kofi).supersededBy == nil)
        var off = MemoryStore.Configuration()
        off.supersessionThreshold = nil
        let unlinked = try backend.makeStore(embedder, configuration: off)
        let old = try unlinked.remember("Kofi lives in Leeds", scope: "u", time: january).id
        try unlinked.remember("Kofi lives in Glasgow now", scope: "u", time: june)
        #expect(try unlinked.get(old).supersededBy == nil)
    }
}
