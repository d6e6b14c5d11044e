#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import EngramKernels

/// The random draws behind the projections (fly hash connections, LSH hyperplanes, BioHash's
/// initial weights and batch order), written out so that they depend only on the
/// ``SeededGenerator`` stream and not on standard-library algorithms that may change
/// (`Int.random(in:using:)`, `shuffle(using:)`).
///
/// A namespace rather than extension methods on `SeededGenerator`, so that it cannot clash with
/// helpers other files of the module add.
enum SeededSampling {
    /// A uniform integer in `0..<bound` by Lemire's multiply-and-reject method (unbiased).
    /// - Precondition: `bound > 0`.
    static func index(below bound: Int, using generator: inout SeededGenerator) -> Int {
        precondition(bound > 0, "SeededSampling.index: bound must be positive")
        let range = UInt64(bound)
        var product = generator.next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = generator.next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Shuffles `values` in place by Fisher–Yates with ``index(below:using:)``.
    static func shuffle<T>(_ values: inout [T], using generator: inout SeededGenerator) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            let j = index(below: i + 1, using: &generator)
            if i != j { values.swapAt(i, j) }
        }
    }

    /// Fills `values` with independent standard normal draws by the Box–Muller transform, two
    /// per pair of uniforms, computed in `Double` and rounded to `Float`.
    ///
    /// - Note: `log`, `cos` and `sin` come from the platform's C library; a last-bit difference
    ///   between libraries is almost always absorbed by the rounding to `Float`.
    static func fillNormal(_ values: inout [Float], using generator: inout SeededGenerator) {
        var i = 0
        while i < values.count {
            // 1 − u lies in (0, 1], so the logarithm is finite.
            let radius = (-2 * log(1 - generator.nextUnitDouble())).squareRoot()
            let angle = 2 * Double.pi * generator.nextUnitDouble()
            values[i] = Float(radius * cos(angle))
            if i + 1 < values.count { values[i + 1] = Float(radius * sin(angle)) }
            i += 2
        }
    }

    /// A seed for a derived stream (the `round`-th training run of a model seeded with `seed`),
    /// mixed by the SplitMix64 finaliser so that neighbouring seeds give unrelated streams.
    static func derivedSeed(_ seed: UInt64, stream: UInt64, round: UInt64) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1) &+ 0xD1B5_4A32_D192_ED03 &* round
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
