import EngramKernels

/// k-winners-take-all for the coders, equal to `Kernels.winnerTakeAll` (ascending indices, ties to
/// the lower index, NaN never selected) but with a cheap pre-filter in front of it.
///
/// Split the m values into ⌈k/2⌉ blocks and let τ be the smallest of the blocks' second-largest
/// values. Each block holds two different elements ≥ its second largest, so at least k elements are
/// ≥ τ, the k-th largest value is ≥ τ, and every winner is among the elements ≥ τ. One SIMD pass
/// finds τ, a second collects those candidates (about 3 % of the layer for typical codes), each as
/// one integer key that orders by value descending, then index ascending; a quickselect keeps the
/// first k keys and a bitmap over the units returns their indices in ascending order. Same winners
/// as `Kernels.winnerTakeAll`, ties included, in about half its time for m = 2,048 and k = 32 on
/// varied inputs (its sorted window pays an array insertion for every element that enters it).
///
/// (This belongs beside `Kernels.winnerTakeAll` in EngramKernels; it lives here until it moves.)
enum WinnerSelection {
    /// The indices of the `k` largest of `values`, ascending; equal to `Kernels.winnerTakeAll(values, k:)`.
    /// - Precondition: `0 ≤ k ≤ values.count`.
    static func winners(_ values: UnsafeBufferPointer<Float>, k: Int) -> [Int] {
        let n = values.count
        precondition(k >= 0 && k <= n, "WinnerSelection: k = \(k) outside 0...\(n)")
        guard k > 0, n >= 8 * k, n <= Int(UInt32.max), let base = values.baseAddress else {
            return Kernels.winnerTakeAll(values, k: k)
        }
        let raw = UnsafeRawPointer(base)
        let threshold = self.threshold(base, count: n, k: k)

        var candidates = [UInt64]()
        candidates.reserveCapacity(2 * k + 64)
        let bound = SIMD8<Float>(repeating: threshold)
        let laneBits = SIMD8<Int32>(1, 2, 4, 8, 16, 32, 64, 128)
        var i = 0
        while i + 8 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let mask = v .>= bound
            if any(mask) {
                var bits = SIMD8<Int32>().replacing(with: laneBits, where: mask).wrappedSum()
                while bits != 0 {
                    let lane = bits.trailingZeroBitCount
                    candidates.append(key(v[lane], index: i + lane))
                    bits &= bits - 1
                }
            }
            i += 8
        }
        while i < n {
            if base[i] >= threshold { candidates.append(key(base[i], index: i)) }
            i += 1
        }
        return select(&candidates, k: k, unitCount: n)
    }

    /// τ: the smallest over ⌈k/2⌉ blocks of the block's second-largest value. Each SIMD lane keeps
    /// its two largest elements (different positions); NaN never replaces them (`.>` is false), and
    /// a block with fewer than two non-NaN values yields −∞, which admits every non-NaN value.
    static func threshold(_ base: UnsafePointer<Float>, count n: Int, k: Int) -> Float {
        let raw = UnsafeRawPointer(base)
        let blocks = (k + 1) / 2
        let blockSize = (n / blocks) & ~7
        var threshold = Float.infinity
        for block in 0..<blocks {
            let start = block * blockSize
            let end = block == blocks - 1 ? n : start + blockSize
            var first = SIMD8<Float>(repeating: -.infinity), second = first
            var i = start
            while i + 8 <= end {
                let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                let larger = v .> first
                // The value that drops out of first place: the old first where v beats it, else v.
                let demoted = v.replacing(with: first, where: larger)
                second.replace(with: demoted, where: demoted .> second)
                first.replace(with: v, where: larger)
                i += 8
            }
            // The two largest of the sixteen kept values, then of the tail.
            var top = -Float.infinity, runnerUp = -Float.infinity
            func offer(_ value: Float) {
                if value > top {
                    runnerUp = top
                    top = value
                } else if value > runnerUp {
                    runnerUp = value
                }
            }
            for lane in 0..<8 {
                offer(first[lane])
                offer(second[lane])
            }
            while i < end {
                offer(base[i])
                i += 1
            }
            if runnerUp < threshold { threshold = runnerUp }
        }
        return threshold
    }

    /// A key whose unsigned order is: larger value first, then lower index. The value's bits are
    /// mapped to an order-preserving unsigned integer (−0 taken as +0, since they compare equal)
    /// and complemented; the index fills the low 32 bits. NaN is never a candidate.
    @inline(__always)
    static func key(_ value: Float, index: Int) -> UInt64 {
        let bits = value == 0 ? 0 : value.bitPattern
        let ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return UInt64(~ordered) << 32 | UInt64(truncatingIfNeeded: index)
    }

    /// The unit indices of the `k` smallest keys (the keys are distinct), ascending: a quickselect
    /// moves them to the front, and a bitmap over the `unitCount` units orders their indices.
    static func select(_ keys: inout [UInt64], k: Int, unitCount: Int) -> [Int] {
        let count = min(k, keys.count)
        keys.withUnsafeMutableBufferPointer { keys in
            var low = 0, high = keys.count - 1
            // Invariant: position count − 1 lies in low...high, everything before low is smaller
            // and everything after high larger than everything in low...high.
            while low < high {
                // Median of three as the pivot, then a Lomuto partition of low...high around it.
                let mid = low + (high - low) / 2
                if keys[mid] < keys[low] { keys.swapAt(mid, low) }
                if keys[high] < keys[low] { keys.swapAt(high, low) }
                if keys[high] < keys[mid] { keys.swapAt(high, mid) }
                keys.swapAt(mid, high)
                let pivot = keys[high]
                var store = low
                for i in low..<high where keys[i] < pivot {
                    keys.swapAt(i, store)
                    store += 1
                }
                keys.swapAt(store, high)
                if store == count - 1 || store == count { break }
                if store < count { low = store + 1 } else { high = store - 1 }
            }
        }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: (unitCount + 63) / 64) { bitmap in
            bitmap.update(repeating: 0)
            for key in keys[0..<count] {
                let unit = Int(truncatingIfNeeded: key & 0xFFFF_FFFF)
                bitmap[unit >> 6] |= 1 << UInt64(unit & 63)
            }
            var winners = [Int]()
            winners.reserveCapacity(count)
            for (word, var bits) in bitmap.enumerated() {
                while bits != 0 {
                    winners.append(word << 6 | bits.trailingZeroBitCount)
                    bits &= bits - 1
                }
            }
            return winners
        }
    }
}
