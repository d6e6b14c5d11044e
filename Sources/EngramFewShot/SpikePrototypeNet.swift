/// A nearest-prototype classifier for few-shot spike episodes.
///
/// Each call to ``classify(support:labels:queries:)`` averages the support patterns of every label
/// into a prototype and gives each query the label of its best-scoring prototype. Labels are visited
/// in ascending order and a later label must score strictly higher to win, so the first label wins
/// ties. This reproduces sc_neurocore's `SpikePrototypeNet` exactly, in float64.
public struct SpikePrototypeNet: Sendable {
    /// Features per pattern after temporal averaging.
    public let featureCount: Int
    /// The scoring metric.
    public let metric: PrototypeMetric
    /// The prototypes of the most recent successful ``classify(support:labels:queries:)``, by label.
    public private(set) var prototypes: [Int: [Double]] = [:]

    /// - Throws: ``FewShotError/nonPositiveSize(name:value:)`` for `featureCount ≤ 0`.
    public init(featureCount: Int, metric: PrototypeMetric = .cosine) throws {
        guard featureCount > 0 else { throw FewShotError.nonPositiveSize(name: "n_features", value: featureCount) }
        self.featureCount = featureCount
        self.metric = metric
    }

    /// Classifies `queries` by the prototypes of `support`.
    ///
    /// Labels may be any integers; only labels present in the support can be predicted. All input is
    /// validated before ``prototypes`` changes, so a rejected call leaves the network as it was.
    /// - Returns: one predicted label per query.
    /// - Throws: ``FewShotError`` for an empty support, mismatched lengths, or a pattern that does not
    ///   resolve to `featureCount` finite values.
    public mutating func classify(support: [SpikePattern], labels: [Int], queries: [SpikePattern]) throws -> [Int] {
        let newPrototypes = try Self.prototypes(of: support, labels: labels, featureCount: featureCount)
        let resolvedQueries = try queries.map { try $0.resolved(featureCount: featureCount, name: "query") }
        prototypes = newPrototypes

        let ordered = newPrototypes.sorted { $0.key < $1.key }
        return resolvedQueries.map { query in
            query.withUnsafeBufferPointer { q in
                var bestLabel = ordered[0].key
                var bestScore = -Double.infinity
                for (label, prototype) in ordered {
                    let score = prototype.withUnsafeBufferPointer { metric.score(q, $0) }
                    if score > bestScore {
                        bestScore = score
                        bestLabel = label
                    }
                }
                return bestLabel
            }
        }
    }

    /// The mean of each label's resolved support patterns: a left-to-right sum in support order
    /// divided by the count, as NumPy's `mean(axis=0)` over the stacked patterns.
    static func prototypes(of support: [SpikePattern], labels: [Int], featureCount: Int) throws -> [Int: [Double]] {
        guard !support.isEmpty else { throw FewShotError.emptySupport }
        guard support.count == labels.count else {
            throw FewShotError.lengthMismatch(patterns: support.count, labels: labels.count)
        }
        var accumulators: [Int: (sum: [Double], count: Int)] = [:]
        for (pattern, label) in zip(support, labels) {
            let vector = try pattern.resolved(featureCount: featureCount, name: "support pattern")
            if var accumulator = accumulators.removeValue(forKey: label) {
                for i in accumulator.sum.indices { accumulator.sum[i] += vector[i] }
                accumulator.count += 1
                accumulators[label] = accumulator
            } else {
                accumulators[label] = (vector, 1)
            }
        }
        return accumulators.mapValues { accumulator in
            let count = Double(accumulator.count)
            return accumulator.sum.map { $0 / count }
        }
    }
}
