import CEngramKernels

extension Kernels {
    /// Multi-head scaled dot-product attention within one unmasked sequence:
    /// `context[i] = Σⱼ softmax_j(scale · qᵢ·kⱼ) · vⱼ` for every head.
    ///
    /// - Parameters:
    ///   - queryKeyValue: `length` rows of `3 · heads · headSize` floats, each `[queries | keys | values]`
    ///     with the heads side by side (BERT's fused projection).
    ///   - context: receives `length` rows of `heads · headSize` floats.
    ///   - scratch: reused between calls; grown as needed.
    /// - Note: Tolerance: with AVX2 + FMA (head sizes a multiple of 8) exp is a polynomial within
    ///   2 ulp of `expf` and the sums run in eight lanes; each output is within a few ulp times
    ///   the sequence length of the exact float32 result.
    public static func attention(
        _ queryKeyValue: UnsafeBufferPointer<Float>, length: Int, heads: Int, headSize: Int, scale: Float,
        into context: UnsafeMutableBufferPointer<Float>, scratch: inout [Float]
    ) {
        precondition(queryKeyValue.count >= length * 3 * heads * headSize && context.count >= length * heads * headSize,
                     "attention: buffers too small for \(length) tokens of \(heads)×\(headSize)")
        guard length > 0, let qkv = queryKeyValue.baseAddress, let out = context.baseAddress else { return }
        let needed = engram_attention_scratch_count(length, headSize)
        if scratch.count < needed { scratch = [Float](repeating: 0, count: needed) }
        scratch.withUnsafeMutableBufferPointer { scratch in
            engram_attention(qkv, length, heads, headSize, scale, out, scratch.baseAddress!)
        }
    }

    /// `rows ← LayerNorm(rows + residual)` for every `width`-wide row: `(x − mean) / √(var + ε) · γ + β`
    /// with the biased variance; without `residual`, LayerNorm alone.
    /// - Note: Tolerance: the sums run in eight lanes under AVX2 + FMA (width a multiple of 8), in
    ///   order elsewhere: outputs within a few ulp of each other.
    public static func addLayerNorm(
        _ rows: UnsafeMutableBufferPointer<Float>, residual: UnsafeBufferPointer<Float>?, width: Int,
        gamma: UnsafeBufferPointer<Float>, beta: UnsafeBufferPointer<Float>, epsilon: Float
    ) {
        precondition(width > 0 && rows.count % width == 0 && gamma.count == width && beta.count == width,
                     "addLayerNorm: \(rows.count) values are not rows of width \(width) with γ and β of that width")
        precondition(residual.map { $0.count == rows.count } ?? true, "addLayerNorm: the residual's size differs from the rows'")
        guard let base = rows.baseAddress else { return }
        engram_add_layer_norm(base, residual?.baseAddress, rows.count / width, width, gamma.baseAddress!, beta.baseAddress!, epsilon)
    }
}
