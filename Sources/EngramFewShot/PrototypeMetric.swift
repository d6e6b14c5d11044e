import EngramKernels

/// How a prototype network scores a query against a class prototype; higher is better.
public enum PrototypeMetric: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Cosine similarity, 0 when a norm product is ≤ 1e-12.
    case cosine
    /// The negated Euclidean distance.
    case euclidean
    /// The negated fraction of features whose sign bit (`x > 0`) differs.
    case hamming

    /// Parses a metric name as the reference spells it.
    /// - Throws: ``FewShotError/unknownMetric(_:)`` for any other name.
    public init(parsing name: String) throws {
        guard let metric = PrototypeMetric(rawValue: name) else { throw FewShotError.unknownMetric(name) }
        self = metric
    }

    public var description: String { rawValue }

    /// The score of `query` against `prototype`, as the reference computes it in float64.
    /// - Precondition: equal lengths.
    @inlinable
    public func score(_ query: UnsafeBufferPointer<Double>, _ prototype: UnsafeBufferPointer<Double>) -> Double {
        switch self {
        case .cosine:
            return Kernels.cosine(query, prototype)
        case .euclidean:
            return -Kernels.squaredDistance(query, prototype).squareRoot()
        case .hamming:
            var disagreements = 0
            for i in query.indices where (query[i] > 0) != (prototype[i] > 0) { disagreements += 1 }
            return -(Double(disagreements) / Double(query.count))
        }
    }
}
