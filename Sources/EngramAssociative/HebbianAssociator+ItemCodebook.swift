/// Item keys mapped to their sparse codes, with nearest-item look-up by overlap: the clean-up step
/// that says which stored item a recalled code stands for (for example, whether hop h of a chain
/// recalled the right item).
///
/// An inverted index from unit to the items that have it active makes a look-up cost the summed
/// length of the query units' lists, not the number of items.
///
/// ```swift
/// var book = try ItemCodebook(unitCount: 2048)
/// try book.add(codeOfItem7, key: 7)
/// let best = try book.nearest(memory.recall(cue, k: 16)).first?.key   // 7
/// ```
public struct ItemCodebook: Sendable {
    /// The number of units of every code it takes.
    public let unitCount: Int

    /// Item keys and codes by slot; a removal moves the last slot into the hole.
    private var keys: [Int] = []
    private var codes: [SparseCode] = []
    private var slotOfKey: [Int: Int] = [:]
    /// Per unit, the slots whose code has it active.
    private var postings: [[Int32]]

    /// Creates an empty codebook.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` unless
    ///   `unitCount` is in `1...Int32.max`.
    public init(unitCount: Int) throws {
        guard unitCount >= 1, unitCount <= Int(Int32.max) else {
            throw AssociativeError.invalidParameter(name: "unitCount", requirement: "must be in 1...\(Int32.max), got \(unitCount)")
        }
        self.unitCount = unitCount
        postings = [[Int32]](repeating: [], count: unitCount)
    }

    /// The number of items.
    public var count: Int { keys.count }

    /// Whether it holds no item.
    public var isEmpty: Bool { keys.isEmpty }

    /// The code stored under `key`, if any.
    public func code(for key: Int) -> SparseCode? {
        slotOfKey[key].map { codes[$0] }
    }

    /// Stores `code` under `key`.
    /// - Throws: ``AssociativeError/dimensionMismatch(expected:actual:)`` for a code of another
    ///   size, ``AssociativeError/duplicateKey(_:)`` for a key already present.
    public mutating func add(_ code: SparseCode, key: Int) throws {
        guard code.unitCount == unitCount else {
            throw AssociativeError.dimensionMismatch(expected: unitCount, actual: code.unitCount)
        }
        guard slotOfKey[key] == nil else { throw AssociativeError.duplicateKey(key) }
        guard keys.count < Int(Int32.max) else {
            throw AssociativeError.invalidParameter(name: "count", requirement: "must stay below \(Int32.max)")
        }
        let slot = keys.count
        keys.append(key)
        codes.append(code)
        slotOfKey[key] = slot
        for unit in code.active { postings[unit].append(Int32(slot)) }
    }

    /// Removes the item under `key`; returns whether it was there.
    /// - Complexity: O(Σ posting length over its code's units).
    @discardableResult
    public mutating func remove(_ key: Int) -> Bool {
        guard let slot = slotOfKey.removeValue(forKey: key) else { return false }
        for unit in codes[slot].active {
            if let position = postings[unit].lastIndex(of: Int32(slot)) { postings[unit].remove(at: position) }
        }
        let last = keys.count - 1
        if slot != last {
            // Move the last item into the hole and renumber its postings.
            for unit in codes[last].active {
                if let position = postings[unit].lastIndex(of: Int32(last)) { postings[unit][position] = Int32(slot) }
            }
            keys[slot] = keys[last]
            codes[slot] = codes[last]
            slotOfKey[keys[slot]] = slot
        }
        keys.removeLast()
        codes.removeLast()
        return true
    }

    /// The items whose codes share the most active units with `code`, most first; among equal
    /// overlaps the lower key comes first. Items sharing no unit are never returned.
    /// - Parameters:
    ///   - code: a code over ``unitCount`` units.
    ///   - count: the most items to return, at least 1.
    /// - Returns: hits whose `score` is the overlap (the number of shared active units).
    /// - Throws: ``AssociativeError/dimensionMismatch(expected:actual:)``,
    ///   ``AssociativeError/invalidParameter(name:requirement:)`` for `count < 1`,
    ///   ``AssociativeError/empty`` when it holds no item.
    /// - Complexity: O(Σ posting length over the code's units + items reached · log count).
    public func nearest(_ code: SparseCode, count: Int = 1) throws -> [SearchHit] {
        guard code.unitCount == unitCount else {
            throw AssociativeError.dimensionMismatch(expected: unitCount, actual: code.unitCount)
        }
        guard count >= 1 else {
            throw AssociativeError.invalidParameter(name: "count", requirement: "must be at least 1, got \(count)")
        }
        guard !keys.isEmpty else { throw AssociativeError.empty }

        var overlaps = [Int32](repeating: 0, count: keys.count)
        var reached: [Int32] = []
        for unit in code.active {
            for slot in postings[unit] {
                if overlaps[Int(slot)] == 0 { reached.append(slot) }
                overlaps[Int(slot)] += 1
            }
        }
        // A best-first window of (overlap, key), as in `HebbianAssociator.recall`.
        var window: [(overlap: Int32, key: Int)] = []
        window.reserveCapacity(Swift.min(count, reached.count) + 1)
        for slot in reached {
            let overlap = overlaps[Int(slot)], key = keys[Int(slot)]
            if window.count == count, let last = window.last,
               overlap < last.overlap || (overlap == last.overlap && key > last.key) {
                continue
            }
            var low = 0, high = window.count
            while low < high {
                let mid = (low + high) / 2
                let other = window[mid]
                if other.overlap > overlap || (other.overlap == overlap && other.key < key) {
                    low = mid + 1
                } else {
                    high = mid
                }
            }
            window.insert((overlap, key), at: low)
            if window.count > count { window.removeLast() }
        }
        return window.map { SearchHit(key: $0.key, score: Float($0.overlap)) }
    }
}
