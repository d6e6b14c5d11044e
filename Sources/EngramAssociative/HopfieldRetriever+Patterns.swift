import EngramKernels

/// Reading the stored patterns as float32 rows, whichever ``HopfieldRetriever/Precision`` keeps them.
extension HopfieldRetriever {
    /// Calls `body` with the patterns of `rows` (every row in order when `nil`) as one row-major
    /// float32 block, `rows.count × dimension`.
    ///
    /// With `.float32` and `nil` the block is the storage itself (no copy); otherwise the rows are
    /// gathered, or decoded from their codes (`x̂ᵢⱼ = sᵢ·(byte − 128)`) with `.int8`.
    /// - Precondition: every row is below ``count``.
    func withPatterns<R>(_ rows: [Int]?, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let d = dimension
        if keepsFloats, rows == nil { return try storage.withUnsafeBufferPointer(body) }
        let selected = rows ?? Array(0..<count)
        return try withUnsafeTemporaryAllocation(of: Float.self, capacity: selected.count * d) { block in
            guard let target = block.baseAddress else { return try body(UnsafeBufferPointer(block)) }
            if keepsFloats {
                storage.withUnsafeBufferPointer { all in
                    guard let source = all.baseAddress else { return }
                    for (i, row) in selected.enumerated() { (target + i * d).initialize(from: source + row * d, count: d) }
                }
            } else {
                let stride = codeStride, bias = Float(Self.codeBias)
                codes.withUnsafeBufferPointer { codes in
                    for (i, row) in selected.enumerated() {
                        let scale = codeScales[row], code = codes.baseAddress! + row * stride, out = target + i * d
                        for j in 0..<d { out[j] = (Float(code[j]) - bias) * scale }
                    }
                }
            }
            return try body(UnsafeBufferPointer(block))
        }
    }

    /// The dot product of each of `rows`' patterns (every row in order when `nil`) with `query`.
    func dots(_ rows: [Int]?, _ query: UnsafeBufferPointer<Float>) -> [Float] {
        let d = dimension
        if !keepsFloats {
            // Straight from the codes: decoding the rows first cost more than the products.
            let stride = codeStride, bias = Float(Self.codeBias)
            return codes.withUnsafeBufferPointer { codes in
                (rows ?? Array(0..<count)).map { row in
                    codeScales[row] * Kernels.codeDot(UnsafeBufferPointer(rebasing: codes[row * stride ..< row * stride + d]), bias: bias, query)
                }
            }
        }
        return withPatterns(rows) { block in
            (0 ..< block.count / d).map { i in Kernels.dot(UnsafeBufferPointer(rebasing: block[i * d ..< (i + 1) * d]), query) }
        }
    }
}
