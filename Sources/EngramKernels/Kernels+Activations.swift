import CEngramKernels

extension Kernels {
    /// The exact GELU in place: `x ← 0.5·x·(1 + erf(x/√2))`.
    /// - Note: Tolerance: erf within 5e-7 absolute (a rational approximation under AVX2 + FMA, the C
    ///   library's `erff` elsewhere), so each output is within `2.5e-7·|x|` plus two ulps of the
    ///   result of the exact value.
    public static func gelu(_ values: UnsafeMutableBufferPointer<Float>) {
        guard let base = values.baseAddress else { return }
        engram_gelu(base, values.count)
    }
}
