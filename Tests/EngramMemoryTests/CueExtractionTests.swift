import Foundation
import Testing
@testable import EngramMemory

@Suite("Cue extraction: clauses")
struct CueExtractionTests {
    @Test func shortTextsSplitIntoClausesOfThreeWordsOrMore() {
        #expect(CueExtraction.clauses(of: "Lea looks after Biscuit, our beagle, whenever we travel.")
                == ["Lea looks after Biscuit,", "our beagle, whenever we travel."])
        #expect(CueExtraction.clauses(of: "Caroline: I went hiking. It was great fun!")
                == ["Caroline: I went hiking.", "Caroline: It was great fun!"])
        // A piece too short to stand alone joins the next one; at the end, the one before.
        #expect(CueExtraction.clauses(of: "We moved the meeting to Friday; sadly, too late.")
                == ["We moved the meeting to Friday;", "sadly, too late."])
        #expect(CueExtraction.clauses(of: "We ate at the Thai place, and then walked home, finally.")
                == ["We ate at the Thai place,", "and then walked home, finally."])
        #expect(CueExtraction.clauses(of: "The deposit was £12,000 in total.").isEmpty)
        #expect(CueExtraction.clauses(of: "One clause only").isEmpty)
        let long = (0..<70).map { "word\($0)," }.joined(separator: " ")
        #expect(CueExtraction.clauses(of: long).isEmpty)   // long texts get passages instead
    }

    @Test func clauseCuesAreStoredScoredAndForgotten() throws {
        let store = try MemoryStore(inMemoryWith: HashingEmbedder())
        let id = try store.remember("Lea looks after Biscuit, our beagle, whenever we travel.", scope: "u").id
        try store.remember("Priya plays the cello in an orchestra", scope: "u")
        let clauses: Int = try store.sqliteDatabase.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cue WHERE memory_id = ? AND kind = 2", arguments: [id]) ?? 0
        }
        #expect(clauses == 2)
        #expect(try store.recall("whenever we travel", scope: "u", k: 1).first?.memory.id == id)
        try store.forget(id)
        let left: Int = try store.sqliteDatabase.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cue WHERE kind = 2") ?? 0 }
        #expect(left == 0)
    }
}
