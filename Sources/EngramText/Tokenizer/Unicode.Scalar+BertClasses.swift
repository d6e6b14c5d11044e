/// The character classes BERT's normaliser and pre-tokeniser use, as Hugging Face `tokenizers`
/// (`BertNormalizer`, `BertPreTokenizer`; what `BertTokenizerFast` and sentence-transformers run)
/// defines them, with its Unicode tables (``BertUnicodeTables``), not the toolchain's.
///
/// Where the Python `BertTokenizer` differs, the fast tokenizer wins, because it produced the
/// embeddings Engram reproduces: unassigned code points (Cn) are kept, not dropped, and the CJK
/// extension E range starts at U+2B920, not U+2B820.
extension Unicode.Scalar {
    /// Whether text cleaning drops the scalar: NUL, U+FFFD, or a control, format or private-use
    /// character (categories Cc, Cf, Co), except `\t`, `\n` and `\r`, which are whitespace.
    var isBertIgnorable: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x00..<0x20, 0x7F: return true
        case 0x20..<0x7F: return false
        default: return BertUnicodeTables.contains(BertUnicodeTables.controls, value)
        }
    }

    /// Whether the scalar separates words: `\t`, `\n`, `\r`, space, or any other scalar with the
    /// Unicode White_Space property (the Zs spaces, U+2028, U+2029, …).
    var isBertWhitespace: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20: return true
        case 0..<0x80: return false
        default: return properties.isWhitespace
        }
    }

    /// Whether the scalar is a token of its own: printable ASCII that is not a letter or digit
    /// (33–47, 58–64, 91–96, 123–126, so `$`, `+`, `^` count), or any category P* scalar.
    var isBertPunctuation: Bool {
        switch value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        case 0..<0x80: return false
        default: return BertUnicodeTables.contains(BertUnicodeTables.punctuation, value)
        }
    }

    /// Whether the scalar is a CJK ideograph that BERT makes a word of its own: the CJK Unified
    /// Ideographs block, extensions A to F (as `tokenizers` delimits them) and the compatibility
    /// ideographs. Hiragana, Katakana and Hangul are not included.
    var isBertCJKIdeograph: Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// Whether accent stripping removes the scalar: a non-spacing mark (category Mn).
    var isBertAccent: Bool {
        value >= 0x300 && BertUnicodeTables.contains(BertUnicodeTables.accents, value)
    }
}
