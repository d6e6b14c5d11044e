/// Turns free text into an FTS5 query that cannot fail to parse: every word becomes a quoted
/// term, and the terms are OR-ed, so that BM25 ranks memories by the words they share with the
/// query (as a lexical retriever does) instead of requiring all of them.
enum FullTextQuery {
    /// The FTS5 expression for `text`, or `nil` when it has no word to search for.
    static func expression(for text: String) -> String? {
        var seen = Set<String>()
        let terms = text.lowercased()
            .split { !($0.isLetter || $0.isNumber) }
            .map(String.init)
            .filter { seen.insert($0).inserted }
        guard !terms.isEmpty else { return nil }
        // A quoted FTS5 string escapes `"` by doubling it; the split above leaves none.
        return terms.map { "\"\($0)\"" }.joined(separator: " OR ")
    }
}
