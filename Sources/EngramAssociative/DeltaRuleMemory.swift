/// The delta rule (DeltaNet; Schlag et al. 2021): each write moves the key's read-out toward the
/// value by a step of size β, `M ← M + β·(v − M·k)·kᵀ`.
///
/// With unit keys and β = 1 a write makes `M·k = v` exactly, replacing what the key held before
/// (a rebinding wins at once) and leaving directions orthogonal to `k` untouched, so an
/// orthonormal key set is recalled exactly. Keys that overlap earlier keys disturb those pairs by
/// the overlap, so old pairs are overwritten gradually; a smaller β trades recency for stability.
/// Keys should be unit vectors: the update is stable for `β·‖k‖² < 2`.
///
/// ```swift
/// var memory = try DeltaRuleMemory(dKey: 64, dValue: 64, beta: 0.5)
/// try memory.write(key: k, value: v)
/// ```
public struct DeltaRuleMemory: FastWeightMemory, Equatable {
    var weights: FastWeights
    /// The write strength β in (0, 1].
    public let beta: Float

    /// Creates an empty memory.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for a dimension below 1 or
    ///   β outside (0, 1].
    public init(dKey: Int, dValue: Int, beta: Float) throws {
        weights = try FastWeights(dKey: dKey, dValue: dValue)
        try AssociativeError.check(beta, name: "β", in: 0...1, excludingLowerBound: true, text: "(0, 1]")
        self.beta = beta
    }

    public var dKey: Int { weights.dKey }
    public var dValue: Int { weights.dValue }
    public var state: [Float] { weights.matrix }

    /// `M ← M + β·(v − M·k)·kᵀ`.
    /// - Complexity: O(dKey · dValue).
    public mutating func write(key: [Float], value: [Float]) throws {
        try weights.check(key: key, value: value)
        weights.deltaStep(key: key, value: value, beta: beta)
    }

    public func read(key: [Float]) throws -> [Float] { try weights.read(key: key) }

    public mutating func reset() { weights.reset() }
}
