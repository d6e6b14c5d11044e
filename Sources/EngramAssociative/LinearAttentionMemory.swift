/// Linear attention as an associative memory: every write adds the outer product of the value and
/// the key, `M ← M + v·kᵀ`, and nothing is ever forgotten.
///
/// A read `M·q = Σₜ vₜ (kₜ·q)` returns the queried value plus every other stored value weighted by
/// its key's overlap with the query, so recall degrades with the number of stored pairs
/// (interference) but equally for old and new pairs; a key written twice returns the sum of both
/// values, so a rebinding never wins outright.
///
/// ```swift
/// var memory = try LinearAttentionMemory(dKey: 64, dValue: 64)
/// try memory.write(key: k, value: v)
/// let recalled = try memory.read(key: k)   // v·‖k‖² plus interference
/// ```
public struct LinearAttentionMemory: FastWeightMemory, Equatable {
    var weights: FastWeights

    /// Creates an empty memory.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` unless both dimensions are
    ///   at least 1.
    public init(dKey: Int, dValue: Int) throws {
        weights = try FastWeights(dKey: dKey, dValue: dValue)
    }

    public var dKey: Int { weights.dKey }
    public var dValue: Int { weights.dValue }
    public var state: [Float] { weights.matrix }

    /// `M ← M + v·kᵀ`.
    /// - Complexity: O(dKey · dValue).
    public mutating func write(key: [Float], value: [Float]) throws {
        try weights.check(key: key, value: value)
        weights.addOuterProduct(value, key)
    }

    public func read(key: [Float]) throws -> [Float] { try weights.read(key: key) }

    public mutating func reset() { weights.reset() }
}
