/// The third tokenizer stage: WordPiece, greedy longest-match-first over the vocabulary.
///
/// A word is cut into the longest vocabulary token that starts it, then the longest `##`-prefixed
/// token that continues it, and so on. A word of more than ``maxScalarsPerWord`` scalars, or one
/// with a rest no token matches, becomes a single `[UNK]`, as in BERT and Hugging Face's
/// `WordPiece` model.
struct WordPieceModel: Sendable {
    /// Longer words become `[UNK]` without being looked at (BERT's `max_input_chars_per_word`).
    static let maxScalarsPerWord = 100

    /// Every vocabulary token.
    let trie: ScalarTrie
    /// The node reached by `##`, under which the continuation tokens hang; `nil` when the vocabulary
    /// has no continuation tokens.
    let continuationRoot: Int32?
    /// The id given to a word that cannot be matched.
    let unknownID: Int32

    /// Creates the model over `trie`, with `##` as the continuation prefix.
    init(trie: ScalarTrie, unknownID: Int32) {
        self.trie = trie
        self.unknownID = unknownID
        continuationRoot = trie.descend(from: ScalarTrie.root, along: "##".unicodeScalars)
    }

    /// Appends the ids of the word pieces of `word` to `ids`.
    /// - Parameters:
    ///   - word: one pre-tokenised word, non-empty.
    ///   - ids: receives the piece ids, or a single ``unknownID``.
    /// - Complexity: O(n · log v) for a word of n scalars, at most `maxScalarsPerWord`.
    func tokenize(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32]) {
        guard word.count <= Self.maxScalarsPerWord else {
            ids.append(unknownID)
            return
        }
        let firstPiece = ids.count
        var start = word.startIndex
        while start < word.endIndex {
            guard let pieceRoot = start == word.startIndex ? ScalarTrie.root : continuationRoot else {
                return replaceWithUnknown(&ids, from: firstPiece)
            }
            // Walk down as far as the word allows; the deepest token passed is the longest match.
            var node = pieceRoot
            var match: (id: Int32, end: Int)? = nil
            var index = start
            while index < word.endIndex, let next = trie.child(of: node, word[index]) {
                node = next
                index += 1
                if let id = trie.tokenID(at: node) { match = (id, index) }
            }
            guard let (id, end) = match else { return replaceWithUnknown(&ids, from: firstPiece) }
            ids.append(id)
            start = end
        }
    }

    /// Drops the pieces appended since `firstPiece` and appends ``unknownID`` instead.
    private func replaceWithUnknown(_ ids: inout [Int32], from firstPiece: Int) {
        ids.removeSubrange(firstPiece...)
        ids.append(unknownID)
    }
}
