import Dispatch
import EngramKernels

/// Stage 1 of two-stage retrieval over an 8-bit copy of the patterns, with exact results.
///
/// A float32 scan of N × d patterns reads 4·N·d bytes per query (30.7 MB for 20,000 × 384), which
/// one core streams from memory in 1.4–2.8 ms whatever the arithmetic. Stage 1 only needs the
/// *set* of the n best rows, so it scans a copy quantised to one byte per element instead (a
/// quarter of the bytes, and integer multiply-adds 16 lanes at a time), bounds the
/// quantisation error, and re-scores in float32 the few rows whose bound reaches the n-th best:
/// the rows it returns are those a float32 scan would return (up to float rounding between
/// near-equal scores). The integer scan is ``Kernels/quantizedDots(_:rows:stride:_:into:)``: AVX-512
/// VNNI (`vpdpbusd`) on 8-bit query levels, or AVX2 (`vpmovzxbw` + `vpmaddwd`) on 16-bit ones,
/// where the CPU has them, portable SIMD elsewhere; figures are in
/// BENCHMARKS.md (`engram bench associative`).
///
/// **Codes.** Row i is stored as `xᵢ ≈ sᵢ·aᵢ` with `sᵢ = max|xᵢⱼ| / 127` and integers
/// `aᵢⱼ ∈ [−127, 127]`, kept biased as bytes `aᵢⱼ + 128`; rows are padded to a multiple of 16
/// with the code of 0. Its error `εᵢ = ‖xᵢ − sᵢ·aᵢ‖` is computed when the row is added.
///
/// **Query.** `q ≈ t·b` with integers `b` (|bⱼ| ≤ Q: 127 with AVX-512 VNNI, 8-bit levels for
/// `vpdpbusd`; else 32,767 for d up to 512, 16-bit levels for the AVX2 scan),
/// `δ = ‖q − t·b‖`. The kernel computes `Σⱼ (aᵢⱼ + 128)·bⱼ` and the scan subtracts `128·Σⱼ bⱼ`; the sums wrap modulo 2³² but the result, bounded by
/// `d·127·Q < 2³¹`, is exact. The estimate `ŝᵢ = sᵢ·t·(aᵢ·b)` then satisfies, for unit `xᵢ` and `q`,
///
///     |xᵢᵀq − ŝᵢ| = |xᵢᵀ(q − t·b) + (xᵢ − sᵢaᵢ)ᵀq − (xᵢ − sᵢaᵢ)ᵀ(q − t·b)| ≤ δ + εᵢ + εᵢ·δ =: Bᵢ
///
/// (Cauchy–Schwarz; Bᵢ is widened by a margin for float rounding). The scan writes the lower
/// bounds `ℓᵢ = ŝᵢ − Bᵢ`. If L is the n-th largest of them, n rows have true scores ≥ L, so every
/// row of the true top n has `ℓᵢ + 2Bᵢ ≥ L`: those rows are re-scored with
/// ``Kernels/dot(_:_:)`` and the best n kept. For random unit vectors in d = 384, Bᵢ ≈ 0.01 and
/// a few times n rows are re-scored (each a d-float row read from memory).
extension HopfieldRetriever {
    /// The byte that codes 0.
    static let codeBias: Int = 128

    /// The padded row length of the codes: the dimension rounded up to a multiple of 16.
    var codeStride: Int { (dimension + 15) & ~15 }

    /// The largest query integer: 127 where the scan runs on 8-bit levels (AVX-512 VNNI: four times
    /// the products per instruction, at a query error δ about 256 times larger, which only widens
    /// the bounds and so the few rows re-scored); elsewhere the largest 16-bit level for which
    /// `Q·127·stride` stays below 2³¹.
    var queryCodeLimit: Int { Kernels.hasInt8DotProducts ? 127 : min(32_767, Int(Int32.max) / (127 * codeStride)) }

    /// Appends the code of the unit row `unit` to the code arrays (``RowCode``'s layout, shared
    /// with ``InvertedFileIndex``).
    mutating func appendCode(_ unit: [Float]) {
        let code = RowCode(unit, stride: codeStride)
        codes.append(contentsOf: code.bytes)
        codeScales.append(code.scale)
        codeErrors.append(code.error)
        largestCodeError = max(largestCodeError, code.error)
    }

    /// A unit query quantised for the scan, `q ≈ step·b`, with the terms of its bound `Bᵢ = constant + slope·εᵢ`.
    struct QueryCode: Sendable {
        /// `b`, zero-padded to the stride; `narrow` holds the same levels as bytes when they fit.
        var levels: [Int16]
        var narrow: [Int8]?
        /// `128·Σⱼ bⱼ`, subtracted from the biased sums.
        var correction: Int32
        var step: Float
        var constant: Float
        var slope: Float
    }

    /// The scan code of the unit query `query` (see the bound above).
    func queryCode(_ query: UnsafeBufferPointer<Float>) -> QueryCode {
        let d = dimension
        var largest: Float = 0
        for x in query { largest = max(largest, x.magnitude) }
        let step = largest / Float(queryCodeLimit)
        var residual = 0.0, correction = 0
        var levels = [Int16](repeating: 0, count: codeStride)
        if step > 0 {
            for j in 0..<d {
                let level = Int((query[j] / step).rounded()).clamped(to: -queryCodeLimit...queryCodeLimit)
                levels[j] = Int16(level)
                correction += Self.codeBias * level
                let r = Double(query[j]) - Double(step) * Double(level)
                residual += r * r
            }
        }
        // Bᵢ = δ + εᵢ·(1 + δ), widened for the rounding of ŝᵢ and ℓᵢ (a few float ulps of
        // values ≤ 1) and of the norms: Bᵢ = constant + slope·εᵢ. With `.int8` the patterns are
        // the decoded codes x̂ᵢ themselves, so only the query's error counts: |x̂ᵢᵀq − ŝᵢ| ≤ ‖x̂ᵢ‖·δ
        // ≤ (1 + εᵢ)·δ.
        let delta = residual.squareRoot()
        let narrow = levels.allSatisfy { Int8(exactly: $0) != nil } ? levels.map { Int8(truncatingIfNeeded: $0) } : nil
        return QueryCode(levels: levels, narrow: narrow, correction: Int32(truncatingIfNeeded: correction), step: step,
                         constant: Float(delta * 1.001 + 1e-5), slope: Float((keepsFloats ? 1 + delta : delta) * 1.001))
    }

    /// Stage 1 over the codes: the storage rows of the `limit` best scores `xᵢᵀq` for the unit
    /// query `q`, in ascending row order, the lower row first among equal scores.
    ///
    /// - Complexity: one pass over the N × stride bytes of codes, two passes over N floats, and
    ///   a d-float dot product for each row that the bounds cannot rule out.
    /// - Precondition: `1 ≤ limit ≤ count`; `query` has `dimension` floats and unit norm.
    func quantizedBestRows(_ query: UnsafeBufferPointer<Float>, limit: Int) -> [Int] {
        quantizedBestRows([query], limit: limit)[0]
    }

    /// Rows of codes scanned for every query of a batch before the next rows: 96 KB at d = 384,
    /// which stay in a core's L2 cache while the queries pass over them.
    static let scanBlockRows = 256

    /// Rows per core from which a scan is split over the cores: about 3 MB of codes at d = 384,
    /// 0.2 ms of one core's scanning, well above the cost of waking a thread.
    static let parallelScanRows = 8_192

    /// The buffers a split scan's parts share: each part reads all and writes only its own rows.
    private struct UncheckedBuffers: @unchecked Sendable {
        let codes: UnsafeBufferPointer<UInt8>
        let scales: UnsafeBufferPointer<Float>, errors: UnsafeBufferPointer<Float>
        let lowerBounds: UnsafeMutableBufferPointer<Float>
    }

    /// ``quantizedBestRows(_:limit:)`` for several unit queries in one pass over the codes (each
    /// block of rows is scanned for every query while it is in cache), with the same results as
    /// one call per query. Past ``parallelScanRows`` rows per core the blocks are shared out
    /// over the cores (whatever else runs on them: concurrent callers each split theirs).
    func quantizedBestRows(_ queries: [UnsafeBufferPointer<Float>], limit: Int) -> [[Int]] {
        let n = count, stride = codeStride
        precondition(limit >= 1 && limit <= n && queries.allSatisfy { $0.count == dimension })
        // The bounds take n floats per query: a large batch goes in groups of at most 16 MB of them.
        let group = max(1, min(64, (1 << 22) / n))
        guard queries.count <= group else {
            return Swift.stride(from: 0, to: queries.count, by: group).flatMap { start in
                quantizedBestRows(Array(queries[start ..< min(start + group, queries.count)]), limit: limit)
            }
        }
        guard !queries.isEmpty else { return [] }
        let queryCodes = queries.map(queryCode)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n * queries.count) { lowerBounds in
            codes.withUnsafeBufferPointer { codes in
                codeScales.withUnsafeBufferPointer { scales in
                    codeErrors.withUnsafeBufferPointer { errors in
                        // Each part scans its own rows into its own stretch of every query's bounds.
                        let blocks = Array(Swift.stride(from: 0, to: n, by: Self.scanBlockRows))
                        let parts = min(Kernels.availableProcessors, max(1, n / Self.parallelScanRows), blocks.count)
                        let shared = UncheckedBuffers(codes: codes, scales: scales, errors: errors, lowerBounds: lowerBounds)
                        @Sendable func scan(part: Int) {
                            let buffers = shared
                            withUnsafeTemporaryAllocation(of: Int32.self, capacity: Self.scanBlockRows) { sums in
                                for b in Swift.stride(from: part, to: blocks.count, by: parts) {
                                    let rows = blocks[b] ..< min(blocks[b] + Self.scanBlockRows, n)
                                    for (q, code) in queryCodes.enumerated() {
                                        Self.scanCodes(
                                            UnsafeBufferPointer(rebasing: buffers.codes[rows.lowerBound * stride ..< rows.upperBound * stride]),
                                            rows: rows.count, stride: stride, code,
                                            scales: UnsafeBufferPointer(rebasing: buffers.scales[rows]),
                                            errors: UnsafeBufferPointer(rebasing: buffers.errors[rows]),
                                            sums: UnsafeMutableBufferPointer(rebasing: sums[0 ..< rows.count]),
                                            into: UnsafeMutableBufferPointer(rebasing: buffers.lowerBounds[q * n + rows.lowerBound ..< q * n + rows.upperBound]))
                                    }
                                }
                            }
                        }
                        if parts == 1 { scan(part: 0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: scan) }
                    }
                }
            }
            return queries.indices.map { q in
                bestRows(UnsafeBufferPointer(rebasing: lowerBounds[q * n ..< (q + 1) * n]), of: queries[q], queryCodes[q], limit: limit)
            }
        }
    }

    /// The rows of the `limit` best scores given the scan's lower bounds for `query`: the rows
    /// whose bound reaches the `limit`-th best lower bound, re-scored exactly when there are more.
    private func bestRows(_ lower: UnsafeBufferPointer<Float>, of query: UnsafeBufferPointer<Float>, _ code: QueryCode, limit: Int) -> [Int] {
        let best = Kernels.topK(lower, k: limit)
        guard let last = best.last else { return [] }
        let cut = lower[last]

        // Every row that may belong to the top `limit` (ℓᵢ + 2Bᵢ ≥ L), ascending: first
        // those within the largest bound, then each against its own.
        var rows: [Int] = []
        rows.reserveCapacity(4 * limit + 16)
        Self.indices(of: lower, atLeast: cut - 2 * (code.constant + code.slope * largestCodeError), into: &rows)
        codeErrors.withUnsafeBufferPointer { errors in
            rows.removeAll { row in lower[row] + 2 * (code.constant + code.slope * errors[row]) < cut }
        }
        guard rows.count > limit else { return rows }
        let exact = dots(rows, query)
        let kept = exact.withUnsafeBufferPointer { Kernels.topK($0, k: limit) }
        return kept.map { rows[$0] }.sorted()
    }

    /// Appends, in ascending order, the indices of the elements ≥ `cut` (eight at a time with a
    /// SIMD compare, since few qualify).
    static func indices(of values: UnsafeBufferPointer<Float>, atLeast cut: Float, into result: inout [Int]) {
        guard let base = values.baseAddress else { return }
        let n = values.count, threshold = SIMD8<Float>(repeating: cut)
        var i = 0
        while i &+ 8 <= n {
            if any(UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Float>.self) .>= threshold) {
                for j in i ..< i &+ 8 where base[j] >= cut { result.append(j) }
            }
            i &+= 8
        }
        while i < n {
            if base[i] >= cut { result.append(i) }
            i &+= 1
        }
    }

    /// `lowerBounds[r] = scales[r]·step·(Σⱼ codes[r][j]·levels[j] − correction) − (constant + slope·errors[r])`
    /// for every row: the estimate ŝᵣ less its bound Bᵣ.
    ///
    /// The products come from ``Kernels/quantizedDots(_:rows:stride:_:into:)`` (VNNI on 8-bit
    /// levels, AVX2 `vpmaddwd` on 16-bit ones, where present; portable SIMD elsewhere), into `sums`.
    /// - Precondition: `codes.count == rows·stride`, `stride` a multiple of 16, the code's levels
    ///   `stride` long, `scales`, `errors`, `sums` and `lowerBounds` `rows` long.
    static func scanCodes(
        _ codes: UnsafeBufferPointer<UInt8>, rows: Int, stride: Int, _ query: QueryCode,
        scales: UnsafeBufferPointer<Float>, errors: UnsafeBufferPointer<Float>,
        sums: UnsafeMutableBufferPointer<Int32>, into lowerBounds: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(codes.count == rows * stride && stride % 16 == 0 && query.levels.count == stride)
        precondition(scales.count == rows && errors.count == rows && sums.count == rows && lowerBounds.count == rows)
        guard rows > 0 else { return }
        if let narrow = query.narrow {
            narrow.withUnsafeBufferPointer { Kernels.quantizedDots(codes, rows: rows, stride: stride, $0, into: sums) }
        } else {
            query.levels.withUnsafeBufferPointer { Kernels.quantizedDots(codes, rows: rows, stride: stride, $0, into: sums) }
        }
        let correction = query.correction, step = query.step, constant = query.constant, slope = query.slope
        for r in 0..<rows {
            lowerBounds[r] = Float(sums[r] &- correction) * scales[r] * step - (constant + slope * errors[r])
        }
    }
}

extension Comparable {
    /// `self` limited to `range`.
    @inline(__always)
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self {
        min(max(self, range.lowerBound), range.upperBound)
    }
}
