import EngramKernels

extension HopfieldRetriever {
    /// The `k` stored patterns that best match `query` after settling, best first.
    ///
    /// The query is scaled to unit length and settled (see ``settle(_:)``); then every pattern it
    /// was settled over (the candidates in two-stage mode, all patterns in one-stage mode) is
    /// scored against the settled state ξ_T.
    ///
    /// **Score.** `score = cos(xᵢ, ξ_T) = xᵢᵀξ_T / ‖ξ_T‖`, in [−1, 1]. It ranks exactly as the
    /// attention weights `softmax(β·Xᵀξ_T)` that ξ_T would put on the patterns (softmax is
    /// monotone), so the first hit is both the pattern nearest the settled state and the one the
    /// next update would weigh most; use ``settle(_:)`` for the weights themselves.
    ///
    /// In two-stage mode stage 1 keeps `max(candidates, k)` patterns, so `k` hits come back
    /// whenever `k ≤ count`; fewer come back only when fewer are stored.
    /// - Parameters:
    ///   - query: `dimension` finite floats, not all zero.
    ///   - k: the number of hits wanted, ≥ 1.
    /// - Returns: `min(k, count)` hits, by descending score; equal scores in row order.
    /// - Complexity: two-stage: one pass over the N × d bytes of 8-bit codes, a float32 dot
    ///   product for each of the few rows the codes cannot rule out, and O(n·d·steps) for n
    ///   candidates; one-stage: O(N·d·(2·steps + 1)).
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for `k < 1` or a zero
    ///   query, ``AssociativeError/dimensionMismatch(expected:actual:)``,
    ///   ``AssociativeError/nonFinite(index:)``, or ``AssociativeError/empty``.
    public func search(_ query: [Float], k: Int) throws -> [SearchHit] {
        guard k >= 1 else { throw AssociativeError.invalidParameter(name: "k", requirement: "must be at least 1, got \(k)") }
        let start = try initialState(query)
        guard !isEmpty else { throw AssociativeError.empty }
        let d = dimension
        return withSettledState(from: start, minimumCandidates: k) { patterns, rows, state, scores in
            Kernels.gemv(patterns, rows: scores.count, columns: d, UnsafeBufferPointer(state), into: scores)
            let best = Kernels.topK(UnsafeBufferPointer(scores), k: min(k, scores.count))
            let length = Kernels.norm(UnsafeBufferPointer(state))
            let scale: Float = length > 0 ? 1 / length : 1
            return best.map { i in SearchHit(key: rowKeys[rows.map { $0[i] } ?? i], score: scores[i] * scale) }
        }
    }
}
