import EngramKernels

/// The codes of an ``InvertedFileIndex`` and the bounds they give on cosines.
///
/// **Projection.** Sentence embeddings keep most of their energy in a minority of directions, so
/// the codes cover the projection `y = P·x` of each unit row onto `m` orthonormal directions
/// (rows of `P`, the leading principal directions of a training sample; see
/// `InvertedFileIndex+Training.swift`) and bound the rest. With Π the orthogonal projector onto
/// the span of `P`'s rows,
///
///     xᵀq = (Πx)ᵀ(Πq) + ((I − Π)x)ᵀ((I − Π)q),   |second term| ≤ ρₓ·ρ_q,
///
/// where `ρ = ‖(I − Π)·v‖` is known from `‖P·v‖`. Before training, or when no small basis holds
/// most of the energy, `P = I` (`m = d`, ρ = 0) and the codes are those of the rows themselves.
///
/// **Codes.** `ŷ` (`P·x` in float32) is stored as `ŷ ≈ s·a` with `s = max|ŷⱼ| / 127` and
/// integers `aⱼ ∈ [−127, 127]` biased to bytes `aⱼ + 128` (the code of
/// `HopfieldRetriever+QuantizedScan.swift`), padded to a multiple of 16; the query's `ẑ ≈ t·b`
/// with 16-bit `b`. ``Kernels/quantizedDots(_:rows:stride:_:into:)`` gives `aᵀb` exactly.
///
/// **Bound.** Let `e ≥ ‖P·Pᵀ − I‖₂` (float32 rounding of an orthonormal basis), `η` a bound on
/// ‖ŷ − P·x‖ from float32 products (`√m · d · 2⁻²³ · ‖P‖₂·‖x‖`, the γₙ bound of
/// ``Kernels/gemv(_:rows:columns:_:into:)``), `ε = ‖ŷ − s·a‖ + η` and `δ = ‖ẑ − t·b‖ + η`,
/// `ν = 10⁻⁵` the slack on the unit norms and `Y = √(1 + e)·(1 + ν) ≥ ‖P·x‖`. Then
/// `(Πx)ᵀ(Πq) = yᵀ(PPᵀ)⁻¹z` differs from `yᵀz` by at most `κ = Y²·e / (1 − e)`, and
/// `|yᵀz − s·t·aᵀb| ≤ Y·δ + ε·(Y + δ)`, so
///
///     |xᵀq − s·t·aᵀb| ≤ Bᵢ = κ + Y·δ + 2φ + εᵢ·(Y + δ) + ρₓ·ρ_q,
///
/// with `φ = d·2⁻²³` the worst rounding of the float32 dot product used to rank the survivors
/// (so that they are the top k of a float32 scan, not only of the real cosines). `ρ` is bounded
/// from the float32 projection: `ρ² ≤ (1 + ν)² − max(0, ‖ŷ‖ − η)² / (1 + e)`. Every constant is
/// computed in Double and widened by 0.1%.
struct CodeProjection: Sendable, Equatable {
    /// The dimension d of the vectors.
    let dimension: Int
    /// The orthonormal directions, row-major (`m × d`); empty for the identity.
    let basis: [Float]
    /// The number m of coded coordinates (d for the identity).
    let codeDimension: Int
    /// η: a bound on ‖ŷ − P·x‖ for ‖x‖ ≤ 1 + ν (0 for the identity, which is exact).
    let roundingBound: Double
    /// e: a bound on ‖P·Pᵀ − I‖₂ (0 for the identity).
    let orthogonalityError: Double

    /// ν: the slack allowed on the norm of a stored row or query scaled to unit length.
    static let normSlack = 1e-5

    /// The identity: codes of the rows themselves.
    init(identity dimension: Int) {
        self.dimension = dimension
        basis = []
        codeDimension = dimension
        roundingBound = 0
        orthogonalityError = 0
    }

    /// A projection onto the rows of `basis` (`m × d`, orthonormal up to float32 rounding).
    init(basis: [Float], dimension: Int) {
        precondition(!basis.isEmpty && basis.count % dimension == 0)
        self.dimension = dimension
        self.basis = basis
        let m = basis.count / dimension
        codeDimension = m
        // e ≤ ‖PPᵀ − I‖_F, computed exactly enough in Double from the float32 entries.
        var squares = 0.0
        for i in 0..<m {
            for j in i..<m {
                var product = 0.0
                for c in 0..<dimension { product += Double(basis[i * dimension + c]) * Double(basis[j * dimension + c]) }
                let deviation = product - (i == j ? 1 : 0)
                squares += (i == j ? 1 : 2) * deviation * deviation
            }
        }
        let e = squares.squareRoot() * 1.001 + 1e-12
        precondition(e < 0.01, "CodeProjection: the basis is not orthonormal (‖PPᵀ − I‖ ≤ \(e))")
        orthogonalityError = e
        roundingBound = Double(m).squareRoot() * Double(dimension) * 0x1p-23 * (1 + e).squareRoot()
            * (1 + Self.normSlack) * 1.001
    }

    var isIdentity: Bool { basis.isEmpty }

    /// The padded row length of the codes: m rounded up to a multiple of 16.
    var codeStride: Int { (codeDimension + 15) & ~15 }

    /// Y = √(1 + e)·(1 + ν), a bound on ‖P·x‖ for ‖x‖ ≤ 1 + ν.
    var projectedNormBound: Double { (1 + orthogonalityError).squareRoot() * (1 + Self.normSlack) }

    /// ŷ = P·x in float32 (a copy of `x` for the identity).
    func project(_ x: UnsafeBufferPointer<Float>) -> [Float] {
        guard !isIdentity else { return Array(x) }
        return [Float](unsafeUninitializedCapacity: codeDimension) { y, initialized in
            basis.withUnsafeBufferPointer { Kernels.gemv($0, rows: codeDimension, columns: dimension, x, into: y) }
            initialized = codeDimension
        }
    }

    /// An upper bound on ‖(I − Π)·x‖ for ‖x‖ ≤ 1 + ν whose float32 projection is `projected`
    /// (0 for the identity).
    func residualBound(_ projected: [Float]) -> Float {
        guard !isIdentity else { return 0 }
        var squares = 0.0
        for v in projected { squares += Double(v) * Double(v) }
        let inside = max(0, squares.squareRoot() - roundingBound)
        let outside = (1 + Self.normSlack) * (1 + Self.normSlack) - inside * inside / (1 + orthogonalityError)
        return Float(max(0, outside).squareRoot() * 1.001).nextUp
    }
}

/// A unit query projected and quantised to 16-bit integers for
/// ``Kernels/quantizedDots(_:rows:stride:_:into:)``, with the constants of the bound
/// `Bᵢ = constant + slope·εᵢ + residual·ρᵢ` (see ``CodeProjection``).
struct QueryCode {
    /// The integers `b`, zero-padded to the code stride.
    var levels: [Int16]
    /// The step `t`.
    var step: Float
    /// `128·Σⱼ bⱼ`, subtracted from each biased sum.
    var correction: Int32
    var constant: Float
    var slope: Float
    /// ρ_q, the bound on the query's part outside the projection.
    var residual: Float

    /// - Precondition: `query` has the projection's dimension and unit norm; it is finite.
    init(_ query: UnsafeBufferPointer<Float>, projection: CodeProjection) {
        let stride = projection.codeStride
        let z = projection.project(query)
        // Q·127·stride stays below 2³¹, so the wrapped 32-bit sums are exact.
        let limit = min(32_767, Int(Int32.max) / (127 * stride))
        var largest: Float = 0
        for v in z { largest = max(largest, v.magnitude) }
        step = largest / Float(limit)
        levels = [Int16](repeating: 0, count: stride)
        var squares = 0.0, correction = 0
        if step > 0 {
            for (j, v) in z.enumerated() {
                let level = min(max(Int((v / step).rounded()), -limit), limit)
                levels[j] = Int16(level)
                correction += HopfieldRetriever.codeBias * level
                let r = Double(v) - Double(step) * Double(level)
                squares += r * r
            }
        }
        self.correction = Int32(truncatingIfNeeded: correction)
        let delta = squares.squareRoot() + projection.roundingBound
        let e = projection.orthogonalityError, y = projection.projectedNormBound
        let kappa = y * y * e / (1 - e)
        let rounding = 2 * Double(projection.dimension) * 0x1p-23 + 1e-6
        constant = Float((kappa + y * delta + rounding) * 1.001)
        slope = Float((y + delta) * 1.001)
        residual = projection.residualBound(z)
    }

    /// The bound `Bᵢ` of a row with code error `error` and residual bound `residual`.
    @inline(__always)
    func bound(error: Float, residual rowResidual: Float) -> Float {
        constant + slope * error + residual * rowResidual
    }
}
