import Foundation
import Testing
@testable import EngramText

/// The token ids of `Resources/minilm-golden.json` (produced by Hugging Face's `BertTokenizerFast`
/// for all-MiniLM-L6-v2, truncated to 256) from the real `vocab.txt`.
@Suite("WordPiece tokenizer against BertTokenizerFast")
struct TokenizerGoldenTests {
    /// Just the texts and ids of the fixture.
    static func tokenizer() async throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabularyFile: try await TestModel.directory().appendingPathComponent("vocab.txt"))
    }

    @Test("the real vocabulary loads with BERT's special ids")
    func realVocabulary() async throws {
        let tokenizer = try await Self.tokenizer()
        #expect(tokenizer.vocabularySize == 30_522)
        #expect(tokenizer.padID == 0)
        #expect(tokenizer.unkID == 100)
        #expect(tokenizer.clsID == 101)
        #expect(tokenizer.sepID == 102)
    }

    @Test("every fixture case gives exactly the fixture's ids")
    func fixtureIDs() async throws {
        let tokenizer = try await Self.tokenizer()
        let cases = MiniLMGolden.shared.cases
        #expect(cases.count >= 60)
        var matched = 0
        for golden in cases {
            let ids = tokenizer.encode(golden.text)
            #expect(ids == golden.token_ids, "\(golden.text.prefix(60).debugDescription)")
            if ids == golden.token_ids { matched += 1 }
        }
        #expect(matched == cases.count)
    }

    @Test("tokenize gives the fixture's pieces without [CLS] and [SEP]")
    func fixturePieces() async throws {
        let tokenizer = try await Self.tokenizer()
        #expect(tokenizer.tokenize("Missing index on users table caused slowdown")
            == ["missing", "index", "on", "users", "table", "caused", "slow", "##down"])
        #expect(tokenizer.tokenize("naïve café résumé — Ångström über straße")
            == ["naive", "cafe", "resume", "—", "ang", "##strom", "uber", "st", "##raße"])
        #expect(tokenizer.tokenize("[CLS] [SEP] tokens") == ["[CLS]", "[SEP]", "token", "##s"])
    }

    @Test("cases where the fast and the Python tokenizer differ follow the fast one")
    func fastTokenizerQuirks() async throws {
        let tokenizer = try await Self.tokenizer()
        // A final capital sigma lower-cases to σ, not ς (no context-sensitive casing).
        #expect(tokenizer.tokenize("ΟΔΟΣ") == tokenizer.tokenize("οδοσ"))
        // An unassigned code point is kept (and unknown), not dropped.
        #expect(tokenizer.tokenize("a\u{378}b") == ["[UNK]"])
        // CJK extension E before U+2B920 is not split off.
        #expect(tokenizer.tokenize("a\u{2B820}b") == ["[UNK]"])
        #expect(tokenizer.tokenize("a\u{2B920}b") == ["a", "[UNK]", "b"])
        // Marks and punctuation newer than tokenizers' Unicode tables are ordinary letters.
        #expect(tokenizer.tokenize("a\u{8D3}b") == ["[UNK]"])
        #expect(tokenizer.tokenize("a\u{2E43}b") == ["[UNK]"])
        // A private-use character is dropped.
        #expect(tokenizer.tokenize("a\u{E000}b") == ["ab"])
    }
}
