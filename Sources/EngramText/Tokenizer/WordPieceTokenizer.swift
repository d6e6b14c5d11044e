import Foundation

/// BERT's uncased WordPiece tokenizer, giving the ids Hugging Face's `BertTokenizerFast` gives for
/// all-MiniLM-L6-v2 (`do_lower_case`, `tokenize_chinese_chars`, accents stripped).
///
/// Text goes through four stages: special tokens written in the text are matched first
/// (``SpecialTokenSplitter``), the rest is normalised (``BertNormalizer``: cleaning, spaces around
/// CJK ideographs, accent stripping, lower-casing), split into words on whitespace and punctuation
/// (``BertPreTokenizer``), and cut into word pieces (``WordPieceModel``); ``encode(_:maxLength:)``
/// then wraps the pieces in `[CLS]` … `[SEP]` (``BertPostProcessor``).
///
/// ```swift
/// let tokenizer = try WordPieceTokenizer(vocabularyFile: directory.appendingPathComponent("vocab.txt"))
/// tokenizer.tokenize("Missing index caused slowdown")  // ["missing", "index", "caused", "slow", "##down"]
/// tokenizer.encode("Hello, world!")                    // [101, 7592, 1010, 2088, 999, 102]
/// ```
///
/// Where the Python `BertTokenizer` and the fast tokenizer disagree (rare scripts, unassigned code
/// points, a final `Σ`), this follows the fast one, which sentence-transformers uses.
public struct WordPieceTokenizer: Sendable {
    private let vocabulary: WordPieceVocabulary
    private let splitter: SpecialTokenSplitter
    private let normalizer = BertNormalizer()
    private let preTokenizer = BertPreTokenizer()
    private let model: WordPieceModel
    private let postProcessor: BertPostProcessor

    /// Loads a BERT `vocab.txt` (one token per line, line n holding id n − 1).
    /// - Throws: ``TextError/malformedVocabulary(path:detail:)`` when the file cannot be read, is
    ///   empty or not UTF-8, repeats a token, or lacks `[CLS]`, `[SEP]`, `[UNK]` or `[PAD]`; the
    ///   detail names the line.
    public init(vocabularyFile: URL) throws(TextError) {
        try self.init(vocabulary: WordPieceVocabulary(contentsOf: vocabularyFile))
    }

    /// Creates a tokenizer over `vocabulary`, the tokens in id order.
    /// - Throws: ``TextError/malformedVocabulary(path:detail:)`` when the list is empty, repeats a
    ///   token or lacks `[CLS]`, `[SEP]`, `[UNK]` or `[PAD]`.
    public init(vocabulary: [String]) throws(TextError) {
        try self.init(vocabulary: WordPieceVocabulary(tokens: vocabulary, source: "vocabulary"))
    }

    private init(vocabulary: WordPieceVocabulary) {
        self.vocabulary = vocabulary
        splitter = SpecialTokenSplitter(tokens: vocabulary.specialTokenIDs)
        model = WordPieceModel(trie: vocabulary.trie, unknownID: vocabulary.unkID)
        postProcessor = BertPostProcessor(clsID: vocabulary.clsID, sepID: vocabulary.sepID)
    }

    /// The number of tokens in the vocabulary (30,522 for all-MiniLM-L6-v2).
    public var vocabularySize: Int { vocabulary.tokens.count }
    /// The id of `[CLS]`, which starts every encoded sequence.
    public var clsID: Int32 { vocabulary.clsID }
    /// The id of `[SEP]`, which ends every encoded sequence.
    public var sepID: Int32 { vocabulary.sepID }
    /// The id of `[PAD]`, for padding batches.
    public var padID: Int32 { vocabulary.padID }
    /// The id of `[UNK]`, given to words the vocabulary cannot spell.
    public var unkID: Int32 { vocabulary.unkID }

    /// The word pieces of `text`, without `[CLS]` and `[SEP]` and without truncation.
    ///
    /// Continuation pieces carry the `##` prefix; a special token written in the text is kept as
    /// itself.
    public func tokenize(_ text: String) -> [String] {
        pieceIDs(of: text, limit: .max).map { vocabulary.tokens[Int($0)] }
    }

    /// The ids the model reads for `text`: `[CLS]`, the word pieces, `[SEP]`, truncated to at most
    /// `maxLength` ids (so at most `maxLength − 2` pieces). Empty or blank text gives `[CLS] [SEP]`.
    /// - Parameters:
    ///   - text: any text.
    ///   - maxLength: the most ids to return, at least 2; 256 as in sentence-transformers.
    /// - Precondition: `maxLength >= 2`.
    /// - Complexity: O(n log v) for n scalars; tokenising stops once the budget is full.
    public func encode(_ text: String, maxLength: Int = 256) -> [Int32] {
        let budget = postProcessor.pieceBudget(maxLength: maxLength)
        return postProcessor.process(pieceIDs(of: text, limit: budget), maxLength: maxLength)
    }

    /// The word-piece ids of `text`, at most `limit` of them (the first ones).
    private func pieceIDs(of text: String, limit: Int) -> [Int32] {
        var ids: [Int32] = []
        guard limit > 0 else { return ids }
        let raw = Array(text.unicodeScalars)
        var scalars: [Unicode.Scalar] = []
        var words: [Range<Int>] = []
        for segment in splitter.split(raw) {
            switch segment {
            case let .special(id):
                ids.append(id)
            case let .text(range):
                normalizer.normalize(raw[range], into: &scalars)
                preTokenizer.split(scalars, into: &words)
                for word in words {
                    model.tokenize(scalars[word], into: &ids)
                    if ids.count >= limit { break }
                }
            }
            if ids.count >= limit {
                ids.removeSubrange(limit...)
                break
            }
        }
        return ids
    }
}
