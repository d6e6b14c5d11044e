#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import EngramKernels

extension HopfieldRetriever {
    /// One application of the update rule over every stored pattern, whatever ``candidates`` says:
    /// `ξ_new = X·softmax(β·Xᵀξ) = Σᵢ pᵢ·xᵢ`.
    ///
    /// The state is used as given (not normalised), so repeated calls follow the dynamics whose
    /// energy ``energy(_:)`` measures and which never increase it.
    /// - Parameter state: the current state ξ, `dimension` finite floats.
    /// - Returns: the next state, a convex combination of the stored (unit) patterns.
    /// - Complexity: O(N·d): one gemv and N axpys over the stored patterns.
    /// - Throws: ``AssociativeError/dimensionMismatch(expected:actual:)``,
    ///   ``AssociativeError/nonFinite(index:)``, or ``AssociativeError/empty``.
    public func step(_ state: [Float]) throws -> [Float] {
        try AssociativeError.check(state, dimension: dimension)
        guard !isEmpty else { throw AssociativeError.empty }
        var next = state
        let rows = count, d = dimension, beta = beta
        withPatterns(nil) { patterns in
            next.withUnsafeMutableBufferPointer { xi in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: rows) { weights in
                    Self.update(patterns, rows: rows, dimension: d, beta: beta, steps: 1, state: xi, weights: weights)
                }
            }
        }
        return next
    }

    /// Settles a query: ξ₀ = query/‖query‖, then ``steps`` updates over the stage-1 candidates
    /// (two-stage) or over every stored pattern (one-stage).
    ///
    /// - Parameter query: `dimension` finite floats, not all zero.
    /// - Returns: the settled state ξ_T, and the attention weights p of the last update, by key,
    ///   largest first (ties in row order), so that `state = Σ weight·pattern(forKey: key)`. They
    ///   cover the candidates in two-stage mode (at most ``candidates`` entries), every stored
    ///   pattern in one-stage mode, and sum to 1.
    /// - Complexity: two-stage, stage 1 as in ``search(_:k:)`` plus O(n·d·steps) for n
    ///   candidates; one-stage O(N·d·steps).
    /// - Throws: ``AssociativeError/dimensionMismatch(expected:actual:)``,
    ///   ``AssociativeError/nonFinite(index:)``, ``AssociativeError/invalidParameter(name:requirement:)``
    ///   for a zero query, or ``AssociativeError/empty``.
    public func settle(_ query: [Float]) throws -> (state: [Float], attention: [(key: Int, weight: Float)]) {
        let start = try initialState(query)
        guard !isEmpty else { throw AssociativeError.empty }
        return withSettledState(from: start, minimumCandidates: 1) { _, rows, state, weights in
            let order = weights.indices.sorted { a, b in
                weights[a] > weights[b] || (weights[a] == weights[b] && a < b)
            }
            let attention = order.map { i in (key: rowKeys[rows.map { $0[i] } ?? i], weight: weights[i]) }
            return (Array(state), attention)
        }
    }

    /// The energy of a state over every stored pattern (Ramsauer et al., eq. 2):
    /// `E(ξ) = −lse(β, Xᵀξ) + ½·ξᵀξ + β⁻¹·log N + ½·M²`, with `lse(β, z) = β⁻¹·log Σᵢ exp(β·zᵢ)`
    /// and M = 1, the norm of every stored (unit) pattern.
    ///
    /// ``step(_:)`` never increases it (Ramsauer et al., theorem 2). It is never negative, and at
    /// most 2M² for a state in the patterns' convex hull, as every state after a step is
    /// (theorem 1).
    /// - Parameter state: the state ξ, `dimension` finite floats, used as given.
    /// - Note: Tolerance: the scores are float32 (gemv, see ``Kernels/gemv(_:rows:columns:_:into:)``);
    ///   the log-sum-exp (shifted by its maximum) and ½ξᵀξ are summed in Double, so the result is
    ///   within a few float ulps of `E` evaluated on those scores.
    /// - Complexity: O(N·d).
    /// - Throws: ``AssociativeError/dimensionMismatch(expected:actual:)``,
    ///   ``AssociativeError/nonFinite(index:)``, or ``AssociativeError/empty``.
    public func energy(_ state: [Float]) throws -> Float {
        try AssociativeError.check(state, dimension: dimension)
        guard !isEmpty else { throw AssociativeError.empty }
        var scores = [Float](repeating: 0, count: count)
        withPatterns(nil) { patterns in
            state.withUnsafeBufferPointer { xi in
                scores.withUnsafeMutableBufferPointer { Kernels.gemv(patterns, rows: count, columns: dimension, xi, into: $0) }
            }
        }
        let beta = Double(beta)
        var largest = -Double.infinity
        for s in scores { largest = max(largest, beta * Double(s)) }
        var total = 0.0
        for s in scores { total += exp(beta * Double(s) - largest) }
        let lse = (largest + log(total)) / beta
        var squares = 0.0
        for x in state { squares += Double(x) * Double(x) }
        let maximumNorm = 1.0
        return Float(-lse + 0.5 * squares + log(Double(count)) / beta + 0.5 * maximumNorm * maximumNorm)
    }
}

// MARK: - The settling core

extension HopfieldRetriever {
    /// Runs `steps` updates `ξ ← P·softmax(β·Pᵀξ)` of `state` in place over the `rows` patterns of
    /// `patterns` (row-major, `rows × dimension`), leaving the last update's attention in `weights`.
    ///
    /// Patterns whose weight underflowed to 0 are skipped, which leaves the sum unchanged.
    /// - Precondition: `patterns.count == rows · dimension`, `state.count == dimension`,
    ///   `weights.count == rows`, `rows ≥ 1`; the state is finite.
    static func update(
        _ patterns: UnsafeBufferPointer<Float>, rows: Int, dimension d: Int, beta: Float, steps: Int,
        state: UnsafeMutableBufferPointer<Float>, weights: UnsafeMutableBufferPointer<Float>
    ) {
        for _ in 0..<steps {
            Kernels.gemv(patterns, rows: rows, columns: d, UnsafeBufferPointer(state), into: weights)
            Kernels.softmax(weights, beta: beta)
            state.update(repeating: 0)
            for r in 0..<rows where weights[r] != 0 {
                Kernels.axpy(weights[r], UnsafeBufferPointer(rebasing: patterns[r * d ..< (r + 1) * d]), state)
            }
        }
    }

    /// Settles `start` for ``steps`` updates and hands `body` the working buffers:
    /// the patterns settled over (all rows, or a gathered block of the candidate rows),
    /// the storage row of each of them (`nil` when they are all rows in order),
    /// the settled state, and the last attention weights (one per pattern; `body` may reuse it).
    ///
    /// Two-stage, stage 1 keeps the `max(candidates, minimumCandidates)` best rows by cosine
    /// (``quantizedBestRows(_:limit:)``) and stage 2 settles over them in ascending row order.
    /// When that count reaches N, stage 1 would keep every row, so the one-stage path runs.
    /// - Precondition: the store is not empty; `start` has `dimension` finite floats.
    func withSettledState<R>(
        from start: [Float], minimumCandidates: Int,
        _ body: (
            _ patterns: UnsafeBufferPointer<Float>, _ rows: UnsafeBufferPointer<Int>?,
            _ state: UnsafeMutableBufferPointer<Float>, _ weights: UnsafeMutableBufferPointer<Float>
        ) -> R
    ) -> R {
        precondition(!isEmpty && start.count == dimension)
        let n = count, d = dimension, beta = beta, steps = steps
        let limit = candidates.map { min(n, max($0, minimumCandidates)) } ?? n
        var state = start
        return state.withUnsafeMutableBufferPointer { xi in
            guard limit < n else {
                return withPatterns(nil) { all in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { weights in
                        Self.update(all, rows: n, dimension: d, beta: beta, steps: steps, state: xi, weights: weights)
                        return body(all, nil, xi, weights)
                    }
                }
            }
            let rows = quantizedBestRows(UnsafeBufferPointer(xi), limit: limit)
            return withPatterns(rows) { patterns in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: rows.count) { weights in
                    Self.update(patterns, rows: rows.count, dimension: d, beta: beta, steps: steps, state: xi, weights: weights)
                    return rows.withUnsafeBufferPointer { body(patterns, $0, xi, weights) }
                }
            }
        }
    }
}
