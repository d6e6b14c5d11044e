/// One result of a search: the stored item's key and its score (higher is closer).
public struct SearchHit: Sendable, Equatable {
    public var key: Int
    public var score: Float

    public init(key: Int, score: Float) {
        self.key = key
        self.score = score
    }
}

/// The small index protocol shared by the associative structures that store vectors under keys
/// and find the nearest ones (faiss's add / search / remove).
public protocol VectorIndex: Sendable {
    /// The dimension of the vectors it takes.
    var dimension: Int { get }
    /// The number of stored items.
    var count: Int { get }
    /// Stores `vector` under `key`.
    /// - Throws: ``AssociativeError`` for a wrong dimension, a non-finite value or a duplicate key.
    mutating func add(_ vector: [Float], key: Int) throws
    /// Removes the item under `key`; returns whether it was there.
    @discardableResult mutating func remove(_ key: Int) -> Bool
    /// The `k` best items for `query`, best first.
    /// - Throws: ``AssociativeError`` for a wrong dimension, a non-finite value or `k < 1`.
    func search(_ query: [Float], k: Int) throws -> [SearchHit]
}
