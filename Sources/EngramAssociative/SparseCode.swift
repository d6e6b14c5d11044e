/// The sparse binary code of an m-unit layer: which units are active.
///
/// A fly hash or BioHash produces one by k-winners-take-all; the Hebbian associator stores and
/// recalls them. The active units are kept as sorted, distinct indices, so set operations are
/// merges of two sorted lists and a code of k active units costs k integers however large m is.
public struct SparseCode: Sendable, Hashable {
    /// The active unit indices, sorted ascending, distinct, each in `0..<unitCount`.
    public let active: [Int]
    /// The number of units m in the layer.
    public let unitCount: Int

    /// Creates a code after checking its invariants.
    /// - Parameters:
    ///   - active: the active unit indices, sorted ascending without repeats.
    ///   - unitCount: the layer size m, positive.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for a non-positive
    ///   `unitCount`, an index outside `0..<unitCount`, or indices that are not strictly ascending.
    public init(active: [Int], unitCount: Int) throws {
        try Self.validate(active: active, unitCount: unitCount)
        self.active = active
        self.unitCount = unitCount
    }

    /// Creates a code from indices the caller has already checked (the coders' winner-take-all output).
    init(uncheckedActive active: [Int], unitCount: Int) {
        assert((try? Self.validate(active: active, unitCount: unitCount)) != nil, "SparseCode: invalid \(active)")
        self.active = active
        self.unitCount = unitCount
    }

    /// Creates a code from unit indices in any order, possibly repeated: they are sorted and deduplicated.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for a non-positive
    ///   `unitCount` or an index outside `0..<unitCount`.
    public init<S: Sequence<Int>>(unsortedActive units: S, unitCount: Int) throws {
        var distinct = [Int]()
        for unit in units.sorted() where distinct.last != unit { distinct.append(unit) }
        try self.init(active: distinct, unitCount: unitCount)
    }

    static func validate(active: [Int], unitCount: Int) throws {
        guard unitCount > 0 else {
            throw AssociativeError.invalidParameter(name: "unitCount", requirement: "must be positive, got \(unitCount)")
        }
        var previous = -1
        for (position, unit) in active.enumerated() {
            guard unit >= 0 && unit < unitCount else {
                throw AssociativeError.invalidParameter(
                    name: "active", requirement: "must hold unit indices in 0..<\(unitCount), got \(unit) at position \(position)")
            }
            guard unit > previous else {
                throw AssociativeError.invalidParameter(
                    name: "active",
                    requirement: "must be sorted ascending without repeats, got \(unit) after \(previous) at position \(position)")
            }
            previous = unit
        }
    }
}

extension SparseCode {
    /// The number of active units.
    public var activeCount: Int { active.count }

    /// The fraction of the layer that is active, `activeCount / unitCount`.
    public var density: Double { Double(active.count) / Double(unitCount) }

    /// Whether `unit` is active.
    /// - Complexity: O(log k), a binary search.
    public func contains(_ unit: Int) -> Bool {
        var low = 0, high = active.count
        while low < high {
            let mid = (low + high) / 2
            if active[mid] < unit { low = mid + 1 } else { high = mid }
        }
        return low < active.count && active[low] == unit
    }

    /// The number of units active in both codes, |A ∩ B|, by a merge of the two sorted lists.
    /// - Complexity: O(kₐ + k_b).
    /// - Precondition: both codes belong to layers of the same size.
    public func overlap(with other: SparseCode) -> Int {
        precondition(unitCount == other.unitCount, "SparseCode.overlap: layers of \(unitCount) and \(other.unitCount) units")
        return active.withUnsafeBufferPointer { a in
            other.active.withUnsafeBufferPointer { b in
                var i = 0, j = 0, common = 0
                while i < a.count && j < b.count {
                    let x = a[i], y = b[j]
                    if x == y { common &+= 1 }
                    if x <= y { i &+= 1 }
                    if y <= x { j &+= 1 }
                }
                return common
            }
        }
    }

    /// The Jaccard similarity |A ∩ B| / |A ∪ B|; 1 for two codes with no active unit (equal sets).
    /// - Precondition: both codes belong to layers of the same size.
    public func jaccard(with other: SparseCode) -> Double {
        let common = overlap(with: other)
        let union = active.count + other.active.count - common
        return union == 0 ? 1 : Double(common) / Double(union)
    }

    /// The Hamming distance between the two binary vectors, |A| + |B| − 2|A ∩ B|.
    /// - Precondition: both codes belong to layers of the same size.
    public func hammingDistance(to other: SparseCode) -> Int {
        active.count + other.active.count - 2 * overlap(with: other)
    }

    /// The code as a dense 0/1 vector of `unitCount` floats.
    public var dense: [Float] {
        var vector = [Float](repeating: 0, count: unitCount)
        for unit in active { vector[unit] = 1 }
        return vector
    }
}

extension SparseCode: Codable {
    private enum CodingKeys: String, CodingKey {
        case active, unitCount
    }

    /// Decodes a code and checks its invariants.
    /// - Throws: ``AssociativeError/malformedData(_:)`` for indices that are out of range,
    ///   unsorted or repeated, or a non-positive unit count.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let active = try container.decode([Int].self, forKey: .active)
        let unitCount = try container.decode(Int.self, forKey: .unitCount)
        do {
            try self.init(active: active, unitCount: unitCount)
        } catch let error as AssociativeError {
            throw AssociativeError.malformedData("SparseCode: \(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(active, forKey: .active)
        try container.encode(unitCount, forKey: .unitCount)
    }
}

extension SparseCode: CustomStringConvertible {
    public var description: String { "SparseCode(\(active.count) of \(unitCount): \(active))" }
}
