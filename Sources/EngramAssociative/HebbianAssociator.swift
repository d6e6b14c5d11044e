/// A hetero-associative Hebbian memory over sparse binary codes (Willshaw's associative net, as
/// used by NuoNuo's multi-hop chains).
///
/// Storing a pair adds the outer product of the target and the cue to an `m × m` count matrix,
/// `W[i][j] += 1` for every target unit `i` and cue unit `j`; recalling a cue `c` fires the `k`
/// units with the largest input `(W·c)[i] = Σ_{j ∈ c} W[i][j]`. Following recall repeatedly walks
/// a chain of stored pairs (``chain(from:hops:k:)``).
///
/// ```swift
/// var memory = try HebbianAssociator(unitCount: 2048)
/// try memory.store(cue: a, target: b)
/// try memory.store(cue: b, target: c)
/// let path = try memory.chain(from: a, hops: 2, k: 16)   // [b, c]
/// ```
///
/// **Storage.** `W` is never dense: each cue unit `j` keeps a sorted row of its nonzero synapses
/// `(target i, count)` packed in 4 bytes, so memory grows with the number of nonzero synapses, not
/// with `m²`, and recall streams only the rows of the cue's active units. Up to 2²⁴ units.
///
/// **Exact forgetting.** The matrix keeps raw counts (how many stored pairs share a synapse) and
/// the multiset of stored pairs, so ``remove(cue:target:)`` undoes one ``store(cue:target:)``
/// exactly and refuses pairs that were never stored. Clipping (binary Willshaw weights) is
/// therefore applied when reading, through ``Options-swift.struct/weightLimit``, and can be changed
/// at any time without losing information.
///
/// **Recall rules.** A unit with no input never fires, so a cue that reaches fewer than `k` units
/// recalls fewer than `k` (possibly none); among equal inputs the lower unit index wins.
/// Recall on a memory that holds no pair throws ``AssociativeError/empty``.
public struct HebbianAssociator: Sendable, Equatable {
    /// How recall turns the stored counts into unit inputs.
    public struct Options: Sendable, Hashable, Codable {
        /// The largest weight a synapse contributes to an input: `min(count, weightLimit)`.
        /// `nil` uses the raw counts (a pair stored twice weighs twice); `1` gives binary Willshaw
        /// weights `W ∈ {0, 1}`, which keep capacity when many pairs share units.
        public let weightLimit: Int?
        /// How an input is scaled before the threshold is applied and it is reported.
        public let normalization: Normalization
        /// The smallest (normalised) input with which a unit may fire; `nil` lets the `k` largest
        /// nonzero inputs fire. With ``Normalization/cueSize``, binary weights and threshold 1 a unit
        /// fires only when it is connected to every active cue unit (the classic Willshaw rule).
        public let threshold: Float?

        /// Creates recall options.
        /// - Parameters:
        ///   - weightLimit: `nil` (raw counts) or a cap in `1...UInt32.max`.
        ///   - normalization: ``Normalization/raw`` by default.
        ///   - threshold: `nil` or a finite value.
        /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` otherwise.
        public init(weightLimit: Int? = nil, normalization: Normalization = .raw, threshold: Float? = nil) throws {
            if let weightLimit, weightLimit < 1 || weightLimit > Int(UInt32.max) {
                throw AssociativeError.invalidParameter(
                    name: "weightLimit", requirement: "must be nil or in 1...\(UInt32.max), got \(weightLimit)")
            }
            if let threshold, !threshold.isFinite {
                throw AssociativeError.invalidParameter(name: "threshold", requirement: "must be finite, got \(threshold)")
            }
            self.weightLimit = weightLimit
            self.normalization = normalization
            self.threshold = threshold
        }

        private init(validWeightLimit: Int?, normalization: Normalization, threshold: Float?) {
            self.weightLimit = validWeightLimit
            self.normalization = normalization
            self.threshold = threshold
        }

        /// Raw counts, no normalisation, no threshold: the `k` units with the largest `W·c`.
        public static let counts = Options(validWeightLimit: nil, normalization: .raw, threshold: nil)
        /// Binary weights `W ∈ {0, 1}` ranked by how many active cue units reach each unit.
        public static let binary = Options(validWeightLimit: 1, normalization: .raw, threshold: nil)
        /// Classic Willshaw recall: binary weights, input divided by the cue size, threshold 1, so
        /// only units connected to every active cue unit fire (at most `k` of them).
        public static let willshaw = Options(validWeightLimit: 1, normalization: .cueSize, threshold: 1)

        private enum CodingKeys: String, CodingKey { case weightLimit, normalization, threshold }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(
                weightLimit: try container.decodeIfPresent(Int.self, forKey: .weightLimit),
                normalization: try container.decode(Normalization.self, forKey: .normalization),
                threshold: try container.decodeIfPresent(Float.self, forKey: .threshold))
        }
    }

    /// How an input is scaled.
    public enum Normalization: String, Sendable, Hashable, Codable {
        /// The input is `Σ_{j ∈ cue} min(W[i][j], weightLimit)`.
        case raw
        /// The input is divided by the number of active cue units, so with binary weights it is the
        /// fraction of the cue that reaches the unit (in `[0, 1]`). It does not change the ranking,
        /// only the reported inputs and the scale of the threshold.
        case cueSize
    }

    /// One stored association, the key of the pair multiset.
    struct Pair: Hashable, Sendable {
        var cue: SparseCode
        var target: SparseCode
    }

    /// The number of units `m` of every code the memory takes.
    public let unitCount: Int
    /// Recall options; may be changed at any time (the stored counts are not affected).
    public var options: Options

    /// Per cue unit `j`, its nonzero synapses sorted by target, packed 4 bytes each (see
    /// `HebbianAssociator+Synapses.swift`): `target << 8 | count`, the count 255 standing for a
    /// count ≥ 255 kept exactly in `largeCounts`.
    internal var rows: [[UInt32]]
    /// The exact counts ≥ 255, keyed by `cue << 32 | target`.
    internal var largeCounts: [UInt64: UInt32]
    /// The multiset of stored pairs: pair → how many times it is stored.
    internal var pairs: [Pair: Int]
    /// Stores minus removes.
    public private(set) var pairCount: Int
    /// Nonzero entries of `W`.
    public private(set) var synapseCount: Int
    /// Active units summed over the distinct stored pairs (cue plus target), for the memory estimate.
    internal var pairUnitCount: Int

    /// Creates an empty memory over `unitCount` units.
    /// - Parameters:
    ///   - unitCount: `m`, in `1...16_777_216` (2²⁴: a synapse packs its target in 24 bits).
    ///   - options: recall options; raw counts by default.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for `unitCount` out of range.
    public init(unitCount: Int, options: Options = .counts) throws {
        guard unitCount >= 1, unitCount <= Self.maximumUnitCount else {
            throw AssociativeError.invalidParameter(
                name: "unitCount", requirement: "must be in 1...\(Self.maximumUnitCount), got \(unitCount)")
        }
        self.unitCount = unitCount
        self.options = options
        rows = [[UInt32]](repeating: [], count: unitCount)
        largeCounts = [:]
        pairs = [:]
        pairCount = 0
        synapseCount = 0
        pairUnitCount = 0
    }

    /// The number of distinct stored pairs (a pair stored twice counts once).
    public var distinctPairCount: Int { pairs.count }

    /// Whether no pair is stored.
    public var isEmpty: Bool { pairCount == 0 }

    /// An estimate of the heap memory the structure holds, in bytes: the synapse rows (4 bytes per
    /// allocated slot plus one array reference per unit), the large counts and the stored pair
    /// multiset.
    /// - Complexity: O(m).
    public var approximateByteCount: Int {
        var bytes = unitCount * MemoryLayout<[UInt32]>.stride
        for row in rows where row.capacity > 0 {
            bytes += row.capacity * MemoryLayout<UInt32>.stride + 32
        }
        bytes += largeCounts.capacity * (MemoryLayout<UInt64>.stride + MemoryLayout<UInt32>.stride) * 4 / 3
        // Each distinct pair: a dictionary slot (key + count), two array buffers (32-byte header)
        // holding its active units; the table keeps at most ~25% of its slots free.
        let slot = MemoryLayout<Pair>.stride + MemoryLayout<Int>.stride
        bytes += pairs.capacity * slot * 4 / 3 + pairs.count * 2 * 32 + pairUnitCount * MemoryLayout<Int>.stride
        return bytes
    }

    /// The raw count `W[target][cue]`: how many stored pairs have `cue` active in their cue and
    /// `target` active in their target; 0 for indices out of range.
    /// - Complexity: O(log row length).
    public func weight(fromCueUnit cue: Int, toTargetUnit target: Int) -> Int {
        guard cue >= 0, cue < unitCount, target >= 0, target < unitCount else { return 0 }
        return Int(count(row: cue, target: target))
    }

    /// How many times the pair `(cue, target)` is stored (0 if it is not).
    public func storedCount(cue: SparseCode, target: SparseCode) -> Int {
        pairs[Pair(cue: cue, target: target), default: 0]
    }

    /// Stores the association `cue → target`: `W[i][j] += 1` for `i` in `target.active` and `j` in
    /// `cue.active`. Storing a pair again strengthens it.
    /// - Throws: ``AssociativeError/dimensionMismatch(expected:actual:)`` when a code's `unitCount`
    ///   differs from the memory's; ``AssociativeError/invalidParameter(name:requirement:)`` for a
    ///   code with no active unit. The memory is unchanged then.
    /// - Complexity: O(|cue| · (L + |target| log L)) for rows of length L.
    public mutating func store(cue: SparseCode, target: SparseCode) throws {
        try check(cue, name: "cue")
        try check(target, name: "target")
        add(Pair(cue: cue, target: target), times: 1)
    }

    /// Stores every pair of `newPairs`; the result equals storing them one by one, but large
    /// batches (rebuilding a memory from a database, say) take one merge per touched row instead
    /// of one per pair.
    /// - Throws: as ``store(cue:target:)``, for the first invalid pair; the memory is unchanged then.
    /// - Complexity: O(P log P) for the P synapse increments of a batch plus the touched rows'
    ///   lengths, and O(m) to bucket them.
    public mutating func store(contentsOf newPairs: some Sequence<(cue: SparseCode, target: SparseCode)>) throws {
        var batch: [(pair: Pair, times: Int)] = []
        for (cue, target) in newPairs {
            try check(cue, name: "cue")
            try check(target, name: "target")
            batch.append((Pair(cue: cue, target: target), 1))
        }
        add(batch: batch)
    }

    /// Undoes one ``store(cue:target:)`` of the pair exactly: decrements its synapses and deletes
    /// the ones that reach 0.
    /// - Returns: `false` (and changes nothing) when the pair is not stored.
    /// - Throws: ``AssociativeError/dimensionMismatch(expected:actual:)`` or
    ///   ``AssociativeError/invalidParameter(name:requirement:)`` as ``store(cue:target:)``.
    @discardableResult
    public mutating func remove(cue: SparseCode, target: SparseCode) throws -> Bool {
        try check(cue, name: "cue")
        try check(target, name: "target")
        let pair = Pair(cue: cue, target: target)
        guard let stored = pairs[pair] else { return false }
        if stored == 1 {
            pairs[pair] = nil
            pairUnitCount -= cue.active.count + target.active.count
        } else {
            pairs[pair] = stored - 1
        }
        pairCount -= 1
        for j in cue.active {
            synapseCount -= decrement(row: j, targets: target.active)
        }
        return true
    }

    /// Removes every pair.
    public mutating func removeAll() {
        rows = [[UInt32]](repeating: [], count: unitCount)
        largeCounts = [:]
        pairs = [:]
        pairCount = 0
        synapseCount = 0
        pairUnitCount = 0
    }

    // MARK: - Internals

    /// Throws unless `code` has the memory's unit count and at least one active unit.
    func check(_ code: SparseCode, name: String) throws {
        guard code.unitCount == unitCount else {
            throw AssociativeError.dimensionMismatch(expected: unitCount, actual: code.unitCount)
        }
        guard !code.active.isEmpty else {
            throw AssociativeError.invalidParameter(name: name, requirement: "must have at least one active unit")
        }
    }

    /// Adds validated pairs, each `times` times: one by one for a few, else by merging a sorted
    /// list of increments into each touched row.
    mutating func add(batch: [(pair: Pair, times: Int)]) {
        guard batch.count >= 64 else {
            for (pair, times) in batch { add(pair, times: times) }
            return
        }
        // Bucket the batch by cue unit (a counting sort), then merge each row's increments at once.
        var starts = [Int](repeating: 0, count: unitCount + 1)
        for (pair, times) in batch {
            assert(times >= 1 && times <= Int(UInt32.max))
            let previous = pairs[pair, default: 0]
            if previous == 0 { pairUnitCount += pair.cue.active.count + pair.target.active.count }
            pairs[pair] = previous + times
            pairCount += times
            for j in pair.cue.active { starts[j + 1] += 1 }
        }
        for j in 0..<unitCount { starts[j + 1] += starts[j] }
        var members = [Int32](repeating: 0, count: starts[unitCount])
        var cursor = starts
        for (index, entry) in batch.enumerated() {
            for j in entry.pair.cue.active {
                members[cursor[j]] = Int32(truncatingIfNeeded: index)
                cursor[j] += 1
            }
        }
        var increments: [UInt64] = []  // target << 32 | amount
        for j in 0..<unitCount where starts[j] < starts[j + 1] {
            increments.removeAll(keepingCapacity: true)
            for member in members[starts[j]..<starts[j + 1]] {
                let (pair, times) = batch[Int(member)]
                for t in pair.target.active { increments.append(UInt64(t) << 32 | UInt64(times)) }
            }
            increments.sort()
            synapseCount += merge(row: j, increments: increments)
        }
    }

    /// Adds a validated pair `times` times.
    mutating func add(_ pair: Pair, times: Int) {
        assert(times >= 1 && times <= Int(UInt32.max))
        let previous = pairs[pair, default: 0]
        if previous == 0 { pairUnitCount += pair.cue.active.count + pair.target.active.count }
        pairs[pair] = previous + times
        pairCount += times
        for j in pair.cue.active {
            synapseCount += increment(row: j, targets: pair.target.active, by: UInt32(times))
        }
    }
}
