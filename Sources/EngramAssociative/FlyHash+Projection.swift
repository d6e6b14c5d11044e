/// The projection kernels: one input at a time (a gather over each unit's connection row) and
/// eight at a time (the same gathers, each loading the eight inputs' values of one element as a
/// SIMD8). Both add in the same order, four partial sums per unit combined as (s₀ + s₁) + (s₂ + s₃),
/// so they give bit-identical projections.
///
/// The gathers are bound by loads: two indices come in one 64-bit load, and the rows are padded to
/// a multiple of four with an index that points at a zero, so the loop has no remainder. Which
/// index of a pair lands in which partial sum depends on the byte order; both kernels share it.
extension FlyHash {
    /// The number of inputs the batch kernel projects together (one SIMD8 lane each).
    static let lanes = 8

    /// The mean of `x` by two eight-lane partial sums; the same order for every caller.
    static func mean(_ x: UnsafeBufferPointer<Float>) -> Float {
        let n = x.count
        guard n > 0, let base = x.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc1 += raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            i += 16
        }
        var total = (acc0 + acc1).sum()
        while i < n {
            total += base[i]
            i += 1
        }
        return total / Float(n)
    }

    /// Writes the centred projections of one input into `output` (`units` values).
    func project(_ x: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == inputDimension && output.count == units, "FlyHash.project: wrong buffer sizes")
        let mean = Self.mean(x)
        let stride = rowStride
        withUnsafeTemporaryAllocation(of: Float.self, capacity: inputDimension + 1) { centred in
            for i in 0..<inputDimension { centred[i] = x[i] - mean }
            centred[inputDimension] = 0
            guard let c = UnsafePointer(centred.baseAddress), let y = output.baseAddress else { return }
            connections.withUnsafeBytes { rows in
                guard let base = rows.baseAddress else { return }
                var offset = 0
                for unit in 0..<units {
                    var a0: Float = 0, a1: Float = 0, a2: Float = 0, a3: Float = 0
                    let end = offset &+ stride &* 4
                    while offset < end {
                        let pair0 = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        let pair1 = base.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self)
                        a0 += c[Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: pair0))]
                        a1 += c[Int(truncatingIfNeeded: pair0 >> 32)]
                        a2 += c[Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: pair1))]
                        a3 += c[Int(truncatingIfNeeded: pair1 >> 32)]
                        offset &+= 16
                    }
                    y[unit] = (a0 + a1) + (a2 + a3)
                }
            }
        }
    }

    /// Centres each of up to eight inputs and stores them column-wise: `columns[i][lane]` is
    /// input `lane`'s centred element i; unused lanes and the padding column `d` are 0.
    func centreAndTranspose(_ xs: ArraySlice<[Float]>, into columns: UnsafeMutableBufferPointer<SIMD8<Float>>) {
        precondition(xs.count <= Self.lanes && columns.count == inputDimension + 1, "FlyHash.centreAndTranspose: wrong sizes")
        columns.update(repeating: .zero)
        for (lane, x) in xs.enumerated() {
            x.withUnsafeBufferPointer { input in
                let mean = Self.mean(input)
                for i in 0..<inputDimension { columns[i][lane] = input[i] - mean }
            }
        }
    }

    /// Projects the eight column-stored inputs: lane v of `output[j]` is unit j's projection of input v.
    func projectEight(_ columns: UnsafeBufferPointer<SIMD8<Float>>, into output: UnsafeMutableBufferPointer<SIMD8<Float>>) {
        precondition(columns.count == inputDimension + 1 && output.count == units, "FlyHash.projectEight: wrong buffer sizes")
        let stride = rowStride
        guard let c = columns.baseAddress, let y = output.baseAddress else { return }
        connections.withUnsafeBytes { rows in
            guard let base = rows.baseAddress else { return }
            var offset = 0
            for unit in 0..<units {
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                let end = offset &+ stride &* 4
                while offset < end {
                    let pair0 = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    let pair1 = base.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self)
                    a0 += c[Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: pair0))]
                    a1 += c[Int(truncatingIfNeeded: pair0 >> 32)]
                    a2 += c[Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: pair1))]
                    a3 += c[Int(truncatingIfNeeded: pair1 >> 32)]
                    offset &+= 16
                }
                y[unit] = (a0 + a1) + (a2 + a3)
            }
        }
    }
}
