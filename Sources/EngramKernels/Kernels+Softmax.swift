extension Kernels {
    /// Softmax in place with inverse temperature β: `xᵢ ← exp(β·xᵢ − m) / Σⱼ exp(β·xⱼ − m)`,
    /// where `m = max β·x` keeps every exponent ≤ 0, so no input overflows.
    ///
    /// - Parameters:
    ///   - values: the logits; replaced by probabilities that sum to 1.
    ///   - beta: the inverse temperature; larger values sharpen the distribution.
    /// - Complexity: O(n).
    /// - Note: Tolerance: each output within a few ulps of the exact value; the sum within
    ///   `n · ulp(1)` of 1.
    /// - Precondition: the buffer holds no NaN and `beta` is finite.
    @inlinable
    public static func softmax<T: KernelScalar>(_ values: UnsafeMutableBufferPointer<T>, beta: T = 1) {
        precondition(beta.isFinite, "softmax: beta must be finite, got \(beta)")
        guard !values.isEmpty else { return }
        var maximum = -T.infinity
        for value in values {
            precondition(!value.isNaN, "softmax: NaN input")
            maximum = max(maximum, beta * value)
        }
        var total: T = 0
        for i in values.indices {
            let e = T.exponential(beta * values[i] - maximum)
            values[i] = e
            total += e
        }
        let scale = 1 / total
        for i in values.indices { values[i] *= scale }
    }

    /// ``softmax(_:beta:)`` over an array, returning the probabilities.
    @inlinable
    public static func softmax<T: KernelScalar>(_ values: [T], beta: T = 1) -> [T] {
        var result = values
        result.withUnsafeMutableBufferPointer { softmax($0, beta: beta) }
        return result
    }
}
