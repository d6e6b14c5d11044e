// The packed synapse rows behind `HebbianAssociator`.
//
// Row `j` lists the nonzero synapses `W[i][j]` of cue unit `j`, sorted by target `i`, one `UInt32`
// each: `i << 8 | c`. For a count below 255, `c` is the count; `c == 255` says the count is 255 or
// more and is kept exactly in `largeCounts[j << 32 | i]`. Random sparse codes almost never reach
// that (a synapse's count is how many stored pairs share it), so the common entry is 4 bytes and
// recall streams half the memory of an (Int32, Int32) layout; the exact count is still there for
// `remove`. The packed words sort by target, so a row's order is the words' order.

extension HebbianAssociator {
    /// The most units a memory may have: targets are packed in 24 bits.
    public static let maximumUnitCount = 1 << 24

    /// The low-byte value standing for "255 or more; see `largeCounts`".
    static let largeCode: UInt32 = 0xFF

    @inline(__always) static func target(_ entry: UInt32) -> Int { Int(truncatingIfNeeded: entry >> 8) }
    @inline(__always) static func code(_ entry: UInt32) -> UInt32 { entry & 0xFF }
    @inline(__always) static func largeKey(row: Int, target: Int) -> UInt64 { UInt64(row) << 32 | UInt64(target) }

    /// The exact count of an entry of row `j`.
    @inline(__always)
    func count(row j: Int, entry: UInt32) -> UInt32 {
        let code = Self.code(entry)
        guard code == Self.largeCode else { return code }
        guard let large = largeCounts[Self.largeKey(row: j, target: Self.target(entry))] else {
            preconditionFailure("HebbianAssociator: a large count is missing")
        }
        return large
    }

    /// The exact count `W[target][j]`, 0 when the synapse does not exist.
    /// - Complexity: O(log row length).
    func count(row j: Int, target: Int) -> UInt32 {
        rows[j].withUnsafeBufferPointer { row in
            var low = 0, high = row.count
            let key = UInt32(target) << 8
            while low < high {
                let mid = (low + high) / 2
                if row[mid] < key { low = mid + 1 } else { high = mid }
            }
            guard low < row.count, Self.target(row[low]) == target else { return 0 }
            return count(row: j, entry: row[low])
        }
    }

    /// Sets the exact count of the entry at `position` of row `j` (`row` is row `j`, taken out of
    /// `rows` so that `largeCounts` can change meanwhile).
    @inline(__always)
    mutating func setCount(_ newCount: UInt32, row j: Int, at position: Int, in row: UnsafeMutableBufferPointer<UInt32>) {
        let target = Self.target(row[position])
        let key = Self.largeKey(row: j, target: target)
        if newCount < Self.largeCode {
            if Self.code(row[position]) == Self.largeCode { largeCounts[key] = nil }
            row[position] = UInt32(target) << 8 | newCount
        } else {
            largeCounts[key] = newCount
            row[position] = UInt32(target) << 8 | Self.largeCode
        }
    }

    /// Adds `amount` to the synapses of row `j` for `targets` (sorted ascending, distinct),
    /// inserting the missing ones in order.
    /// - Returns: the number of synapses created.
    /// - Complexity: O(L + |targets| log L) for a row of length L: pass 1 walks the row (it streams
    ///   from memory, where binary searches would wait on every probe), pass 2 moves the runs between
    ///   insertion points with `memmove`.
    mutating func increment(row j: Int, targets: [Int], by amount: UInt32) -> Int {
        var row: [UInt32] = []
        swap(&row, &rows[j])
        defer { swap(&row, &rows[j]) }

        // Pass 1: strengthen the synapses that exist, count the missing ones.
        var missing = 0
        row.withUnsafeMutableBufferPointer { entries in
            var position = 0
            for t in targets {
                let key = UInt32(t) << 8
                while position < entries.count, entries[position] < key { position += 1 }
                if position < entries.count, Self.target(entries[position]) == t {
                    let old = count(row: j, entry: entries[position])
                    precondition(UInt64(old) + UInt64(amount) <= UInt64(UInt32.max),
                                 "HebbianAssociator: a synapse count would exceed \(UInt32.max)")
                    setCount(old + amount, row: j, at: position, in: entries)
                    position += 1
                } else {
                    missing += 1
                }
            }
        }
        guard missing > 0 else { return 0 }

        // Pass 2: grow by the missing count and merge from the back, so each entry moves once.
        let oldCount = row.count
        row.append(contentsOf: repeatElement(0, count: missing))
        row.withUnsafeMutableBufferPointer { entries in
            guard let base = entries.baseAddress else { return }
            var read = oldCount        // entries[..<read] are not yet placed
            var write = entries.count  // entries[write...] are placed
            for t in targets.reversed() {
                // The run of unplaced entries with a target above t moves up in one memmove.
                var low = 0, high = read
                while low < high {
                    let mid = (low + high) / 2
                    if Self.target(entries[mid]) <= t { low = mid + 1 } else { high = mid }
                }
                let run = read - low
                if run > 0 {
                    (base + write - run).update(from: base + low, count: run)  // regions may overlap
                    write -= run
                    read = low
                }
                write -= 1
                if read > 0, Self.target(entries[read - 1]) == t {
                    entries[write] = entries[read - 1]  // strengthened in pass 1
                    read -= 1
                } else {
                    entries[write] = UInt32(t) << 8
                    setCount(amount, row: j, at: write, in: entries)
                }
            }
            assert(write == read, "every missing synapse inserted")
        }
        return missing
    }

    /// Merges sorted increments `target << 32 | amount` (a target may repeat) into row `j`.
    /// - Returns: the number of synapses created.
    /// - Complexity: O(L + |increments|) for a row of length L.
    mutating func merge(row j: Int, increments: [UInt64]) -> Int {
        let old = rows[j]
        var merged: [UInt32] = []
        merged.reserveCapacity(old.count + increments.count)
        var created = 0
        var i = 0, a = 0
        while i < old.count || a < increments.count {
            let rowTarget = i < old.count ? Self.target(old[i]) : Int.max
            let addTarget = a < increments.count ? Int(truncatingIfNeeded: increments[a] >> 32) : Int.max
            let t = Swift.min(rowTarget, addTarget)
            var total: UInt64 = 0
            if rowTarget == t {
                total = UInt64(count(row: j, entry: old[i]))
                i += 1
            } else {
                created += 1
            }
            while a < increments.count, Int(truncatingIfNeeded: increments[a] >> 32) == t {
                total += increments[a] & 0xFFFF_FFFF
                a += 1
            }
            precondition(total <= UInt64(UInt32.max), "HebbianAssociator: a synapse count would exceed \(UInt32.max)")
            if total < UInt64(Self.largeCode) {
                merged.append(UInt32(t) << 8 | UInt32(total))
            } else {
                largeCounts[Self.largeKey(row: j, target: t)] = UInt32(total)  // counts only grow here
                merged.append(UInt32(t) << 8 | Self.largeCode)
            }
        }
        rows[j] = merged
        return created
    }

    /// Subtracts 1 from the synapses of row `j` for `targets` (sorted ascending, all present) and
    /// deletes those that reach 0.
    /// - Returns: the number of synapses deleted.
    mutating func decrement(row j: Int, targets: [Int]) -> Int {
        var row: [UInt32] = []
        swap(&row, &rows[j])
        defer { swap(&row, &rows[j]) }

        var emptied = 0
        row.withUnsafeMutableBufferPointer { entries in
            var position = 0
            for t in targets {
                let key = UInt32(t) << 8
                while position < entries.count, entries[position] < key { position += 1 }
                precondition(position < entries.count && Self.target(entries[position]) == t,
                             "HebbianAssociator: a stored pair's synapse is missing")
                let old = count(row: j, entry: entries[position])
                setCount(old - 1, row: j, at: position, in: entries)  // a zero count leaves code 0
                if old == 1 { emptied += 1 }
                position += 1
            }
        }
        if emptied > 0 {
            row.removeAll { Self.code($0) == 0 }
            if row.isEmpty { row = [] }  // give the buffer back
        }
        return emptied
    }
}
