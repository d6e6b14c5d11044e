/// The gated delta rule (Gated DeltaNet; Yang et al. 2024): the memory fades, then takes a delta
/// step, `M ← γ·M·(I − β·k·kᵀ) + β·v·kᵀ`, computed as `M ← γ ⊙ M` followed by
/// `M ← M + β·(v − M·k)·kᵀ`.
///
/// The gate clears stale content everywhere (as in ``GatedLinearMemory``) while the delta step
/// replaces the written key's content (as in ``DeltaRuleMemory``); γ = 1 is the delta rule.
///
/// ```swift
/// var memory = try GatedDeltaMemory(dKey: 64, dValue: 64, gate: .scalar(0.99), beta: 0.5)
/// try memory.write(key: k, value: v)
/// ```
public struct GatedDeltaMemory: FastWeightMemory, Equatable {
    var weights: FastWeights
    /// The decay applied before each delta step.
    public let gate: GatedLinearMemory.Gate
    /// The write strength β in (0, 1].
    public let beta: Float

    /// Creates an empty memory.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for a dimension below 1, a
    ///   gate outside (0, 1] or β outside (0, 1]; ``AssociativeError/mismatchedVector(name:expected:actual:)``
    ///   for per-row gates whose count is not `dValue`.
    public init(dKey: Int, dValue: Int, gate: GatedLinearMemory.Gate, beta: Float) throws {
        weights = try FastWeights(dKey: dKey, dValue: dValue)
        try gate.validate(dValue: dValue)
        try AssociativeError.check(beta, name: "β", in: 0...1, excludingLowerBound: true, text: "(0, 1]")
        self.gate = gate
        self.beta = beta
    }

    public var dKey: Int { weights.dKey }
    public var dValue: Int { weights.dValue }
    public var state: [Float] { weights.matrix }

    /// `M ← γ ⊙ M`, then `M ← M + β·(v − M·k)·kᵀ`.
    /// - Complexity: O(dKey · dValue).
    public mutating func write(key: [Float], value: [Float]) throws {
        try weights.check(key: key, value: value)
        gate.apply(to: &weights)
        weights.deltaStep(key: key, value: value, beta: beta)
    }

    public func read(key: [Float]) throws -> [Float] { try weights.read(key: key) }

    public mutating func reset() { weights.reset() }
}
