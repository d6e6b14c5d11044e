import EngramKernels

/// The two stages of retrieval as separate calls, for pipelines that merge stage 1's candidates
/// with candidates from elsewhere (a lexical index, association edges) before settling.
extension HopfieldRetriever {
    /// Stage 1 alone: the `count` stored patterns of highest cosine with `query`, best first.
    ///
    /// In two-stage mode the rows come from the 8-bit scan (with its exact re-scoring, so they are
    /// those a float32 scan would pick); in one-stage mode from a float32 scan. The scores are
    /// float32 cosines either way (with `.int8`, of the decoded patterns, scanned by their codes
    /// in either mode).
    /// - Parameters:
    ///   - query: `dimension` finite floats, not all zero.
    ///   - count: how many patterns to return, ≥ 1; fewer come back when fewer are stored.
    /// - Returns: `min(count, self.count)` hits by descending cosine, ties in row order.
    /// - Throws: ``AssociativeError`` for a wrong dimension, a non-finite or zero query, or `count < 1`.
    public func nearest(_ query: [Float], count: Int) throws -> [SearchHit] {
        try nearest(eachOf: [query], count: count)[0]
    }

    /// ``nearest(_:count:)`` for each of several queries, with the same hits; in two-stage mode
    /// the 8-bit codes are read once for the whole batch (block by block while they are in
    /// cache) rather than once per query.
    /// - Throws: the errors of ``nearest(_:count:)``, for the first query that has one (then no
    ///   query is answered).
    public func nearest(eachOf queries: [[Float]], count: Int) throws -> [[SearchHit]] {
        guard count >= 1 else {
            throw AssociativeError.invalidParameter(name: "count", requirement: "must be at least 1, got \(count)")
        }
        let units = try queries.map(initialState)
        guard !isEmpty else { return queries.map { _ in [] } }
        let n = self.count, limit = min(count, n)
        func hits(_ q: UnsafeBufferPointer<Float>, _ rows: [Int]?) -> [SearchHit] {
            let scores = dots(rows, q)
            let best = scores.withUnsafeBufferPointer { Kernels.topK($0, k: min(limit, scores.count)) }
            return best.map { SearchHit(key: rowKeys[rows?[$0] ?? $0], score: scores[$0]) }
        }
        guard keepsCodes && limit < n else { return units.map { unit in unit.withUnsafeBufferPointer { hits($0, nil) } } }
        let d = dimension
        return Array(units.joined()).withUnsafeBufferPointer { all in
            let buffers = units.indices.map { UnsafeBufferPointer(rebasing: all[$0 * d ..< ($0 + 1) * d]) }
            return zip(buffers, quantizedBestRows(buffers, limit: limit)).map { hits($0, $1) }
        }
    }

    /// The `count` patterns among those stored under `keys` of highest cosine with `query`, best
    /// first: an exact scan of a subset (a filtered search).
    /// - Throws: ``AssociativeError/unknownKey(_:)`` for a key that is not stored, and the errors
    ///   of ``nearest(_:count:)``.
    public func nearest(_ query: [Float], among keys: [Int], count: Int) throws -> [SearchHit] {
        guard count >= 1 else {
            throw AssociativeError.invalidParameter(name: "count", requirement: "must be at least 1, got \(count)")
        }
        let scores = try cosines(query, keys: keys)
        let best = scores.withUnsafeBufferPointer { Kernels.topK($0, k: min(count, scores.count)) }
        return best.map { SearchHit(key: keys[$0], score: scores[$0]) }
    }

    /// The cosine of `query` with the pattern under each of `keys`, in the order of `keys` (no
    /// ranking: for callers that combine the scores themselves).
    /// - Throws: ``AssociativeError/unknownKey(_:)`` for a key that is not stored, and the errors
    ///   of ``nearest(_:count:)`` for the query.
    public func cosines(_ query: [Float], keys: [Int]) throws -> [Float] {
        let unit = try initialState(query)
        let rows = try keys.map { key in
            guard let row = rowOfKey[key] else { throw AssociativeError.unknownKey(key) }
            return row
        }
        return unit.withUnsafeBufferPointer { dots(rows, $0) }
    }

    /// Stage 2 alone: settles `query` over the patterns stored under `keys` and scores each of them
    /// against the settled state, as ``search(_:k:)`` does with its own candidates.
    ///
    /// - Parameters:
    ///   - query: `dimension` finite floats, not all zero; scaled to unit length to start.
    ///   - keys: the patterns to settle over (duplicates are ignored); may be empty.
    /// - Returns: the settled state ξ_T, and one hit per distinct key, `score = cos(xᵢ, ξ_T)`, by
    ///   descending score (the state is the unit query and the hits empty when `keys` is).
    /// - Complexity: O(n·d·(steps + 1)) for n keys.
    /// - Throws: ``AssociativeError/unknownKey(_:)`` for a key that is not stored, and the errors
    ///   of ``nearest(_:count:)`` for the query.
    public func settle(_ query: [Float], over keys: [Int]) throws -> (state: [Float], hits: [SearchHit]) {
        var state = try initialState(query)
        var seen = Set<Int>()
        var rows: [Int] = []
        for key in keys where seen.insert(key).inserted {
            guard let row = rowOfKey[key] else { throw AssociativeError.unknownKey(key) }
            rows.append(row)
        }
        guard !rows.isEmpty else { return (state, []) }
        let d = dimension, n = rows.count, beta = beta, steps = steps
        var scores = [Float](repeating: 0, count: n)
        withPatterns(rows) { patterns in
            state.withUnsafeMutableBufferPointer { xi in
                scores.withUnsafeMutableBufferPointer { weights in
                    Self.update(patterns, rows: n, dimension: d, beta: beta, steps: steps, state: xi, weights: weights)
                    Kernels.gemv(patterns, rows: n, columns: d, UnsafeBufferPointer(xi), into: weights)
                }
            }
        }
        let length = Kernels.norm(state)
        let scale: Float = length > 0 ? 1 / length : 1
        let order = scores.withUnsafeBufferPointer { Kernels.topK($0, k: n) }
        return (state, order.map { SearchHit(key: rowKeys[rows[$0]], score: scores[$0] * scale) })
    }
}
