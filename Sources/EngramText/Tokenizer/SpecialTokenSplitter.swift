/// The stage before normalisation: finds special tokens written literally in the raw text.
///
/// Hugging Face's tokenizers match their special ("added") tokens — `[CLS]`, `[SEP]`, `[PAD]`,
/// `[UNK]`, `[MASK]` for BERT — in the raw text before anything else runs, and give them their ids
/// directly: `"a [SEP] b"` encodes to `[CLS] a [SEP] b [SEP]`. The match is exact (case-sensitive,
/// unnormalised) and leftmost-longest, and may sit inside a word (`"x[SEP]y"` is `x`, `[SEP]`, `y`).
/// The text between matches goes through the rest of the pipeline.
struct SpecialTokenSplitter: Sendable {
    /// A piece of the raw text.
    enum Segment: Equatable {
        /// Text to normalise, pre-tokenise and cut into word pieces, as a range of the scalars.
        case text(Range<Int>)
        /// A special token written in the text, with its id.
        case special(Int32)
    }

    /// The special tokens as scalars with their ids, longest first so the first match is the longest.
    private let tokens: [(scalars: [Unicode.Scalar], id: Int32)]
    /// The distinct scalars a special token can start with (just `[` for BERT), to skip the rest
    /// quickly; a short array, cheaper to scan than a set is to hash.
    private let initials: [Unicode.Scalar]

    /// Creates a splitter for `tokens`, given as (token, id) pairs; empty tokens are ignored.
    init(tokens: [(String, Int32)]) {
        self.tokens = tokens
            .map { (Array($0.0.unicodeScalars), $0.1) }
            .filter { !$0.0.isEmpty }
            .sorted { $0.0.count > $1.0.count }
        var initials: [Unicode.Scalar] = []
        for token in self.tokens where !initials.contains(token.scalars[0]) { initials.append(token.scalars[0]) }
        self.initials = initials
    }

    /// Splits `scalars` into special tokens and the text between them, in order; empty text
    /// between two matches is left out, and text without special tokens is one segment.
    /// - Complexity: O(n · s) for n scalars and s special tokens in the worst case; O(n) when
    ///   nothing looks like a special token.
    func split(_ scalars: [Unicode.Scalar]) -> [Segment] {
        guard let first = scalars.firstIndex(where: initials.contains) else { return [.text(scalars.indices)] }
        var segments: [Segment] = []
        var textStart = 0
        var index = first
        while index < scalars.count {
            if initials.contains(scalars[index]), let (id, end) = match(in: scalars, at: index) {
                if textStart < index { segments.append(.text(textStart..<index)) }
                segments.append(.special(id))
                index = end
                textStart = end
            } else {
                index += 1
            }
        }
        if textStart < scalars.count || segments.isEmpty { segments.append(.text(textStart..<scalars.count)) }
        return segments
    }

    /// The longest special token that starts at `start`, with the index just after it.
    private func match(in scalars: [Unicode.Scalar], at start: Int) -> (id: Int32, end: Int)? {
        for token in tokens where scalars[start...].starts(with: token.scalars) {
            return (token.id, start + token.scalars.count)
        }
        return nil
    }
}
