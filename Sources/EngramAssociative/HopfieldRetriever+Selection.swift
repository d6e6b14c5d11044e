extension HopfieldRetriever {
    /// The indices of the `k` largest elements, largest first, the lower index first among equal
    /// values, NaN never selected: the contract of ``Kernels/topK(_:k:)``, which it reproduces
    /// index for index.
    ///
    /// Stage 1 selects 20 of N = 20,000 scores per query, and nearly every score falls below the
    /// current k-th best, so the scan tests 32 scores at a time against that threshold with SIMD
    /// compares and visits single elements only in the rare blocks where one of them enters; this
    /// takes a fraction of the time of a per-element window test, which matters next to a gemv
    /// of a few hundred microseconds.
    /// - Complexity: O(n) compares, plus O(log k + k) per element that enters the window.
    /// - Precondition: `k ≥ 0`.
    static func largestIndices(_ values: UnsafeBufferPointer<Float>, k: Int) -> [Int] {
        precondition(k >= 0, "largestIndices: k must be non-negative, got \(k)")
        let n = values.count
        guard k > 0, n > 0, let base = values.baseAddress else { return [] }
        var window = TopWindow(capacity: min(k, n))

        var i = 0
        while i < n && !window.isFull {
            window.offer(base[i], index: i)
            i &+= 1
        }
        while i &+ 32 <= n {
            let threshold = SIMD8<Float>(repeating: window.threshold)
            let raw = UnsafeRawPointer(base + i)
            let block = (raw.loadUnaligned(as: SIMD8<Float>.self) .> threshold)
                .| (raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) .> threshold)
                .| (raw.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self) .> threshold)
                .| (raw.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self) .> threshold)
            if any(block) {
                for j in i ..< i &+ 32 { window.offer(base[j], index: j) }
            }
            i &+= 32
        }
        while i < n {
            window.offer(base[i], index: i)
            i &+= 1
        }
        return window.indices
    }

    /// The `capacity` best (value, index) pairs seen so far, sorted by descending value, arrival order
    /// among equal values.
    struct TopWindow {
        var values: [Float] = []
        var indices: [Int] = []
        let capacity: Int

        init(capacity: Int) {
            precondition(capacity >= 1)
            self.capacity = capacity
            values.reserveCapacity(capacity + 1)
            indices.reserveCapacity(capacity + 1)
        }

        var isFull: Bool { values.count == capacity }

        /// The value an element must exceed to enter a full window.
        var threshold: Float { values[capacity - 1] }

        /// Takes `value` if it beats the worst kept value (any non-NaN value while not full).
        mutating func offer(_ value: Float, index: Int) {
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
}
