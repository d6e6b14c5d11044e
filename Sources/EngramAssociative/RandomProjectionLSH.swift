import EngramKernels

/// Sign random projections (Charikar, "Similarity estimation techniques from rounding algorithms",
/// STOC 2002): `bitCount` hyperplanes through the origin with independent standard normal
/// entries; bit b of a vector's code is 1 when it lies on the positive side of hyperplane b
/// (⟨r_b, x⟩ ≥ 0).
///
/// Two vectors at angle θ disagree on each bit with probability θ/π, so the Hamming distance
/// between codes estimates the angle. This is the dense, data-independent baseline against which
/// ``FlyHash`` and ``BioHash`` are compared "at the same number of bits".
///
/// The hyperplanes are drawn from `seed` (Box–Muller over ``SeededGenerator``) and serialised
/// explicitly.
public struct RandomProjectionLSH: Sendable, Equatable {
    /// The dimension d of the input vectors.
    public let inputDimension: Int
    /// The number of hyperplanes, i.e. of bits per code.
    public let bitCount: Int
    /// The seed the hyperplanes were drawn from.
    public let seed: UInt64
    /// `bitCount × inputDimension`, row-major: one hyperplane normal per row.
    let hyperplanes: [Float]

    /// Draws `bits` random hyperplanes.
    /// - Parameters:
    ///   - inputDimension: the input dimension d, positive.
    ///   - bits: the number of hyperplanes (bits per code), positive.
    ///   - seed: the seed of the hyperplanes.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for a non-positive size.
    public init(inputDimension: Int, bits: Int, seed: UInt64 = 0) throws {
        try Self.validate(inputDimension: inputDimension, bits: bits)
        var generator = SeededGenerator(seed: seed)
        var hyperplanes = [Float](repeating: 0, count: bits * inputDimension)
        SeededSampling.fillNormal(&hyperplanes, using: &generator)
        self.init(inputDimension: inputDimension, bitCount: bits, seed: seed, hyperplanes: hyperplanes)
    }

    init(inputDimension: Int, bitCount: Int, seed: UInt64, hyperplanes: [Float]) {
        self.inputDimension = inputDimension
        self.bitCount = bitCount
        self.seed = seed
        self.hyperplanes = hyperplanes
    }

    static func validate(inputDimension: Int, bits: Int) throws {
        guard inputDimension > 0 else {
            throw AssociativeError.invalidParameter(name: "inputDimension", requirement: "must be positive, got \(inputDimension)")
        }
        guard bits > 0 else {
            throw AssociativeError.invalidParameter(name: "bits", requirement: "must be positive, got \(bits)")
        }
        guard !inputDimension.multipliedReportingOverflow(by: bits).overflow else {
            throw AssociativeError.invalidParameter(name: "bits", requirement: "times inputDimension must fit in an Int")
        }
    }

    /// The normal vector of hyperplane `bit`.
    /// - Precondition: `0 ≤ bit < bitCount`.
    public func hyperplane(_ bit: Int) -> [Float] {
        precondition(bit >= 0 && bit < bitCount, "RandomProjectionLSH.hyperplane: bit \(bit) outside 0..<\(bitCount)")
        return Array(hyperplanes[bit * inputDimension..<(bit + 1) * inputDimension])
    }

    /// The `bitCount` projections ⟨r_b, x⟩ whose signs make the code.
    /// - Throws: ``AssociativeError`` for a wrong dimension or a non-finite value.
    public func projections(_ x: [Float]) throws -> [Float] {
        try AssociativeError.check(x, dimension: inputDimension)
        return Kernels.gemv(hyperplanes, rows: bitCount, columns: inputDimension, x)
    }

    /// The code of `x`: bit b is set when ⟨r_b, x⟩ ≥ 0.
    /// - Throws: ``AssociativeError`` for a wrong dimension or a non-finite value.
    /// - Complexity: O(bitCount · d), one matrix-vector product.
    public func code(_ x: [Float]) throws -> Code {
        try AssociativeError.check(x, dimension: inputDimension)
        var words = [UInt64](repeating: 0, count: Code.wordCount(bits: bitCount))
        hyperplanes.withUnsafeBufferPointer { planes in
            x.withUnsafeBufferPointer { input in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: bitCount) { projections in
                    Kernels.gemv(planes, rows: bitCount, columns: inputDimension, input, into: projections)
                    for bit in 0..<bitCount where projections[bit] >= 0 {
                        words[bit >> 6] |= 1 << UInt64(bit & 63)
                    }
                }
            }
        }
        return Code(uncheckedWords: words, bitCount: bitCount)
    }

    /// The codes of several vectors.
    /// - Throws: ``AssociativeError`` for the first vector with a wrong dimension or a non-finite value.
    public func codes(_ xs: [[Float]]) throws -> [Code] {
        try xs.map { try code($0) }
    }
}
