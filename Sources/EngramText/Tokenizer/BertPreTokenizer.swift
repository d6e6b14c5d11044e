/// The second tokenizer stage: splits normalised text into words, as Hugging Face's
/// `BertPreTokenizer` does.
///
/// Whitespace separates words and is dropped; every punctuation scalar (see
/// ``Swift/Unicode/Scalar/isBertPunctuation``) becomes a word of its own. Words are returned as
/// ranges into the normalised scalars, so no strings are built.
struct BertPreTokenizer: Sendable {
    /// Splits `scalars` into words, replacing the contents of `words` with their ranges, in order.
    /// - Parameters:
    ///   - scalars: normalised text.
    ///   - words: receives one non-empty range per word; its capacity is reused.
    /// - Complexity: O(n) in the number of scalars.
    func split(_ scalars: [Unicode.Scalar], into words: inout [Range<Int>]) {
        words.removeAll(keepingCapacity: true)
        var start: Int? = nil
        for (index, scalar) in scalars.enumerated() {
            if scalar.isBertWhitespace {
                if let begin = start { words.append(begin..<index) }
                start = nil
            } else if scalar.isBertPunctuation {
                if let begin = start { words.append(begin..<index) }
                words.append(index..<index + 1)
                start = nil
            } else if start == nil {
                start = index
            }
        }
        if let begin = start { words.append(begin..<scalars.count) }
    }
}
