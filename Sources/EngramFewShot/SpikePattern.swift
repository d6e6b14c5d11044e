import EngramSpiking

/// One input to a few-shot learner: a spike-rate vector of shape `(n)` or a spike train of shape
/// `(T, n)`, stored row-major. Any other rank can be represented so that it is rejected with a clear
/// error when a learner resolves it, as the reference does.
public struct SpikePattern: Sendable, Equatable {
    /// The dimensions, outermost first: `[n]` for rates, `[T, n]` for a train.
    public let shape: [Int]
    /// The elements in row-major order; `values.count` is the product of `shape`.
    public let values: [Double]

    /// A pattern of any shape.
    /// - Precondition: `values.count` equals the product of `shape`, and no dimension is negative.
    public init(shape: [Int], values: [Double]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "SpikePattern: negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == values.count,
                     "SpikePattern: \(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.values = values
    }

    /// A spike-rate vector of shape `(n)`.
    public init(rates: [Double]) {
        self.init(shape: [rates.count], values: rates)
    }

    /// A spike train of shape `(T, n)` from its time steps.
    /// - Throws: ``FewShotError/raggedPattern(name:detail:)`` when the steps differ in length.
    public init(steps: [[Double]]) throws {
        let width = steps.first?.count ?? 0
        if let bad = steps.firstIndex(where: { $0.count != width }) {
            throw FewShotError.raggedPattern(
                name: "spike train", detail: "step 0 has \(width) values, step \(bad) has \(steps[bad].count)")
        }
        self.init(shape: [steps.count, width], values: steps.flatMap { $0 })
    }

    /// A spike train produced by one of the encoders of `EngramSpiking`.
    public init(_ train: SpikeTrain) {
        self.init(shape: [train.steps, train.neurons], values: train.values.map(Double.init))
    }

    /// The feature vector the learners see: the vector itself, or the train averaged over time.
    ///
    /// The time average is a left-to-right sum over the steps divided by `T`, which is exactly what
    /// NumPy's `mean(axis=0)` computes, so resolved vectors match the reference bit for bit.
    /// - Parameters:
    ///   - featureCount: the number of features the learner expects.
    ///   - name: the argument name used in error messages (the reference's names).
    /// - Throws: ``FewShotError`` for a wrong rank, a wrong feature count or a non-finite value.
    public func resolved(featureCount: Int, name: String) throws -> [Double] {
        let vector: [Double]
        switch shape.count {
        case 1:
            vector = values
        case 2:
            vector = Self.timeAverage(values, steps: shape[0], width: shape[1])
        default:
            throw FewShotError.wrongShape(name: name, shape: shape, featureCount: featureCount)
        }
        guard vector.count == featureCount else {
            throw FewShotError.wrongFeatureCount(name: name, resolved: vector.count, featureCount: featureCount)
        }
        if let bad = vector.firstIndex(where: { !$0.isFinite }) {
            throw FewShotError.nonFinite(name: name, feature: bad, value: vector[bad])
        }
        return vector
    }

    /// The mean over the first axis; an empty train gives NaN (0/0) per feature, like NumPy.
    static func timeAverage(_ values: [Double], steps: Int, width: Int) -> [Double] {
        var sums = [Double](repeating: 0, count: width)
        for step in 0..<steps {
            let row = step * width
            for feature in 0..<width { sums[feature] += values[row + feature] }
        }
        let count = Double(steps)
        return sums.map { $0 / count }
    }
}

extension SpikePattern: ExpressibleByArrayLiteral {
    /// A rate vector written as a literal: `[0.2, 0.0, 0.7]`.
    public init(arrayLiteral elements: Double...) {
        self.init(rates: elements)
    }
}
