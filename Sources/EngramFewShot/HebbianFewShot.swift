import EngramKernels

/// A class-indexed Hebbian memory that learns a class from a few examples.
///
/// Storing a pattern adds it, scaled by the learning rate, to its class's memory row
/// (`memory[label] += lr · pattern`); a query is scored by cosine similarity against every row and
/// classified as the best row. This reproduces sc_neurocore's `HebbianFewShot` exactly, in float64,
/// including its quirks: a class with no support scores 0 (and so can beat negative cosines), a
/// norm product ≤ 1e-12 scores 0, and the first maximum wins ties.
///
/// ```swift
/// var learner = try HebbianFewShot(featureCount: 4, classCount: 2)
/// let predictions = try learner.episode(
///     support: [[1, 0, 1, 0], [0, 1, 0, 1]], labels: [0, 1], queries: [[1, 0, 0.9, 0]])
/// // predictions == [0]
/// ```
public struct HebbianFewShot: Sendable {
    /// Features per pattern after temporal averaging.
    public let featureCount: Int
    /// Class slots in the memory.
    public let classCount: Int
    /// The multiplier applied to each stored pattern (the reference's `lr_hebbian`).
    public let learningRate: Double

    /// Row-major `classCount × featureCount` memory.
    private var memory: [Double]
    /// Support examples stored per class.
    private var counts: [Int]

    /// Creates an empty memory.
    /// - Parameters:
    ///   - featureCount: features per pattern (`n_features`), positive.
    ///   - classCount: class slots (`n_classes`), positive.
    ///   - learningRate: `lr_hebbian`, finite and ≥ 0; 0.1 by default as in the reference.
    /// - Throws: ``FewShotError/nonPositiveSize(name:value:)`` or ``FewShotError/invalidLearningRate(_:)``.
    public init(featureCount: Int, classCount: Int, learningRate: Double = 0.1) throws {
        guard featureCount > 0 else { throw FewShotError.nonPositiveSize(name: "n_features", value: featureCount) }
        guard classCount > 0 else { throw FewShotError.nonPositiveSize(name: "n_classes", value: classCount) }
        guard learningRate.isFinite, learningRate >= 0 else { throw FewShotError.invalidLearningRate(learningRate) }
        self.featureCount = featureCount
        self.classCount = classCount
        self.learningRate = learningRate
        memory = [Double](repeating: 0, count: classCount * featureCount)
        counts = [Int](repeating: 0, count: classCount)
    }

    /// Whether any support example has been stored since the last reset.
    public var hasSupport: Bool { counts.contains { $0 > 0 } }

    /// Adds one support pattern to its class memory.
    /// - Throws: ``FewShotError`` for a label outside `0..<classCount` or a pattern that does not
    ///   resolve to `featureCount` finite values; the memory is unchanged then.
    public mutating func store(_ pattern: SpikePattern, label: Int) throws {
        try checkLabel(label)
        add(try pattern.resolved(featureCount: featureCount, name: "spike_pattern"), label: label)
    }

    /// The cosine score of `pattern` against every class; 0 for classes with no support.
    /// - Throws: ``FewShotError`` for a pattern that does not resolve to `featureCount` finite values.
    public func scores(_ pattern: SpikePattern) throws -> [Double] {
        scores(resolved: try pattern.resolved(featureCount: featureCount, name: "spike_pattern"))
    }

    /// The predicted class of `pattern`: the first class with the highest score.
    /// - Throws: ``FewShotError/queryBeforeStore`` before anything is stored, or a pattern error.
    public func query(_ pattern: SpikePattern) throws -> Int {
        guard hasSupport else { throw FewShotError.queryBeforeStore }
        return Kernels.argmax(try scores(pattern)) ?? 0
    }

    /// One few-shot episode: reset, store every support pattern, classify every query.
    ///
    /// Every input is validated before the memory changes, so a rejected episode leaves the learner
    /// as it was; the error is the one the reference raises first.
    /// - Returns: one predicted label per query.
    /// - Throws: ``FewShotError`` for mismatched lengths, a bad label or pattern, or queries with
    ///   no support.
    public mutating func episode(support: [SpikePattern], labels: [Int], queries: [SpikePattern]) throws -> [Int] {
        guard support.count == labels.count else {
            throw FewShotError.lengthMismatch(patterns: support.count, labels: labels.count)
        }
        var resolvedSupport: [[Double]] = []
        resolvedSupport.reserveCapacity(support.count)
        for (pattern, label) in zip(support, labels) {
            try checkLabel(label)
            resolvedSupport.append(try pattern.resolved(featureCount: featureCount, name: "spike_pattern"))
        }
        if support.isEmpty && !queries.isEmpty { throw FewShotError.queryBeforeStore }
        let resolvedQueries = try queries.map { try $0.resolved(featureCount: featureCount, name: "spike_pattern") }

        reset()
        for (vector, label) in zip(resolvedSupport, labels) { add(vector, label: label) }
        let norms = rowNorms()
        return resolvedQueries.map { Kernels.argmax(scores(resolved: $0, rowNorms: norms)) ?? 0 }
    }

    /// A copy of the memory, one row per class (the reference's `export_weights`).
    public var weights: [[Double]] {
        (0..<classCount).map { Array(memory[$0 * featureCount..<($0 + 1) * featureCount]) }
    }

    /// Clears the memory and the support counts.
    public mutating func reset() {
        for i in memory.indices { memory[i] = 0 }
        for i in counts.indices { counts[i] = 0 }
    }

    // MARK: - Internals on validated input

    private func checkLabel(_ label: Int) throws {
        guard (0..<classCount).contains(label) else {
            throw FewShotError.labelOutOfRange(label: label, classCount: classCount)
        }
    }

    private mutating func add(_ vector: [Double], label: Int) {
        let start = label * featureCount
        let rate = learningRate
        vector.withUnsafeBufferPointer { x in
            memory.withUnsafeMutableBufferPointer { m in
                Kernels.axpy(rate, x, UnsafeMutableBufferPointer(rebasing: m[start..<start + featureCount]))
            }
        }
        counts[label] += 1
    }

    /// The Euclidean norm of every memory row.
    private func rowNorms() -> [Double] {
        memory.withUnsafeBufferPointer { m in
            (0..<classCount).map { Kernels.norm(UnsafeBufferPointer(rebasing: m[$0 * featureCount..<($0 + 1) * featureCount])) }
        }
    }

    /// The cosine of each row with `vector`, `row·q / (‖row‖·‖q‖)`, 0 for a class without support or
    /// a norm product ≤ 1e-12 (the reference's `_cosine_score`, with the row norms computed once).
    private func scores(resolved vector: [Double], rowNorms: [Double]? = nil) -> [Double] {
        let norms = rowNorms ?? self.rowNorms()
        let queryNorm = Kernels.norm(vector)
        return memory.withUnsafeBufferPointer { m in
            vector.withUnsafeBufferPointer { q in
                (0..<classCount).map { label -> Double in
                    let denominator = norms[label] * queryNorm
                    guard counts[label] > 0, denominator > 1e-12 else { return 0 }
                    return Kernels.dot(UnsafeBufferPointer(rebasing: m[label * featureCount..<(label + 1) * featureCount]), q)
                        / denominator
                }
            }
        }
    }
}
