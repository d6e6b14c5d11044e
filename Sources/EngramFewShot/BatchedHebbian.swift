/// The Hebbian few-shot learner for sweeps of many episodes: float32, no allocation per episode.
///
/// Same rule as ``HebbianFewShot`` (memory rows `+= lr · pattern`, cosine scores, 0 for a class
/// without support or a norm product ≤ 1e-12, the first maximum wins) on an ``Episode``'s float32
/// rows. It agrees with the exact float64 learner except where two classes' scores lie within
/// float32 rounding of each other (about 1e-6 relative); the tests check exactly that.
public struct BatchedHebbian: Sendable {
    public let featureCount: Int
    public let classCount: Int
    public let learningRate: Float
    private var memory: ClassRows

    /// - Precondition: positive sizes; a finite, non-negative learning rate.
    public init(featureCount: Int, classCount: Int, learningRate: Float = 0.1) {
        precondition(featureCount > 0 && classCount > 0, "BatchedHebbian: sizes must be positive")
        precondition(learningRate.isFinite && learningRate >= 0, "BatchedHebbian: bad learning rate \(learningRate)")
        self.featureCount = featureCount
        self.classCount = classCount
        self.learningRate = learningRate
        memory = ClassRows(featureCount: featureCount, classCount: classCount)
    }

    /// Runs one reset-store-query episode and writes one predicted class per query.
    /// - Precondition: the episode's sizes match this learner, `predictions.count == episode.queryCount`,
    ///   and the episode has support if it has queries.
    public mutating func predict(_ episode: Episode, into predictions: inout [Int]) {
        precondition(episode.featureCount == featureCount && episode.classCount <= classCount,
                     "BatchedHebbian: episode shape does not match the learner")
        precondition(predictions.count == episode.queryCount, "BatchedHebbian: predictions has the wrong count")
        precondition(episode.queryCount == 0 || episode.supportCount > 0, "BatchedHebbian: queries without support")
        episode.checkShape()
        let rate = learningRate
        memory.withBuffers { memory in
            predictions.withUnsafeMutableBufferPointer { predictions in
                episode.withRows { support, query in
                    memory.accumulate(support, labels: episode.supportLabels, scale: rate)
                    memory.computeNorms()
                    for q in 0..<predictions.count {
                        memory.computeCosines(of: query(q))
                        // Classes without support score 0, like the reference; the first maximum wins.
                        var best = 0
                        var bestScore = -Float.infinity
                        for c in 0..<memory.classCount {
                            let score = memory.counts[c] > 0 ? memory.scores[c] : 0
                            if score > bestScore {
                                bestScore = score
                                best = c
                            }
                        }
                        predictions[q] = best
                    }
                }
            }
        }
    }
}
