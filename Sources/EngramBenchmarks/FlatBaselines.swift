import EngramKernels
import EngramMemory

/// The flat retrievers every recall figure is reported beside, over one scope's documents and
/// the same embeddings Engram stores:
/// - `dense`: exact cosine of the query with each document (the embeddings are unit length);
/// - `bm25`: ``LexicalIndex`` (Lucene BM25, k1 = 1.5, b = 0.75, English stop words) over the texts;
/// - `hybrid`: reciprocal-rank fusion of the two, `Σ 1 / (60 + rank)` with ranks from 1.
struct FlatBaselines {
    static let names = ["dense", "bm25", "hybrid"]

    private let embeddings: [[Float]]
    private var lexical = LexicalIndex()

    /// - Parameters: `texts` and `embeddings`, one per document, in the same order.
    init(texts: [String], embeddings: [[Float]]) {
        precondition(texts.count == embeddings.count)
        self.embeddings = embeddings
        for (i, text) in texts.enumerated() { lexical.add(MemoryID(i), text: text) }
    }

    /// Each baseline's `limit` best documents (indices into the documents), best first.
    func rankings(query: String, embedding: [Float], limit: Int) -> [String: [Int]] {
        let dense = Self.denseRanking(embedding, embeddings)
        let bm25 = lexical.search(query, limit: limit).map { Int($0.0) }
        return [
            "dense": Array(dense.prefix(limit)),
            "bm25": bm25,
            "hybrid": Array(Self.reciprocalRankFusion([dense, bm25]).prefix(limit)),
        ]
    }

    /// Document indices by descending cosine, ties by index.
    static func denseRanking(_ query: [Float], _ embeddings: [[Float]]) -> [Int] {
        let scores = embeddings.map { Kernels.dot($0, query) }
        return scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    }

    /// Reciprocal-rank fusion, `Σ 1 / (60 + rank)` with ranks from 1, ties by index.
    static func reciprocalRankFusion(_ rankings: [[Int]]) -> [Int] {
        var scores: [Int: Double] = [:]
        for ranking in rankings {
            for (rank, item) in ranking.enumerated() { scores[item, default: 0] += 1 / (60 + Double(rank + 1)) }
        }
        return scores.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map(\.key)
    }
}
