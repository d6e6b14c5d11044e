import CEngramKernels

extension Kernels {
    /// The dot product `Σ aᵢ·bᵢ`.
    ///
    /// Four 8-lane SIMD accumulators hide the add latency; the lanes are summed at the end.
    /// - Complexity: O(n).
    /// - Precondition: `a.count == b.count`.
    /// - Note: Tolerance: the summation order differs from a left-to-right loop (and Float uses
    ///   fused multiply-adds where the CPU has them), so the result may differ from it by at most
    ///   `n · ulp(1) · Σ|aᵢ·bᵢ|` (the standard bound γₙ, which holds for any order).
    @inlinable
    public static func dot<T: KernelScalar>(_ a: UnsafeBufferPointer<T>, _ b: UnsafeBufferPointer<T>) -> T {
        precondition(a.count == b.count, "dot: lengths differ (\(a.count) vs \(b.count))")
        guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return 0 }
        if T.self == Float.self && hasAVX2FMA {
            return T(engram_sdot_avx2(floatPointer(pa), floatPointer(pb), a.count))
        }
        return portableDot(pa, pb, count: a.count)
    }

    /// ``dot(_:_:)`` in portable Swift SIMD (the x86-64 baseline, or NEON on ARM).
    @inlinable
    static func portableDot<T: KernelScalar>(_ pa: UnsafePointer<T>, _ pb: UnsafePointer<T>, count n: Int) -> T {
        var acc0 = SIMD8<T>(), acc1 = SIMD8<T>(), acc2 = SIMD8<T>(), acc3 = SIMD8<T>()
        var i = 0
        while i &+ 32 <= n {
            acc0 += load8(pa, i) * load8(pb, i)
            acc1 += load8(pa, i &+ 8) * load8(pb, i &+ 8)
            acc2 += load8(pa, i &+ 16) * load8(pb, i &+ 16)
            acc3 += load8(pa, i &+ 24) * load8(pb, i &+ 24)
            i &+= 32
        }
        while i &+ 8 <= n {
            acc0 += load8(pa, i) * load8(pb, i)
            i &+= 8
        }
        var total = horizontalSum((acc0 + acc1) + (acc2 + acc3))
        while i < n {
            total += pa[i] * pb[i]
            i &+= 1
        }
        return total
    }

    /// The squared Euclidean norm `Σ aᵢ²`, with the tolerance of ``dot(_:_:)``.
    @inlinable
    public static func squaredNorm<T: KernelScalar>(_ a: UnsafeBufferPointer<T>) -> T {
        dot(a, a)
    }

    /// The Euclidean norm `√(Σ aᵢ²)`, with the tolerance of ``dot(_:_:)`` plus half an ulp.
    @inlinable
    public static func norm<T: KernelScalar>(_ a: UnsafeBufferPointer<T>) -> T {
        dot(a, a).squareRoot()
    }

    /// The squared Euclidean distance `Σ (aᵢ − bᵢ)²`.
    ///
    /// - Precondition: `a.count == b.count`.
    /// - Note: Tolerance as for ``dot(_:_:)`` over the differences.
    @inlinable
    public static func squaredDistance<T: KernelScalar>(
        _ a: UnsafeBufferPointer<T>, _ b: UnsafeBufferPointer<T>
    ) -> T {
        precondition(a.count == b.count, "squaredDistance: lengths differ (\(a.count) vs \(b.count))")
        let n = a.count
        guard n > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return 0 }
        var acc0 = SIMD8<T>(), acc1 = SIMD8<T>()
        var i = 0
        while i &+ 16 <= n {
            let d0 = load8(pa, i) - load8(pb, i)
            let d1 = load8(pa, i &+ 8) - load8(pb, i &+ 8)
            acc0 += d0 * d0
            acc1 += d1 * d1
            i &+= 16
        }
        while i &+ 8 <= n {
            let d = load8(pa, i) - load8(pb, i)
            acc0 += d * d
            i &+= 8
        }
        var total = horizontalSum(acc0 + acc1)
        while i < n {
            let d = pa[i] - pb[i]
            total += d * d
            i &+= 1
        }
        return total
    }

    /// Cosine similarity `a·b / (‖a‖·‖b‖)`, defined as 0 when `‖a‖·‖b‖ ≤ minimumNormProduct`.
    ///
    /// The guard reproduces the few-shot reference, which scores a zero vector 0 instead of NaN.
    /// - Precondition: `a.count == b.count`.
    @inlinable
    public static func cosine<T: KernelScalar>(
        _ a: UnsafeBufferPointer<T>, _ b: UnsafeBufferPointer<T>, minimumNormProduct: T = 1e-12
    ) -> T {
        let denominator = norm(a) * norm(b)
        return denominator <= minimumNormProduct ? 0 : dot(a, b) / denominator
    }
}

// MARK: - SIMD helpers

extension Kernels {
    /// Eight consecutive elements starting at `base + offset`, without an alignment requirement.
    @inlinable @inline(__always)
    static func load8<T: KernelScalar>(_ base: UnsafePointer<T>, _ offset: Int) -> SIMD8<T> {
        UnsafeRawPointer(base + offset).loadUnaligned(as: SIMD8<T>.self)
    }

    /// The sum of the lanes by halving (8 → 4 → 2 → 1), which compiles to a few shuffles and adds.
    @inlinable @inline(__always)
    static func horizontalSum<T: KernelScalar>(_ v: SIMD8<T>) -> T {
        let four = v.lowHalf + v.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }
}

// MARK: - Array conveniences

extension Kernels {
    /// ``dot(_:_:)-(UnsafeBufferPointer<T>,UnsafeBufferPointer<T>)`` over arrays.
    @inlinable
    public static func dot<T: KernelScalar>(_ a: [T], _ b: [T]) -> T {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in dot(pa, pb) } }
    }

    /// ``norm(_:)-(UnsafeBufferPointer<T>)`` over an array.
    @inlinable
    public static func norm<T: KernelScalar>(_ a: [T]) -> T {
        a.withUnsafeBufferPointer { norm($0) }
    }

    /// ``squaredDistance(_:_:)-(UnsafeBufferPointer<T>,UnsafeBufferPointer<T>)`` over arrays.
    @inlinable
    public static func squaredDistance<T: KernelScalar>(_ a: [T], _ b: [T]) -> T {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in squaredDistance(pa, pb) } }
    }

    /// ``cosine(_:_:minimumNormProduct:)-(UnsafeBufferPointer<T>,UnsafeBufferPointer<T>,T)`` over arrays.
    @inlinable
    public static func cosine<T: KernelScalar>(_ a: [T], _ b: [T], minimumNormProduct: T = 1e-12) -> T {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in cosine(pa, pb, minimumNormProduct: minimumNormProduct) }
        }
    }
}
