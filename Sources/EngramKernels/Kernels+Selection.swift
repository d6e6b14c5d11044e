extension Kernels {
    /// The index of the largest element; the first one wins ties, as NumPy's `argmax` does.
    ///
    /// NaN never compares greater, so it is never selected unless every element is NaN (then 0).
    /// - Returns: `nil` for an empty buffer.
    /// - Complexity: O(n).
    @inlinable
    public static func argmax<T: KernelScalar>(_ values: UnsafeBufferPointer<T>) -> Int? {
        guard !values.isEmpty else { return nil }
        var best = 0
        var bestValue = values[0]
        for i in 1..<values.count where values[i] > bestValue || (bestValue.isNaN && !values[i].isNaN) {
            best = i
            bestValue = values[i]
        }
        return best
    }

    /// The indices of the `k` largest elements, largest first; among equal values the lower index
    /// comes first, so the result is deterministic. NaN elements are never selected.
    ///
    /// Keeps a sorted window of the `k` best seen so far. Once it is full, nearly every element of a
    /// long input falls below the window's worst value, so the scan compares 32 elements at a time
    /// against it with SIMD and visits single elements only in the rare blocks where one enters.
    /// - Complexity: O(n) compares, plus O(log k + k) for each element that enters the window.
    /// - Precondition: `0 ≤ k`; a `k` above the count of non-NaN elements returns all of them.
    @inlinable
    public static func topK<T: KernelScalar>(_ values: UnsafeBufferPointer<T>, k: Int) -> [Int] {
        precondition(k >= 0, "topK: k must be non-negative, got \(k)")
        let n = values.count
        guard k > 0, n > 0, let base = values.baseAddress else { return [] }
        var window = TopWindow<T>(capacity: min(k, n))
        var i = 0
        while i < n && !window.isFull {
            window.offer(base[i], index: i)
            i &+= 1
        }
        while i &+ 32 <= n {
            let enters: Bool
            if T.self == Float.self {
                // The concrete Float compare lowers to packed compares; the generic one may not.
                enters = anyAbove(floatPointer(base) + i, Float(window.threshold))
            } else {
                let threshold = SIMD8<T>(repeating: window.threshold)
                enters = any((load8(base, i) .> threshold) .| (load8(base, i &+ 8) .> threshold)
                    .| (load8(base, i &+ 16) .> threshold) .| (load8(base, i &+ 24) .> threshold))
            }
            if enters {
                for j in i..<i &+ 32 { window.offer(base[j], index: j) }
            }
            i &+= 32
        }
        while i < n {
            window.offer(base[i], index: i)
            i &+= 1
        }
        return window.indices
    }

    /// Whether any of the 32 floats at `base` exceeds `threshold`.
    @inlinable @inline(__always)
    static func anyAbove(_ base: UnsafePointer<Float>, _ threshold: Float) -> Bool {
        let t = SIMD8<Float>(repeating: threshold)
        let raw = UnsafeRawPointer(base)
        return any((raw.loadUnaligned(as: SIMD8<Float>.self) .> t)
            .| (raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) .> t)
            .| (raw.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self) .> t)
            .| (raw.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self) .> t))
    }

    /// The `capacity` best (value, index) pairs seen so far, by descending value, arrival order
    /// among equal values.
    @usableFromInline
    struct TopWindow<T: KernelScalar> {
        @usableFromInline var values: [T] = []
        @usableFromInline var indices: [Int] = []
        @usableFromInline let capacity: Int

        @inlinable
        init(capacity: Int) {
            self.capacity = capacity
            values.reserveCapacity(capacity + 1)
            indices.reserveCapacity(capacity + 1)
        }

        @inlinable var isFull: Bool { values.count == capacity }

        /// The value an element must exceed to enter a full window.
        @inlinable var threshold: T { values[capacity - 1] }

        /// Takes `value` if it beats the worst kept value (any non-NaN value while not full).
        @inlinable
        mutating func offer(_ value: T, index: Int) {
            guard !value.isNaN else { return }
            if isFull && !(value > threshold) { return }
            // The first slot holding a smaller value: equal values keep arrival order.
            var low = 0, high = values.count
            while low < high {
                let mid = (low &+ high) >> 1
                if values[mid] >= value { low = mid &+ 1 } else { high = mid }
            }
            values.insert(value, at: low)
            indices.insert(index, at: low)
            if values.count > capacity {
                values.removeLast()
                indices.removeLast()
            }
        }
    }

    /// Winner-take-all: the indices of the `k` largest elements in ascending index order, the sparse
    /// code of a k-winners-take-all layer. Ties are broken towards the lower index.
    ///
    /// - Complexity: as ``topK(_:k:)`` plus O(k log k).
    /// - Precondition: `0 ≤ k ≤ values.count`.
    @inlinable
    public static func winnerTakeAll<T: KernelScalar>(_ values: UnsafeBufferPointer<T>, k: Int) -> [Int] {
        precondition(k >= 0 && k <= values.count, "winnerTakeAll: k = \(k) outside 0...\(values.count)")
        return topK(values, k: k).sorted()
    }

    /// Winner-take-all in place: keeps the `k` largest elements and sets every other one to zero.
    ///
    /// - Precondition: `0 ≤ k ≤ values.count`.
    @inlinable
    public static func winnerTakeAll<T: KernelScalar>(inPlace values: UnsafeMutableBufferPointer<T>, k: Int) {
        let winners = winnerTakeAll(UnsafeBufferPointer(values), k: k)
        var next = 0
        for i in values.indices {
            if next < winners.count && winners[next] == i {
                next += 1
            } else {
                values[i] = 0
            }
        }
    }

    /// ``argmax(_:)-(UnsafeBufferPointer<T>)`` over an array.
    @inlinable
    public static func argmax<T: KernelScalar>(_ values: [T]) -> Int? {
        values.withUnsafeBufferPointer { argmax($0) }
    }

    /// ``topK(_:k:)-(UnsafeBufferPointer<T>,Int)`` over an array.
    @inlinable
    public static func topK<T: KernelScalar>(_ values: [T], k: Int) -> [Int] {
        values.withUnsafeBufferPointer { topK($0, k: k) }
    }

    /// ``winnerTakeAll(_:k:)-(UnsafeBufferPointer<T>,Int)`` over an array.
    @inlinable
    public static func winnerTakeAll<T: KernelScalar>(_ values: [T], k: Int) -> [Int] {
        values.withUnsafeBufferPointer { winnerTakeAll($0, k: k) }
    }
}
