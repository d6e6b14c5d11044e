import CEngramKernels

extension Kernels {
    /// Whether the float32 AVX2 + FMA kernels of `CEngramKernels` can run on this processor
    /// (detected once when the library loads). Without them the portable Swift SIMD code runs.
    @inlinable
    static var hasAVX2FMA: Bool { engram_cpu_has_avx2_fma() != 0 }

    /// The processors this process may run on (its CPU affinity on Linux), read once.
    public static let availableProcessors = Int(engram_available_processors())

    /// `pointer` as a `Float` pointer, for the float32 C kernels.
    /// - Precondition: `T` is `Float` (checked by the caller's dispatch).
    @inlinable @inline(__always)
    static func floatPointer<T>(_ pointer: UnsafePointer<T>) -> UnsafePointer<Float> {
        UnsafeRawPointer(pointer).assumingMemoryBound(to: Float.self)
    }
}
