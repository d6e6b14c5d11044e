/// The serialised form is the unit count, the options and the stored pairs with their
/// multiplicities, in a canonical order (by cue, then target, lexicographically), so equal
/// memories encode alike:
///
/// ```json
/// {"unitCount": 2048, "options": {"normalization": "raw"},
///  "pairs": [{"cue": [3, 17, …], "target": [5, 40, …], "count": 1}, …]}
/// ```
///
/// The synapse matrix is not written: it is rebuilt from the pairs on decoding (one merge per
/// row, O(P log P) for P synapse increments), which keeps the form compact (a pair of k-sparse codes takes 2k
/// integers, its k² synapses none) and re-derives every invariant from validated input.
extension HebbianAssociator: Codable {
    private enum CodingKeys: String, CodingKey { case unitCount, options, pairs }

    private struct StoredPair: Codable {
        var cue: [Int]
        var target: [Int]
        var count: Int
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(unitCount, forKey: .unitCount)
        try container.encode(options, forKey: .options)
        let sorted = pairs.sorted { left, right in
            if left.key.cue.active != right.key.cue.active {
                return left.key.cue.active.lexicographicallyPrecedes(right.key.cue.active)
            }
            return left.key.target.active.lexicographicallyPrecedes(right.key.target.active)
        }
        try container.encode(
            sorted.map { StoredPair(cue: $0.key.cue.active, target: $0.key.target.active, count: $0.value) },
            forKey: .pairs)
    }

    /// Decodes and rebuilds a memory.
    /// - Throws: ``AssociativeError/malformedData(_:)`` for a unit out of range or unsorted, an
    ///   empty code, or counts below 1 or adding up to more than 2³² − 1; ``AssociativeError`` for an invalid unit count or options;
    ///   `DecodingError` for a wrong shape. A pair listed twice adds up.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            unitCount: try container.decode(Int.self, forKey: .unitCount),
            options: try container.decode(Options.self, forKey: .options))
        var total = 0
        var batch: [(pair: Pair, times: Int)] = []
        for (index, stored) in try container.decode([StoredPair].self, forKey: .pairs).enumerated() {
            guard stored.count >= 1 else {
                throw AssociativeError.malformedData("pair \(index) has count \(stored.count); counts are at least 1")
            }
            // Bounding the total bounds every synapse count, which must fit in 32 bits.
            guard stored.count <= Int(UInt32.max) - total else {
                throw AssociativeError.malformedData("the pair counts add up to more than \(UInt32.max)")
            }
            let cue: SparseCode, target: SparseCode
            do {
                cue = try SparseCode(active: stored.cue, unitCount: unitCount)
                target = try SparseCode(active: stored.target, unitCount: unitCount)
            } catch {
                throw AssociativeError.malformedData("pair \(index): \(error)")
            }
            guard !cue.active.isEmpty, !target.active.isEmpty else {
                throw AssociativeError.malformedData("pair \(index) has an empty code")
            }
            total += stored.count
            batch.append((Pair(cue: cue, target: target), stored.count))
        }
        add(batch: batch)
    }
}
