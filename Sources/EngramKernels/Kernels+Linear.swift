import CEngramKernels

extension Kernels {
    /// `y ← y + α·x`, element by element.
    ///
    /// The product and the sum are rounded separately (no fused multiply-add), so the result is
    /// bit-identical to NumPy's `y += alpha * x`, which the few-shot parity depends on.
    /// - Complexity: O(n).
    /// - Precondition: `x.count == y.count`.
    @inlinable
    public static func axpy<T: KernelScalar>(
        _ alpha: T, _ x: UnsafeBufferPointer<T>, _ y: UnsafeMutableBufferPointer<T>
    ) {
        precondition(x.count == y.count, "axpy: lengths differ (\(x.count) vs \(y.count))")
        let n = x.count
        guard n > 0, let px = x.baseAddress, let py = y.baseAddress else { return }
        if T.self == Float.self && hasAVX2FMA {
            engram_saxpy_avx2(Float(alpha), floatPointer(px), UnsafeMutableRawPointer(py).assumingMemoryBound(to: Float.self), n)
            return
        }
        let scale = SIMD8<T>(repeating: alpha)
        var i = 0
        while i &+ 8 <= n {
            let product = scale * load8(px, i)
            let sum = load8(UnsafePointer(py), i) + product
            UnsafeMutableRawPointer(py + i).storeBytes(of: sum, as: SIMD8<T>.self)
            i &+= 8
        }
        while i < n {
            let product = alpha * px[i]
            py[i] = py[i] + product
            i &+= 1
        }
    }

    /// `y ← A·x` for a row-major `rows × columns` matrix `A`.
    ///
    /// Rows are processed four at a time so that each load of `x` serves four rows, with one 8-lane
    /// accumulator per row; this is the kernel behind scoring one query against many stored rows.
    /// - Complexity: O(rows · columns).
    /// - Precondition: `matrix.count == rows · columns`, `x.count == columns`, `y.count == rows`.
    /// - Note: Tolerance per output as for ``dot(_:_:)``: `columns · ulp(1) · Σⱼ|Aᵢⱼ·xⱼ|`.
    @inlinable
    public static func gemv<T: KernelScalar>(
        _ matrix: UnsafeBufferPointer<T>, rows: Int, columns: Int,
        _ x: UnsafeBufferPointer<T>, into y: UnsafeMutableBufferPointer<T>
    ) {
        precondition(rows >= 0 && columns >= 0, "gemv: negative shape \(rows)×\(columns)")
        precondition(matrix.count == rows * columns, "gemv: matrix has \(matrix.count) elements, not \(rows)×\(columns)")
        precondition(x.count == columns, "gemv: x has \(x.count) elements, not \(columns)")
        precondition(y.count == rows, "gemv: y has \(y.count) elements, not \(rows)")
        guard rows > 0 else { return }
        guard columns > 0, let a = matrix.baseAddress, let px = x.baseAddress, let py = y.baseAddress else {
            y.update(repeating: 0)
            return
        }
        if T.self == Float.self && hasAVX2FMA {
            engram_sgemv_avx2(floatPointer(a), rows, columns, floatPointer(px), UnsafeMutableRawPointer(py).assumingMemoryBound(to: Float.self))
            return
        }
        let vectorColumns = columns & ~7
        var row = 0
        while row &+ 4 <= rows {
            let r0 = a + row &* columns, r1 = r0 + columns, r2 = r1 + columns, r3 = r2 + columns
            var acc0 = SIMD8<T>(), acc1 = SIMD8<T>(), acc2 = SIMD8<T>(), acc3 = SIMD8<T>()
            var j = 0
            while j < vectorColumns {
                let xj = load8(px, j)
                acc0 += load8(r0, j) * xj
                acc1 += load8(r1, j) * xj
                acc2 += load8(r2, j) * xj
                acc3 += load8(r3, j) * xj
                j &+= 8
            }
            var s0 = horizontalSum(acc0), s1 = horizontalSum(acc1), s2 = horizontalSum(acc2), s3 = horizontalSum(acc3)
            while j < columns {
                let xj = px[j]
                s0 += r0[j] * xj
                s1 += r1[j] * xj
                s2 += r2[j] * xj
                s3 += r3[j] * xj
                j &+= 1
            }
            y[row] = s0
            y[row &+ 1] = s1
            y[row &+ 2] = s2
            y[row &+ 3] = s3
            row &+= 4
        }
        while row < rows {
            let start = row &* columns
            y[row] = dot(UnsafeBufferPointer(rebasing: matrix[start..<start &+ columns]), x)
            row &+= 1
        }
    }

    /// ``axpy(_:_:_:)-(T,UnsafeBufferPointer<T>,UnsafeMutableBufferPointer<T>)`` over arrays.
    @inlinable
    public static func axpy<T: KernelScalar>(_ alpha: T, _ x: [T], _ y: inout [T]) {
        x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { py in axpy(alpha, px, py) } }
    }

    /// ``gemv(_:rows:columns:_:into:)`` over arrays, returning `A·x`.
    @inlinable
    public static func gemv<T: KernelScalar>(_ matrix: [T], rows: Int, columns: Int, _ x: [T]) -> [T] {
        var y = [T](repeating: 0, count: rows)
        matrix.withUnsafeBufferPointer { pm in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in gemv(pm, rows: rows, columns: columns, px, into: py) }
            }
        }
        return y
    }
}
