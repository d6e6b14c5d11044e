import Foundation
import Testing
@testable import EngramText

/// The tokenizer's stages on a small hand-made vocabulary, so these run without the model.
@Suite("WordPiece tokenizer edge cases")
struct TokenizerTests {
    /// ids: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4, then the rest in order.
    static let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
        "hello", "world", ",", "!", "$", "[", "]", "-", "'",
        "cafe", "naive", "e", "i", "istanbul", "οδοσ",
        "run", "##ning", "##s", "un", "##believ", "##able",
        "日", "本", "a", "##a", "b", "x", "y",
        "\u{E9}", "e\u{301}",  // canonically equivalent, but different tokens
    ]

    static func tokenizer() throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabulary: vocabulary)
    }

    @Test("special ids and vocabulary size")
    func specialIDs() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.vocabularySize == Self.vocabulary.count)
        #expect((tokenizer.padID, tokenizer.unkID, tokenizer.clsID, tokenizer.sepID) == (0, 1, 2, 3))
    }

    @Test("accents are stripped and text lower-cased")
    func accents() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.tokenize("Café NAÏVE") == ["cafe", "naive"])
        #expect(tokenizer.tokenize("cafe\u{301}") == ["cafe"])  // already decomposed
        #expect(tokenizer.tokenize("É") == ["e"])
        #expect(tokenizer.tokenize("İstanbul") == ["istanbul"])
        #expect(tokenizer.tokenize("ΟΔΟΣ") == ["οδοσ"])  // σ, not a final ς
    }

    @Test("CJK ideographs are words of their own")
    func cjk() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.tokenize("日本") == ["日", "本"])
        #expect(tokenizer.tokenize("a日b") == ["a", "日", "b"])
        // Kana is not an ideograph: it stays in its word.
        #expect(tokenizer.tokenize("日のb") == ["日", "[UNK]"])
    }

    @Test("punctuation, ASCII symbols included, is split off")
    func punctuation() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.tokenize("Hello,world!") == ["hello", ",", "world", "!"])
        #expect(tokenizer.tokenize("$hello$") == ["$", "hello", "$"])
        #expect(tokenizer.tokenize("run-run's") == ["run", "-", "run", "'", "[UNK]"])
    }

    @Test("control and format characters are dropped")
    func controls() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.tokenize("hel\u{7}lo") == ["hello"])
        #expect(tokenizer.tokenize("hel\u{0}lo\u{FFFD}") == ["hello"])
        #expect(tokenizer.tokenize("hel\u{200B}lo\u{FEFF}") == ["hello"])
        #expect(tokenizer.tokenize("hel\u{1B}lo wor\u{AD}ld") == ["hello", "world"])
        #expect(tokenizer.tokenize("hel\u{E000}lo") == ["hello"])  // private use
    }

    @Test("every kind of whitespace separates words")
    func whitespace() throws {
        let tokenizer = try Self.tokenizer()
        for space in ["\u{A0}", "\u{2003}", "\u{3000}", "\u{202F}", "\u{2028}", "\t", "\n", "\r\n", "  "] {
            #expect(tokenizer.tokenize("hello\(space)world") == ["hello", "world"], "\(space.debugDescription)")
        }
        // Vertical tab and form feed are controls: dropped, not spaces.
        #expect(tokenizer.tokenize("hel\u{B}lo") == ["hello"])
    }

    @Test("WordPiece continues with ## pieces, longest match first")
    func continuation() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.tokenize("running runs") == ["run", "##ning", "run", "##s"])
        #expect(tokenizer.tokenize("unbelievable") == ["un", "##believ", "##able"])
        #expect(tokenizer.tokenize("aaa") == ["a", "##a", "##a"])
    }

    @Test("a word that cannot be matched becomes one [UNK]")
    func unmatchedWord() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.tokenize("runz") == ["[UNK]"])
        #expect(tokenizer.tokenize("hello zzz world") == ["hello", "[UNK]", "world"])
        #expect(tokenizer.encode("runz") == [2, 1, 3])
    }

    @Test("a word of more than 100 scalars becomes [UNK]")
    func longWord() throws {
        let tokenizer = try Self.tokenizer()
        let hundred = tokenizer.tokenize(String(repeating: "a", count: 100))
        #expect(hundred.count == 100 && hundred.first == "a" && hundred.dropFirst().allSatisfy { $0 == "##a" })
        #expect(tokenizer.tokenize(String(repeating: "a", count: 101)) == ["[UNK]"])
        // Scalars count after normalisation, not bytes: 100 á (200 scalars decomposed) are a word.
        #expect(tokenizer.tokenize(String(repeating: "á", count: 100)).count == 100)
        #expect(tokenizer.tokenize(String(repeating: "a\u{301}", count: 100)).count == 100)
        #expect(tokenizer.tokenize(String(repeating: "á", count: 101)) == ["[UNK]"])
    }

    @Test("emoji are unknown words, split only at punctuation and spaces")
    func emoji() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.tokenize("hello 🎉") == ["hello", "[UNK]"])
        #expect(tokenizer.tokenize("🎉🚀 👍🏽!") == ["[UNK]", "[UNK]", "!"])
    }

    @Test("special tokens written in the text keep their ids")
    func literalSpecialTokens() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.encode("hello [SEP] world") == [2, 5, 3, 6, 3])
        #expect(tokenizer.tokenize("x[MASK]y[PAD]") == ["x", "[MASK]", "y", "[PAD]"])
        // Matching is exact: lower case or a broken token is ordinary text.
        #expect(tokenizer.tokenize("[sep] [SEP") == ["[", "[UNK]", "]", "[", "[UNK]"])
    }

    @Test("vocabulary tokens compare by scalars, not canonical equivalence")
    func scalarEquality() throws {
        let tokenizer = try Self.tokenizer()
        // Both forms of é are tokens; text is decomposed and stripped, so neither is produced.
        #expect(tokenizer.vocabularySize == Self.vocabulary.count)
        #expect(tokenizer.tokenize("é") == ["e"])
    }

    @Test("empty and blank text give [CLS] [SEP]")
    func emptyText() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.encode("") == [2, 3])
        #expect(tokenizer.encode(" \n\t\u{A0}") == [2, 3])
        #expect(tokenizer.encode("\u{0}\u{200B}") == [2, 3])
        #expect(tokenizer.tokenize("").isEmpty)
    }

    @Test("encode wraps in [CLS] … [SEP] and truncates to maxLength")
    func truncation() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.encode("hello world") == [2, 5, 6, 3])
        let text = Array(repeating: "hello running", count: 200).joined(separator: " ")
        let ids = tokenizer.encode(text)
        #expect(ids.count == 256)
        #expect(ids.first == 2 && ids.last == 3)
        #expect(tokenizer.encode(text, maxLength: 5) == [2, 5, 20, 21, 3])
        #expect(tokenizer.encode(text, maxLength: 4) == [2, 5, 20, 3])  // a word may be cut between pieces
        #expect(tokenizer.encode(text, maxLength: 2) == [2, 3])
        #expect(tokenizer.encode("hello world", maxLength: 4) == [2, 5, 6, 3])
        #expect(tokenizer.tokenize(text).count == 600)  // tokenize never truncates
    }
}
