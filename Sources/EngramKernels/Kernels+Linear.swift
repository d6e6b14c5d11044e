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
        let rx = UnsafeRawPointer(px), ry = UnsafeMutableRawPointer(py)
        let stride = MemoryLayout<T>.stride
        let scale = SIMD8<T>(repeating: alpha)
        var i = 0
        while i + 8 <= n {
            let product = scale * rx.loadUnaligned(fromByteOffset: i * stride, as: SIMD8<T>.self)
            let sum = ry.loadUnaligned(fromByteOffset: i * stride, as: SIMD8<T>.self) + product
            ry.storeBytes(of: sum, toByteOffset: i * stride, as: SIMD8<T>.self)
            i += 8
        }
        while i < n {
            let product = alpha * px[i]
            py[i] = py[i] + product
            i += 1
        }
    }

    /// `y ← A·x` for a row-major `rows × columns` matrix `A`: one ``dot(_:_:)`` per row.
    ///
    /// - Complexity: O(rows · columns).
    /// - Precondition: `matrix.count == rows · columns`, `x.count == columns`, `y.count == rows`.
    /// - Note: Tolerance per output as for ``dot(_:_:)``.
    @inlinable
    public static func gemv<T: KernelScalar>(
        _ matrix: UnsafeBufferPointer<T>, rows: Int, columns: Int,
        _ x: UnsafeBufferPointer<T>, into y: UnsafeMutableBufferPointer<T>
    ) {
        precondition(rows >= 0 && columns >= 0, "gemv: negative shape \(rows)×\(columns)")
        precondition(matrix.count == rows * columns, "gemv: matrix has \(matrix.count) elements, not \(rows)×\(columns)")
        precondition(x.count == columns, "gemv: x has \(x.count) elements, not \(columns)")
        precondition(y.count == rows, "gemv: y has \(y.count) elements, not \(rows)")
        for row in 0..<rows {
            let start = row * columns
            y[row] = dot(UnsafeBufferPointer(rebasing: matrix[start..<start + columns]), x)
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
