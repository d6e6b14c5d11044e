/// The 8-bit code of a row (or of its projection): `y ≈ s·a` with `s = max|yⱼ| / 127` and
/// integers `aⱼ ∈ [−127, 127]` stored biased as bytes `aⱼ + 128`, padded to `stride` bytes with
/// the code of 0. Both `HopfieldRetriever`'s stage 1 and `InvertedFileIndex` store rows this way.
struct RowCode {
    var bytes: [UInt8]
    var scale: Float
    /// `‖y − s·a‖` computed in Double and rounded up, so that it never understates the error.
    var error: Float

    /// - Precondition: `stride ≥ y.count`; every element is finite.
    init(_ y: [Float], stride: Int) {
        precondition(stride >= y.count)
        var largest: Float = 0
        for v in y { largest = max(largest, v.magnitude) }
        scale = largest / 127
        let bias = HopfieldRetriever.codeBias
        var squares = 0.0
        var bytes = [UInt8](repeating: UInt8(bias), count: stride)
        for (j, v) in y.enumerated() {
            let level = scale > 0 ? min(max(Int((v / scale).rounded()), -127), 127) : 0
            bytes[j] = UInt8(level + bias)
            let residual = Double(v) - Double(scale) * Double(level)
            squares += residual * residual
        }
        self.bytes = bytes
        error = Float(squares.squareRoot()).nextUp
    }
}
