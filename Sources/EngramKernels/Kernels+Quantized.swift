import CEngramKernels

extension Kernels {
    /// `sums[r] = Σⱼ codes[r·stride + j] · levels[j]` for 8-bit unsigned codes and 16-bit signed
    /// levels, in wrapping 32-bit arithmetic: the scan of a quantised vector index.
    ///
    /// AVX2 (`vpmovzxbw` + `vpmaddwd`, four rows per pass) where the CPU has it, portable SIMD
    /// elsewhere; both are exact, so they agree bit for bit.
    /// - Complexity: O(rows · stride).
    /// - Precondition: `stride` is a multiple of 16, `codes.count == rows · stride`,
    ///   `levels.count == stride`, `sums.count == rows`.
    public static func quantizedDots(
        _ codes: UnsafeBufferPointer<UInt8>, rows: Int, stride: Int,
        _ levels: UnsafeBufferPointer<Int16>, into sums: UnsafeMutableBufferPointer<Int32>
    ) {
        precondition(stride % 16 == 0 && codes.count == rows * stride && levels.count == stride && sums.count == rows,
                     "quantizedDots: inconsistent sizes")
        guard rows > 0, stride > 0, let base = codes.baseAddress, let query = levels.baseAddress, let out = sums.baseAddress else {
            sums.update(repeating: 0)
            return
        }
        if hasAVX2FMA {
            base.withMemoryRebound(to: CUnsignedChar.self, capacity: codes.count) { codes in
                query.withMemoryRebound(to: CShort.self, capacity: stride) { levels in
                    out.withMemoryRebound(to: CInt.self, capacity: rows) { sums in
                        engram_u8s16_dots_avx2(codes, rows, stride, levels, sums)
                    }
                }
            }
            return
        }
        let q = UnsafeRawPointer(query)
        for r in 0..<rows {
            let row = UnsafeRawPointer(base + r &* stride)
            var accumulator = SIMD4<Int32>()
            var offset = 0
            while offset < stride {
                let bytes = row.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
                let low = SIMD8<Int32>(truncatingIfNeeded: q.loadUnaligned(fromByteOffset: 2 &* offset, as: SIMD8<Int16>.self))
                let high = SIMD8<Int32>(truncatingIfNeeded: q.loadUnaligned(fromByteOffset: 2 &* offset &+ 16, as: SIMD8<Int16>.self))
                let p0 = SIMD8<Int32>(truncatingIfNeeded: bytes.lowHalf) &* low
                let p1 = SIMD8<Int32>(truncatingIfNeeded: bytes.highHalf) &* high
                accumulator &+= (p0.evenHalf &+ p0.oddHalf) &+ (p1.evenHalf &+ p1.oddHalf)
                offset &+= 16
            }
            sums[r] = accumulator.wrappedSum()
        }
    }

    /// The same sums for 8-bit signed levels: `vpdpbusd` (AVX-512 VNNI) where the CPU has it
    /// (``hasInt8DotProducts``), else the levels widened to 16 bits for the scan above. Exact
    /// either way.
    /// - Precondition: as the 16-bit form's.
    public static func quantizedDots(
        _ codes: UnsafeBufferPointer<UInt8>, rows: Int, stride: Int,
        _ levels: UnsafeBufferPointer<Int8>, into sums: UnsafeMutableBufferPointer<Int32>
    ) {
        precondition(stride % 16 == 0 && codes.count == rows * stride && levels.count == stride && sums.count == rows,
                     "quantizedDots: inconsistent sizes")
        guard hasInt8DotProducts, rows > 0, let base = codes.baseAddress, let query = levels.baseAddress, let out = sums.baseAddress else {
            let wide = levels.map(Int16.init)
            wide.withUnsafeBufferPointer { quantizedDots(codes, rows: rows, stride: stride, $0, into: sums) }
            return
        }
        base.withMemoryRebound(to: CUnsignedChar.self, capacity: codes.count) { codes in
            query.withMemoryRebound(to: CSignedChar.self, capacity: stride) { levels in
                out.withMemoryRebound(to: CInt.self, capacity: rows) { sums in
                    engram_u8s8_dots_vnni(codes, rows, stride, levels, sums)
                }
            }
        }
    }

    /// `Σ (codes[i] − bias)·query[i]`: a float vector's dot product with an 8-bit code, read
    /// straight from the code (no decoded copy); multiplied by the code's scale it is the dot product
    /// with the decoded vector, up to float rounding.
    /// - Precondition: `codes.count == query.count`.
    public static func codeDot(_ codes: UnsafeBufferPointer<UInt8>, bias: Float, _ query: UnsafeBufferPointer<Float>) -> Float {
        precondition(codes.count == query.count, "codeDot: \(codes.count) codes for \(query.count) values")
        guard let c = codes.baseAddress, let q = query.baseAddress else { return 0 }
        if hasAVX2FMA { return engram_code_dot_avx2(c, bias, q, codes.count) }
        var total: Float = 0
        for i in 0..<codes.count { total += (Float(c[i]) - bias) * q[i] }
        return total
    }
}
