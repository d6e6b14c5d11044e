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
    /// comes first, so the result is deterministic.
    ///
    /// Keeps a sorted window of `k` candidates; NaN elements are never selected.
    /// - Complexity: O(n · log k) comparisons plus O(n · k) moves in the worst case (an ascending
    ///   input); O(n) for typical inputs where few elements enter the window.
    /// - Precondition: `0 ≤ k`; a `k` above the count of non-NaN elements returns all of them.
    @inlinable
    public static func topK<T: KernelScalar>(_ values: UnsafeBufferPointer<T>, k: Int) -> [Int] {
        precondition(k >= 0, "topK: k must be non-negative, got \(k)")
        guard k > 0 else { return [] }
        var window: [(value: T, index: Int)] = []
        window.reserveCapacity(min(k, values.count) + 1)
        for (index, value) in values.enumerated() where !value.isNaN {
            if window.count == k, let last = window.last, !(value > last.value) { continue }
            // Binary search for the first slot whose value is smaller than `value`: equal values
            // keep arrival order, i.e. lower index first.
            var low = 0, high = window.count
            while low < high {
                let mid = (low + high) / 2
                if window[mid].value >= value { low = mid + 1 } else { high = mid }
            }
            window.insert((value, index), at: low)
            if window.count > k { window.removeLast() }
        }
        return window.map(\.index)
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
