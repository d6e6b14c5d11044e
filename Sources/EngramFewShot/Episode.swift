/// One N-way K-shot episode in contiguous float32 storage, the input of the batched learners.
///
/// An episode is allocated once and refilled for every draw (by ``EpisodeSampler`` or by hand), so
/// sweeps of millions of episodes allocate nothing per episode. Rows are row-major
/// `count × featureCount`; labels are episode-local class indices in `0..<classCount`.
public struct Episode: Sendable {
    /// Features per pattern.
    public let featureCount: Int
    /// Class slots; every label is in `0..<classCount`.
    public let classCount: Int
    /// Support rows, `supportLabels.count × featureCount`.
    public var support: [Float]
    /// The class of each support row.
    public var supportLabels: [Int]
    /// Query rows, `queryLabels.count × featureCount`.
    public var queries: [Float]
    /// The true class of each query row (for evaluation; the learners do not read it).
    public var queryLabels: [Int]

    /// An episode of the given size, zero-filled.
    /// - Precondition: positive `featureCount` and `classCount`, non-negative counts.
    public init(featureCount: Int, classCount: Int, supportCount: Int, queryCount: Int) {
        precondition(featureCount > 0 && classCount > 0, "Episode: sizes must be positive")
        precondition(supportCount >= 0 && queryCount >= 0, "Episode: counts must be non-negative")
        self.featureCount = featureCount
        self.classCount = classCount
        support = [Float](repeating: 0, count: supportCount * featureCount)
        supportLabels = [Int](repeating: 0, count: supportCount)
        queries = [Float](repeating: 0, count: queryCount * featureCount)
        queryLabels = [Int](repeating: 0, count: queryCount)
    }

    public var supportCount: Int { supportLabels.count }
    public var queryCount: Int { queryLabels.count }

    /// Checks the invariants the batched learners rely on.
    func checkShape() {
        precondition(support.count == supportCount * featureCount, "Episode: support holds \(support.count) values")
        precondition(queries.count == queryCount * featureCount, "Episode: queries hold \(queries.count) values")
        precondition(supportLabels.allSatisfy { (0..<classCount).contains($0) }, "Episode: support label out of range")
    }
}
