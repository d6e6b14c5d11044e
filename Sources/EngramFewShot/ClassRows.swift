import EngramKernels

/// Per-class float32 rows accumulated from an episode's support: the shared state of the batched
/// learners (Hebbian memory rows, or prototype sums turned into means). Allocated once; each episode
/// opens the storage once with ``withBuffers(_:)`` and works on raw buffers, so the inner loops do no
/// reference counting or exclusivity checks.
struct ClassRows: Sendable {
    let featureCount: Int
    let classCount: Int
    private var rows: [Float]
    private var norms: [Float]
    private var counts: [Int]
    private var scores: [Float]

    init(featureCount: Int, classCount: Int) {
        self.featureCount = featureCount
        self.classCount = classCount
        rows = [Float](repeating: 0, count: classCount * featureCount)
        norms = [Float](repeating: 0, count: classCount)
        counts = [Int](repeating: 0, count: classCount)
        scores = [Float](repeating: 0, count: classCount)
    }

    /// Calls `body` with buffers over the storage; they are valid only inside `body`.
    mutating func withBuffers<R>(_ body: (ClassRowBuffers) -> R) -> R {
        let n = featureCount, classes = classCount
        return rows.withUnsafeMutableBufferPointer { rows in
            norms.withUnsafeMutableBufferPointer { norms in
                counts.withUnsafeMutableBufferPointer { counts in
                    scores.withUnsafeMutableBufferPointer { scores in
                        body(ClassRowBuffers(
                            featureCount: n, classCount: classes, rows: rows, norms: norms, counts: counts, scores: scores))
                    }
                }
            }
        }
    }
}

/// The buffers of a ``ClassRows`` during one episode, with the operations the learners share.
struct ClassRowBuffers {
    let featureCount: Int
    let classCount: Int
    let rows: UnsafeMutableBufferPointer<Float>
    let norms: UnsafeMutableBufferPointer<Float>
    let counts: UnsafeMutableBufferPointer<Int>
    let scores: UnsafeMutableBufferPointer<Float>

    /// The row of class `c`.
    @inline(__always)
    func row(_ c: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(rebasing: rows[c &* featureCount..<(c &+ 1) &* featureCount])
    }

    /// Resets the rows to `Σ scale · support` per class, in support order, and counts the support.
    func accumulate(_ support: UnsafeBufferPointer<Float>, labels: [Int], scale: Float) {
        let n = featureCount
        rows.update(repeating: 0)
        counts.update(repeating: 0)
        for (i, label) in labels.enumerated() {
            Kernels.axpy(scale, UnsafeBufferPointer(rebasing: support[i &* n..<(i &+ 1) &* n]),
                         UnsafeMutableBufferPointer(rebasing: rows[label &* n..<(label &+ 1) &* n]))
            counts[label] &+= 1
        }
    }

    /// Divides each row with support by its count, making sums into means.
    func divideByCounts() {
        let n = featureCount
        for c in 0..<classCount where counts[c] > 1 {
            let count = Float(counts[c])
            for i in c &* n..<(c &+ 1) &* n { rows[i] /= count }
        }
    }

    /// Computes the Euclidean norm of every row.
    func computeNorms() {
        for c in 0..<classCount { norms[c] = Kernels.norm(row(c)) }
    }

    /// The cosine of `query` with every row (0 where the norm product is ≤ 1e-12), in ``scores``.
    /// - Precondition: ``computeNorms()`` ran after the rows last changed.
    func computeCosines(of query: UnsafeBufferPointer<Float>) {
        let queryNorm = Kernels.norm(query)
        Kernels.gemv(UnsafeBufferPointer(rows), rows: classCount, columns: featureCount, query, into: scores)
        for c in 0..<classCount {
            let denominator = norms[c] * queryNorm
            scores[c] = denominator <= 1e-12 ? 0 : scores[c] / denominator
        }
    }
}

extension Episode {
    /// Calls `body` with the support rows and each query row, opened once for the whole episode.
    func withRows(_ body: (_ support: UnsafeBufferPointer<Float>, _ query: (Int) -> UnsafeBufferPointer<Float>) -> Void) {
        let n = featureCount
        support.withUnsafeBufferPointer { support in
            queries.withUnsafeBufferPointer { queries in
                body(support) { q in UnsafeBufferPointer(rebasing: queries[q &* n..<(q &+ 1) &* n]) }
            }
        }
    }
}
