import Foundation
import Testing
@testable import EngramMemory

@Suite("Lexical index: BM25 and full-text listing")
struct LexicalIndexTests {
    @Test func scoresFollowLuceneBM25() {
        var index = LexicalIndex()
        index.add(1, text: "The cat sat on the mat with another cat")
        index.add(2, text: "A dog sat on a log")
        index.add(3, text: "Birds sing")
        let hits = index.search("cat on a mat", limit: 10)
        #expect(hits.map(\.0) == [1])
        // By hand: N = 3, lengths (stop words removed) 5 ("cat sat mat another cat"), 3, 2; avgdl 10/3.
        let n = 3.0, avgdl = 10.0 / 3, k1 = 1.5, b = 0.75
        func idf(_ df: Double) -> Double { log(1 + (n - df + 0.5) / (df + 0.5)) }
        func term(_ f: Double, _ length: Double) -> Double { f * (k1 + 1) / (f + k1 * (1 - b + b * length / avgdl)) }
        let expected = idf(1) * term(2, 5) + idf(1) * term(1, 5)
        #expect(abs(hits[0].1 - expected) < 1e-12)
        let sat = index.search("sat", limit: 10)
        #expect(Set(sat.map(\.0)) == [1, 2])
        #expect(sat[0].0 == 2)   // the shorter document ranks first for the same term frequency
        index.remove(1, text: "The cat sat on the mat with another cat")
        #expect(index.search("cat", limit: 10).isEmpty)
        #expect(index.search("sat", limit: 10, allowed: [1, 3]).isEmpty)
        #expect(index.documentCount == 2)
        index.add(4, text: "a cat returns")           // reuses the freed slot
        #expect(index.search("cat", limit: 10).map(\.0) == [4])
        #expect(Set(index.search("sat returns", limit: 10).map(\.0)) == [2, 4])
        #expect(index.documentCount == 3)
    }

    @Test func listMatchingSearchesTheFullTextIndex() throws {
        let store = try MemoryStore(inMemoryWith: HashingEmbedder())
        let hiking = try store.remember("We hiked up the ridge at dawn", scope: "u").id
        try store.remember("Dinner was pasta", scope: "u")
        try store.remember("Hiking boots need new laces", scope: "v")
        #expect(try store.list(scope: "u", matching: "hiking").map(\.id) == [hiking])   // Porter stemming
        #expect(try store.list(matching: "hike").count == 2)
        #expect(try store.list(matching: "\"unbalanced AND OR (").isEmpty)
        #expect(throws: MemoryError.self) { try store.list(matching: "  ") }
    }
}

@Suite("Lexical terms")
struct LexicalTermsTests {
    @Test func wordsAreLowerCasedRunsOfLettersAndDigits() {
        #expect(LexicalTerms.words(of: "Caroline's 2nd trip—to ZÜRICH, café! x") == ["caroline", "s", "2nd", "trip", "to", "zürich", "café", "x"])
        #expect(LexicalTerms.words(of: "cafe\u{301} naïve Ωmega 東京 ١٢٣") == ["cafe\u{301}", "naïve", "ωmega", "東京", "١٢٣"])
        #expect(LexicalTerms.terms(of: "What did she do in the Alps?") == ["alps"])
        #expect(LexicalTerms.words(of: "  ").isEmpty)
    }
}

@Suite("Lexical index: coverage of a query")
struct LexicalCoverageTests {
    @Test func coverageIsTheIdfWeightedShareOfTheQueryTerms() {
        var index = LexicalIndex()
        index.add(1, text: "Kofi moved to Glasgow")
        index.add(2, text: "Priya plays the cello")
        index.add(3, text: "Kofi likes cello music, Kofi says")
        let n = 3.0
        func idf(_ df: Double) -> Double { log(1 + (n - df + 0.5) / (df + 0.5)) }
        // Terms: kofi (df 2), take and tram (df 0: counted at the rarest idf), glasgow (df 1).
        let total = idf(2) + idf(0) + idf(0) + idf(1)
        let coverage = index.coverage(of: "Where did Kofi take the tram to Glasgow?", for: [1, 2, 3, 9])
        #expect(coverage.keys.sorted() == [1, 3])
        #expect(abs(coverage[1]! - (idf(2) + idf(1)) / total) < 1e-12)
        // Term frequency does not count: memory 3 names Kofi twice.
        #expect(abs(coverage[3]! - idf(2) / total) < 1e-12)
        #expect(index.coverage(of: "where did they", for: [1, 2, 3]).isEmpty)
        #expect(LexicalIndex().coverage(of: "Kofi", for: [1]).isEmpty)
    }
}
