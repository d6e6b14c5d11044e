/// Decayed (gated) linear attention: before each write the memory fades, `M ← γ ⊙ M + v·kᵀ`, with
/// one scalar gate for the whole matrix (Mamba2's scalar decay, RetNet) or one gate per row (one
/// time scale per value dimension).
///
/// A pair written `t` writes ago is read back scaled by `γᵗ`, so interference from old pairs is
/// bounded (the memory holds roughly the last `1 / (1 − γ)` writes) at the price of forgetting old
/// pairs whatever their importance. The gates are fixed; this memory has no input-dependent gate.
///
/// ```swift
/// var memory = try GatedLinearMemory(dKey: 64, dValue: 64, gate: .scalar(0.99))
/// try memory.write(key: k, value: v)
/// ```
public struct GatedLinearMemory: FastWeightMemory, Equatable {
    /// The decay applied to `M` before each write.
    public enum Gate: Sendable, Hashable {
        /// `M ← γ·M`, one γ in (0, 1].
        case scalar(Float)
        /// `M[i, ·] ← γᵢ·M[i, ·]`, one γᵢ in (0, 1] per value dimension (`dValue` gates).
        case perRow([Float])

        /// Throws unless every gate is in (0, 1] and a per-row gate has `dValue` entries.
        func validate(dValue: Int) throws {
            switch self {
            case let .scalar(gamma):
                try AssociativeError.check(gamma, name: "gate γ", in: 0...1, excludingLowerBound: true, text: "(0, 1]")
            case let .perRow(gammas):
                guard gammas.count == dValue else {
                    throw AssociativeError.mismatchedVector(name: "per-row gate", expected: dValue, actual: gammas.count)
                }
                for (row, gamma) in gammas.enumerated() {
                    try AssociativeError.check(gamma, name: "gate γ[\(row)]", in: 0...1, excludingLowerBound: true, text: "(0, 1]")
                }
            }
        }

        /// `M ← γ ⊙ M`.
        func apply(to weights: inout FastWeights) {
            switch self {
            case let .scalar(gamma): weights.scale(by: gamma)
            case let .perRow(gammas): weights.scaleRows(by: gammas)
            }
        }
    }

    var weights: FastWeights
    /// The decay applied before each write.
    public let gate: Gate

    /// Creates an empty memory.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for a dimension below 1 or
    ///   a gate outside (0, 1]; ``AssociativeError/mismatchedVector(name:expected:actual:)`` for
    ///   per-row gates whose count is not `dValue`.
    public init(dKey: Int, dValue: Int, gate: Gate) throws {
        weights = try FastWeights(dKey: dKey, dValue: dValue)
        try gate.validate(dValue: dValue)
        self.gate = gate
    }

    public var dKey: Int { weights.dKey }
    public var dValue: Int { weights.dValue }
    public var state: [Float] { weights.matrix }

    /// `M ← γ ⊙ M + v·kᵀ`.
    /// - Complexity: O(dKey · dValue).
    public mutating func write(key: [Float], value: [Float]) throws {
        try weights.check(key: key, value: value)
        gate.apply(to: &weights)
        weights.addOuterProduct(value, key)
    }

    public func read(key: [Float]) throws -> [Float] { try weights.read(key: key) }

    public mutating func reset() { weights.reset() }
}
