extension HebbianAssociator {
    /// One recalled unit and its input (after clipping and normalisation).
    public struct Activation: Sendable, Hashable {
        public var unit: Int
        public var input: Float

        public init(unit: Int, input: Float) {
            self.unit = unit
            self.input = input
        }
    }

    /// Reusable scratch space for recall: a dense score buffer of `m` counts and the list of units
    /// a cue reached. Pass one to ``recall(_:k:workspace:)`` in a loop to avoid allocating and
    /// zeroing `O(m)` memory per call; it sizes itself to the memory it is used with.
    public struct Workspace: Sendable {
        /// Dense accumulated input per unit; all zero between calls.
        var scores: [UInt64] = []
        /// The units with a nonzero score, in the order they were first reached (only filled when
        /// few units can be reached; it never needs more slots than synapses read).
        var reached: [Int32] = []

        public init() {}

        mutating func prepare(unitCount: Int) {
            guard scores.count != unitCount else { return }
            scores = [UInt64](repeating: 0, count: unitCount)
        }

        mutating func prepareReached(capacity: Int) {
            guard reached.count < capacity else { return }
            reached = [Int32](repeating: 0, count: capacity)
        }
    }

    /// The dense input `W·c` to every unit for `cue`, after clipping and normalisation (no
    /// threshold): element `i` is `Σ_{j ∈ cue} min(W[i][j], weightLimit)`, divided by the cue size
    /// under ``Normalization/cueSize``. Meant for inspection and tests; recall does not build it.
    /// - Throws: ``AssociativeError/dimensionMismatch(expected:actual:)`` for a cue of another size.
    /// - Complexity: O(m + Σ_{j ∈ cue} row length).
    public func input(for cue: SparseCode) throws -> [Float] {
        guard cue.unitCount == unitCount else {
            throw AssociativeError.dimensionMismatch(expected: unitCount, actual: cue.unitCount)
        }
        var workspace = Workspace()
        workspace.prepare(unitCount: unitCount)
        _ = accumulate(cue, into: &workspace)
        return workspace.scores.map { normalized($0, cueSize: cue.active.count) }
    }

    /// Recalls the target associated with `cue`: the `k` units with the largest input `W·c`,
    /// lower unit index first among equal inputs.
    ///
    /// Units with no input never fire, nor units below ``Options-swift.struct/threshold``, so the
    /// code may hold fewer than `k` units, or none when the cue reaches nothing.
    /// - Parameters:
    ///   - cue: a code over ``unitCount`` units (an empty code recalls the empty code).
    ///   - k: the most units to fire, in `1...unitCount`.
    /// - Returns: the recalled code, its units in ascending order.
    /// - Throws: ``AssociativeError/dimensionMismatch(expected:actual:)`` for a cue of another size,
    ///   ``AssociativeError/invalidParameter(name:requirement:)`` for `k` out of range,
    ///   ``AssociativeError/empty`` when no pair is stored.
    /// - Complexity: O(Σ_{j ∈ cue} row length) synapse reads plus a scan of the `m` scores when
    ///   the cue reaches many units (each candidate that enters the best-k window costs O(k));
    ///   allocates `O(m)` scratch unless given a workspace. For m = 16,384, 32-unit codes and 20,000
    ///   stored pairs a recall reads ~38,000 synapses.
    public func recall(_ cue: SparseCode, k: Int) throws -> SparseCode {
        var workspace = Workspace()
        return try recall(cue, k: k, workspace: &workspace)
    }

    /// ``recall(_:k:)`` reusing `workspace`'s scratch buffers.
    public func recall(_ cue: SparseCode, k: Int, workspace: inout Workspace) throws -> SparseCode {
        let winners = try strongest(cue, k: k, workspace: &workspace)
        return try SparseCode(active: winners.map { Int($0.unit) }.sorted(), unitCount: unitCount)
    }

    /// The units ``recall(_:k:)`` fires with their inputs, strongest first (lower unit index first
    /// among equal inputs).
    /// - Throws: as ``recall(_:k:)``.
    public func recallRanked(_ cue: SparseCode, k: Int) throws -> [Activation] {
        var workspace = Workspace()
        let cueSize = cue.active.count
        return try strongest(cue, k: k, workspace: &workspace).map {
            Activation(unit: Int($0.unit), input: normalized($0.score, cueSize: cueSize))
        }
    }

    /// Follows the chain of associations from `cue`: hop 1 recalls from `cue`, every later hop
    /// recalls from the previous hop's code.
    ///
    /// Once a hop recalls the empty code, every later hop is empty too; the result always has
    /// `hops` codes.
    /// - Parameters:
    ///   - cue: the starting code (not part of the result).
    ///   - hops: the number of recalls, at least 1.
    ///   - k: the most units per hop, in `1...unitCount`.
    /// - Returns: the code of each hop, in order.
    /// - Throws: as ``recall(_:k:)``, and ``AssociativeError/invalidParameter(name:requirement:)``
    ///   for `hops < 1`.
    public func chain(from cue: SparseCode, hops: Int, k: Int) throws -> [SparseCode] {
        guard hops >= 1 else {
            throw AssociativeError.invalidParameter(name: "hops", requirement: "must be at least 1, got \(hops)")
        }
        var workspace = Workspace()
        var path: [SparseCode] = []
        path.reserveCapacity(hops)
        var current = cue
        for _ in 0..<hops {
            current = try recall(current, k: k, workspace: &workspace)
            path.append(current)
        }
        return path
    }

    // MARK: - Internals

    /// Scales a raw input as the options say.
    func normalized(_ score: UInt64, cueSize: Int) -> Float {
        switch options.normalization {
        case .raw: Float(score)
        case .cueSize: cueSize == 0 ? 0 : Float(score) / Float(cueSize)
        }
    }

    /// Adds `min(W[i][j], weightLimit)` over the cue's rows into the workspace's scores.
    ///
    /// When the cue's rows are short next to `m` it also records each unit the first time it is
    /// reached, so selection and clearing visit only those; otherwise (most units reached) it skips
    /// that bookkeeping, whose branch mispredicts, and selection scans all `m` scores.
    /// - Returns: how many units were reached (the prefix of `workspace.reached` to read), or `nil`
    ///   when they were not recorded.
    /// - Precondition: the workspace is prepared for ``unitCount`` units and all its scores are 0.
    func accumulate(_ cue: SparseCode, into workspace: inout Workspace) -> Int? {
        let limit = UInt32(options.weightLimit ?? Int(UInt32.max))
        var entries = 0
        for j in cue.active { entries += rows[j].count }
        let recordReached = entries * 8 < unitCount
        if recordReached { workspace.prepareReached(capacity: entries) }
        // Counts are exact below 255 (`largeCode`); a 255 is only looked up when the limit is
        // above it and large counts exist.
        let codesSuffice = limit < Self.largeCode || largeCounts.isEmpty
        var reachedCount = 0
        workspace.scores.withUnsafeMutableBufferPointer { scores in
            workspace.reached.withUnsafeMutableBufferPointer { reached in
                for j in cue.active {
                    rows[j].withUnsafeBufferPointer { row in
                        // The common cases get their own branch-free loops.
                        if !recordReached, limit == 1 {
                            for entry in row {
                                let unit = Self.target(entry)
                                precondition(unit < scores.count)
                                scores[unit] &+= 1
                            }
                        } else if !recordReached, codesSuffice {
                            for entry in row {
                                let unit = Self.target(entry)
                                precondition(unit < scores.count)
                                scores[unit] &+= UInt64(Swift.min(Self.code(entry), limit))
                            }
                        } else {
                            for entry in row {
                                let unit = Self.target(entry)
                                precondition(unit < scores.count)
                                let code = Self.code(entry)
                                var weight = Swift.min(code, limit)
                                if code == Self.largeCode, !codesSuffice {
                                    weight = Swift.min(count(row: j, entry: entry), limit)
                                }
                                if recordReached, scores[unit] == 0 {
                                    reached[reachedCount] = Int32(truncatingIfNeeded: unit)
                                    reachedCount += 1
                                }
                                scores[unit] &+= UInt64(weight)
                            }
                        }
                    }
                }
            }
        }
        return recordReached ? reachedCount : nil
    }

    /// The `k` strongest units that pass the threshold, strongest first, lower unit first among
    /// equal scores; leaves the workspace's scores all zero.
    func strongest(_ cue: SparseCode, k: Int, workspace: inout Workspace) throws -> [(unit: Int32, score: UInt64)] {
        guard cue.unitCount == unitCount else {
            throw AssociativeError.dimensionMismatch(expected: unitCount, actual: cue.unitCount)
        }
        guard k >= 1, k <= unitCount else {
            throw AssociativeError.invalidParameter(name: "k", requirement: "must be in 1...\(unitCount), got \(k)")
        }
        guard pairCount > 0 else { throw AssociativeError.empty }

        workspace.prepare(unitCount: unitCount)
        let reachedCount = accumulate(cue, into: &workspace)
        let threshold = options.threshold
        let cueSize = cue.active.count

        // A window of the best k so far, best first. Most units fail the first comparison against
        // the window's last entry once it is full, so this is O(candidates) in practice.
        var window: [(unit: Int32, score: UInt64)] = []
        window.reserveCapacity(Swift.min(k, reachedCount ?? k) + 1)
        func consider(_ unit: Int32, _ score: UInt64) {
            if window.count == k, let last = window.last,
               score < last.score || (score == last.score && unit > last.unit) {
                return
            }
            if let threshold, normalized(score, cueSize: cueSize) < threshold { return }
            // First slot holding a worse entry: lower score, or equal score and higher unit.
            var low = 0, high = window.count
            while low < high {
                let mid = (low + high) / 2
                let other = window[mid]
                if other.score > score || (other.score == score && other.unit < unit) {
                    low = mid + 1
                } else {
                    high = mid
                }
            }
            window.insert((unit, score), at: low)
            if window.count > k { window.removeLast() }
        }
        workspace.scores.withUnsafeMutableBufferPointer { scores in
            if let reachedCount {
                workspace.reached.withUnsafeBufferPointer { reached in
                    for position in 0..<reachedCount {
                        let unit = reached[position]
                        let score = scores[Int(unit)]
                        scores[Int(unit)] = 0
                        consider(unit, score)
                    }
                }
            } else {
                // Every unit in ascending order, so once the window is full a unit must beat the
                // last entry's score outright (on a tie the earlier, lower unit stays).
                var floor: UInt64 = 1  // zero scores never fire
                for unit in scores.indices where scores[unit] >= floor {
                    consider(Int32(truncatingIfNeeded: unit), scores[unit])
                    if window.count == k, let last = window.last { floor = last.score + 1 }
                }
                scores.update(repeating: 0)
            }
        }
        return window
    }
}
