#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The element types the kernels run on: `Float` and `Double`.
///
/// The kernels are generic so that one implementation serves both precisions; `@inlinable`
/// lets the compiler specialise each call site to straight SIMD code.
public protocol KernelScalar: BinaryFloatingPoint, SIMDScalar, Codable, Sendable {
    /// eˣ, from the platform's C library.
    static func exponential(_ x: Self) -> Self
}

extension Float: KernelScalar {
    @inlinable public static func exponential(_ x: Float) -> Float { expf(x) }
}

extension Double: KernelScalar {
    @inlinable public static func exponential(_ x: Double) -> Double { exp(x) }
}

/// A namespace for the numeric kernels over contiguous buffers.
///
/// Every kernel takes `UnsafeBufferPointer`s (the hot paths of higher layers hold their storage in
/// such buffers) and has an `Array` overload for convenience. Lengths are the caller's contract and
/// are checked with `precondition`.
public enum Kernels {}
