import EngramKernels

extension InvertedFileIndex {
    /// The `k` stored vectors nearest `query` by cosine, best first, reading the lists that
    /// ``mode`` says.
    ///
    /// - Parameters:
    ///   - query: `dimension` finite floats, not all zero.
    ///   - k: the number of hits wanted, ≥ 1.
    /// - Returns: at most `k` hits by descending cosine; fewer when the lists read hold fewer rows.
    /// - Complexity: see ``search(_:k:mode:)``.
    /// - Throws: as ``search(_:k:mode:)``.
    public func search(_ query: [Float], k: Int) throws -> [SearchHit] {
        try search(query, k: k, mode: mode)
    }

    /// The `k` stored vectors nearest `query` by cosine, best first.
    ///
    /// In ``SearchMode/exact`` mode they are the top `k` of a float32 scan of every row; in
    /// ``SearchMode/approximate(probes:)`` mode the top `k` of the rows in the `probes` lists
    /// whose centroids are nearest the query (lists with no rows are not counted). Scores are
    /// cosines computed by ``Kernels/dot(_:_:)`` on the stored unit vectors; among equal scores
    /// the row read first comes first.
    /// - Parameters:
    ///   - query: `dimension` finite floats, not all zero.
    ///   - k: the number of hits wanted, ≥ 1.
    ///   - mode: which lists to read.
    /// - Returns: `min(k, n)` hits for the `n` rows of the lists read, by descending cosine.
    /// - Complexity: approximate mode: one gemv over the `L × d` centroids and one pass over the
    ///   full codes of the lists read (d bytes a row); exact mode: one pass over the codes of
    ///   every row (m bytes a row with a projection, d without). Then a d-float dot product for
    ///   each row the bounds cannot rule out (typically one to a few times `k`).
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for `k < 1`, a probe
    ///   count below 1 or a zero query, ``AssociativeError/dimensionMismatch(expected:actual:)``,
    ///   ``AssociativeError/nonFinite(index:)``, or ``AssociativeError/empty``.
    public func search(_ query: [Float], k: Int, mode: SearchMode) throws -> [SearchHit] {
        guard k >= 1 else { throw AssociativeError.invalidParameter(name: "k", requirement: "must be at least 1, got \(k)") }
        try Self.check(mode)
        try AssociativeError.check(query, dimension: dimension)
        guard let unit = HopfieldRetriever.unitVector(query) else {
            throw AssociativeError.invalidParameter(name: "query", requirement: "must have a non-zero norm")
        }
        guard !isEmpty else { throw AssociativeError.empty }
        return unit.withUnsafeBufferPointer { unit in
            switch mode {
            case .approximate(let probes) where isTrained && probes < listCount:
                return bestHits(unit, k: k, lists: nearestLists(unit, probes: probes))
            default:
                return bestHits(unit, k: k, lists: Array(lists.indices))
            }
        }
    }

    /// The `probes` non-empty lists whose centroids have the highest cosine with `unit`, best first.
    func nearestLists(_ unit: UnsafeBufferPointer<Float>, probes: Int) -> [Int] {
        let n = listCount
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { scores in
            centroids.withUnsafeBufferPointer { centroids in
                Kernels.gemv(centroids, rows: n, columns: dimension, unit, into: scores)
            }
            // An empty list has nothing to offer: NaN is never selected.
            for list in 0..<n where lists[list].count == 0 { scores[list] = .nan }
            return Kernels.topK(UnsafeBufferPointer(scores), k: probes)
        }
    }

    /// The exact top `k` of the rows of `chosen` for the unit query.
    ///
    /// Without a projection, or for fewer than `projectedScanRows` rows, the scan reads the
    /// full codes and ``rescore(_:k:candidates:rows:)`` follows. Otherwise it reads the projected
    /// codes (m bytes a row), whose bounds are looser by `ρₓ·ρ_q`; so before re-scoring, the
    /// float32 cosines of the k rows of largest lower bound give a floor S (the final k-th cosine
    /// is at least S), and only the candidates whose upper bound reaches S have their bounds
    /// tightened with their full codes (d bytes each).
    func bestHits(_ unit: UnsafeBufferPointer<Float>, k: Int, lists chosen: [Int]) -> [SearchHit] {
        let rows = RowRanges(chosen, lists)
        guard rows.total > 0 else { return [] }
        let full = QueryCode(unit, projection: fullProjection)
        guard !projection.isIdentity, rows.total >= projectedScanRows else {
            return rescore(unit, k: k, candidates: bounded(rows, k: k, query: full) { $0.full }.candidates, rows: rows)
        }
        let scanned = bounded(rows, k: k, query: QueryCode(unit, projection: projection)) { $0.projected }
        let floor = scanned.leaders.map { cosine(unit, at: rows.location(of: $0)) }.min() ?? -.infinity
        let stride = fullProjection.codeStride
        var candidates: [(offset: Int, upper: Float)] = []
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 1) { sum in
            for candidate in scanned.candidates where candidate.upper >= floor {
                let (list, row) = rows.location(of: candidate.offset)
                let codes = lists[list].full
                codes.codes.withUnsafeBufferPointer { all in
                    full.levels.withUnsafeBufferPointer { levels in
                        Kernels.quantizedDots(UnsafeBufferPointer(rebasing: all[row * stride ..< (row + 1) * stride]),
                                              rows: 1, stride: stride, levels, into: sum)
                    }
                }
                let estimate = Float(sum[0] &- full.correction) * codes.scales[row] * full.step
                // Both bounds hold: keep the tighter.
                let upper = min(candidate.upper, estimate + full.bound(error: codes.errors[row], residual: 0))
                if upper >= floor { candidates.append((candidate.offset, upper)) }
            }
        }
        return rescore(unit, k: k, candidates: candidates, rows: rows)
    }

    /// The float32 cosine of a stored row with the unit query.
    func cosine(_ unit: UnsafeBufferPointer<Float>, at location: (list: Int, row: Int)) -> Float {
        let d = dimension, row = location.row
        return lists[location.list].rows.withUnsafeBufferPointer { all in
            Kernels.dot(UnsafeBufferPointer(rebasing: all[row * d ..< (row + 1) * d]), unit)
        }
    }

    /// Where the rows of the lists read lie in one numbering: list `chosen[i]` holds offsets
    /// `starts[i] ..< starts[i + 1]`.
    struct RowRanges {
        let chosen: [Int]
        let starts: [Int]
        var total: Int { starts[starts.count - 1] }

        init(_ chosen: [Int], _ lists: [InvertedList]) {
            self.chosen = chosen
            var starts = [0]
            starts.reserveCapacity(chosen.count + 1)
            for list in chosen { starts.append(starts[starts.count - 1] + lists[list].count) }
            self.starts = starts
        }

        /// The list and row of `offset`: the last list starting at or before it (an empty list
        /// starts where the next one does).
        func location(of offset: Int) -> (list: Int, row: Int) {
            var low = 0, high = chosen.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if starts[mid] <= offset { low = mid } else { high = mid - 1 }
            }
            return (chosen[low], offset - starts[low])
        }
    }

    /// A scan of the codes `codes(list)` of every list of `rows`: the rows whose upper bound
    /// reaches the k-th largest lower bound, with their upper bounds, and the `k` rows of largest
    /// lower bound.
    func bounded(
        _ rows: RowRanges, k: Int, query: QueryCode, codes: (InvertedList) -> CodeSet
    ) -> (candidates: [(offset: Int, upper: Float)], leaders: [Int]) {
        let total = rows.total
        let longest = rows.chosen.reduce(0) { max($0, lists[$1].count) }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * total) { bounds in
            let lower = UnsafeMutableBufferPointer(rebasing: bounds[0 ..< total])
            let upper = UnsafeMutableBufferPointer(rebasing: bounds[total ..< 2 * total])
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: longest) { sums in
                for (i, list) in rows.chosen.enumerated() where rows.starts[i + 1] > rows.starts[i] {
                    let range = rows.starts[i] ..< rows.starts[i + 1]
                    scan(codes(lists[list]), query, sums: sums, lower: UnsafeMutableBufferPointer(rebasing: lower[range]),
                         upper: UnsafeMutableBufferPointer(rebasing: upper[range]))
                }
            }
            let leaders = Kernels.topK(UnsafeBufferPointer(lower), k: min(k, total))
            guard let kth = leaders.last else { return ([], []) }
            var offsets: [Int] = []
            offsets.reserveCapacity(4 * k + 16)
            HopfieldRetriever.indices(of: UnsafeBufferPointer(upper), atLeast: lower[kth], into: &offsets)
            return (offsets.map { ($0, upper[$0]) }, leaders)
        }
    }

    /// The top `k` of `candidates` by float32 cosine, re-scored in descending order of their upper
    /// bounds until the next bound falls below the k-th best cosine found (no row left can then
    /// enter the top k). Among equal cosines the lower offset comes first.
    func rescore(
        _ unit: UnsafeBufferPointer<Float>, k: Int, candidates: [(offset: Int, upper: Float)], rows ranges: RowRanges
    ) -> [SearchHit] {
        let kept = min(k, candidates.count)
        let order = candidates.indices.sorted {
            candidates[$0].upper > candidates[$1].upper || (candidates[$0].upper == candidates[$1].upper && $0 < $1)
        }
        var best: [(score: Float, offset: Int, key: Int)] = []
        best.reserveCapacity(kept + 1)
        for i in order {
            let (offset, upper) = candidates[i]
            if best.count == kept, let worst = best.last, upper < worst.score { break }
            let (list, row) = ranges.location(of: offset)
            let score = cosine(unit, at: (list, row))
            let slot = best.firstIndex { score > $0.score || (score == $0.score && offset < $0.offset) } ?? best.count
            if slot < kept {
                best.insert((score, offset, lists[list].keys[row]), at: slot)
                if best.count > kept { best.removeLast() }
            }
        }
        return best.map { SearchHit(key: $0.key, score: $0.score) }
    }

    /// The bounds `sᵢ·t·(aᵢᵀb) ∓ Bᵢ` on the cosines of the rows coded in `codes`.
    /// - Precondition: `sums` holds at least as many values as there are rows; `lower` and
    ///   `upper` hold one per row.
    func scan(
        _ codes: CodeSet, _ query: QueryCode, sums: UnsafeMutableBufferPointer<Int32>,
        lower: UnsafeMutableBufferPointer<Float>, upper: UnsafeMutableBufferPointer<Float>
    ) {
        let n = codes.scales.count, stride = query.levels.count
        precondition(sums.count >= n && lower.count == n && upper.count == n)
        let products = UnsafeMutableBufferPointer(rebasing: sums[0 ..< n])
        codes.codes.withUnsafeBufferPointer { bytes in
            query.levels.withUnsafeBufferPointer { levels in
                Kernels.quantizedDots(bytes, rows: n, stride: stride, levels, into: products)
            }
        }
        let step = query.step, correction = query.correction, hasResiduals = !codes.residuals.isEmpty
        codes.scales.withUnsafeBufferPointer { scales in
            codes.errors.withUnsafeBufferPointer { errors in
                codes.residuals.withUnsafeBufferPointer { residuals in
                    for r in 0..<n {
                        let estimate = Float(products[r] &- correction) * scales[r] * step
                        let bound = query.bound(error: errors[r], residual: hasResiduals ? residuals[r] : 0)
                        lower[r] = estimate - bound
                        upper[r] = estimate + bound
                    }
                }
            }
        }
    }
}
