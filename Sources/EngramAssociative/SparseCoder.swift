/// A map from dense vectors to sparse codes: a projection to `units` units followed by
/// k-winners-take-all. ``FlyHash`` (random, fixed) and ``BioHash`` (learned) conform, so the memory
/// layer can use either.
public protocol SparseCoder: Sendable {
    /// The dimension d of the input vectors.
    var inputDimension: Int { get }
    /// The number of units m in the code layer.
    var units: Int { get }
    /// The number of active units k in every code.
    var activeUnits: Int { get }

    /// The code of `x`: the `activeUnits` units with the largest projections.
    /// - Throws: ``AssociativeError`` for a wrong dimension or a non-finite value.
    func code(_ x: [Float]) throws -> SparseCode

    /// The codes of several vectors, equal to calling ``code(_:)`` on each.
    /// - Throws: ``AssociativeError`` for the first vector with a wrong dimension or a non-finite value.
    func codes(_ xs: [[Float]]) throws -> [SparseCode]
}

extension SparseCoder {
    public func codes(_ xs: [[Float]]) throws -> [SparseCode] {
        try xs.map { try code($0) }
    }
}

extension AssociativeError {
    /// The error for a projection that overflowed to ±∞ although the input was finite, so that
    /// fewer than k units could be ranked.
    static func projectionOverflow(_ coder: String) -> AssociativeError {
        .invalidParameter(name: "x", requirement: "must be small enough in magnitude for the \(coder) projections to stay finite")
    }
}
