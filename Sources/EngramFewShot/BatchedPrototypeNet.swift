import EngramKernels

/// The prototype network for sweeps of many episodes: float32, no allocation per episode.
///
/// Same rule as ``SpikePrototypeNet``: prototypes are the mean of each class's support, classes
/// with support are visited in ascending order and a later class must score strictly higher to win.
/// Cosine and Euclidean agree with the float64 network except at float32 near-ties; Hamming compares
/// signs, so it agrees unless a prototype coordinate is within float32 rounding of zero.
public struct BatchedPrototypeNet: Sendable {
    public let featureCount: Int
    public let classCount: Int
    public let metric: PrototypeMetric
    private var prototypes: ClassRows

    /// - Precondition: positive sizes.
    public init(featureCount: Int, classCount: Int, metric: PrototypeMetric = .cosine) {
        precondition(featureCount > 0 && classCount > 0, "BatchedPrototypeNet: sizes must be positive")
        self.featureCount = featureCount
        self.classCount = classCount
        self.metric = metric
        prototypes = ClassRows(featureCount: featureCount, classCount: classCount)
    }

    /// Classifies the episode's queries and writes one predicted class per query.
    /// - Precondition: the episode's sizes match, `predictions.count == episode.queryCount`, and the
    ///   episode has support.
    public mutating func predict(_ episode: Episode, into predictions: inout [Int]) {
        precondition(episode.featureCount == featureCount && episode.classCount <= classCount,
                     "BatchedPrototypeNet: episode shape does not match the network")
        precondition(predictions.count == episode.queryCount, "BatchedPrototypeNet: predictions has the wrong count")
        precondition(episode.supportCount > 0, "BatchedPrototypeNet: empty support")
        episode.checkShape()
        let metric = metric
        prototypes.withBuffers { prototypes in
            predictions.withUnsafeMutableBufferPointer { predictions in
                episode.withRows { support, query in
                    prototypes.accumulate(support, labels: episode.supportLabels, scale: 1)
                    prototypes.divideByCounts()
                    if metric == .cosine { prototypes.computeNorms() }
                    for q in 0..<predictions.count {
                        predictions[q] = Self.classify(query(q), metric: metric, prototypes)
                    }
                }
            }
        }
    }

    /// The first class with support whose score is strictly the highest, as the reference picks it.
    @inline(__always)
    private static func classify(_ query: UnsafeBufferPointer<Float>, metric: PrototypeMetric, _ prototypes: ClassRowBuffers) -> Int {
        if metric == .cosine { prototypes.computeCosines(of: query) }
        var best = -1
        var bestScore = -Float.infinity
        for c in 0..<prototypes.classCount where prototypes.counts[c] > 0 {
            if best < 0 { best = c }
            let score: Float
            switch metric {
            case .cosine:
                score = prototypes.scores[c]
            case .euclidean:
                // The square root is monotonic, so comparing squared distances picks the same class.
                score = -Kernels.squaredDistance(query, prototypes.row(c))
            case .hamming:
                let prototype = prototypes.row(c)
                var disagreements = 0
                for i in query.indices where (query[i] > 0) != (prototype[i] > 0) { disagreements &+= 1 }
                score = -Float(disagreements)
            }
            if score > bestScore {
                bestScore = score
                best = c
            }
        }
        return best
    }
}
