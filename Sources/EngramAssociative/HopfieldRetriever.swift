import EngramKernels

/// Modern Hopfield retrieval (Ramsauer et al., "Hopfield Networks is All You Need", 2020) over
/// stored patterns kept under integer keys, with an optional cosine pre-selection (two-stage, as in
/// NuoNuo: the top 20 by cosine, then settle over those).
///
/// The stored patterns are the rows of `X` (N × d). A state ξ is updated by
///
///     ξ ← X·softmax(β·Xᵀξ),   i.e.  ξ_new = Σᵢ pᵢ·xᵢ  with  p = softmax(β·(x₁ᵀξ, …, x_Nᵀξ)),
///
/// which never increases the energy
///
///     E(ξ) = −lse(β, Xᵀξ) + ½·ξᵀξ + β⁻¹·log N + ½·M²,   lse(β, z) = β⁻¹·log Σᵢ exp(β·zᵢ),
///
/// (M the largest pattern norm) and converges to a fixed point near a stored pattern when that
/// pattern is well separated from the others (Ramsauer et al., theorems 1–4).
///
/// **Storage.** Patterns are stored L2-normalised: ``add(_:key:)`` divides each vector by its norm,
/// so every row has norm 1 (M = 1), `xᵢᵀq` is a cosine for a unit query `q`, and β means the same
/// for every pattern whatever the encoder's scale. The rows live in one row-major contiguous
/// `[Float]` so that scoring a query against all of them is one ``Kernels/gemv(_:rows:columns:_:into:)``.
/// A removal moves the last row into the freed one (swap-remove), so row order is not insertion
/// order; a key → row map finds a row in O(1).
///
/// **Queries.** ``search(_:k:)`` and ``settle(_:)`` start from the query scaled to unit length
/// (ξ₀ = q/‖q‖), so β acts on cosines. ``step(_:)`` and ``energy(_:)`` take a state as it is.
///
/// **Modes.**
/// - one-stage (`candidates == nil`): every update runs over all N stored patterns
///   (two passes over `X` per step).
/// - two-stage (`candidates == n`): stage 1 finds the `n` patterns of highest cosine with the
///   query (ties to the lower row, as ``Kernels/topK(_:k:)``); stage 2 settles over those only.
///   With `n ≥ N` stage 1 would keep everything, and one-stage settling runs.
///
/// Stage 1 does not stream the float32 rows: it scans an 8-bit copy of them (a quarter of the
/// bytes) and re-scores in float32 the few rows that the quantisation error bound cannot rule
/// out, so it returns the rows a float32 gemv would (see `HopfieldRetriever+QuantizedScan.swift`).
/// The copy costs `d` rounded up to 16 bytes plus 8 per pattern, in two-stage mode only.
///
/// **Compact patterns.** With `precision: .int8` the float32 rows are not kept at all: the
/// patterns *are* their 8-bit codes `x̂ᵢ = sᵢ·aᵢ` (a quarter of the memory, about 400 bytes per
/// pattern at d = 384), decoded on the fly for the few rows a query settles over or re-scores.
/// Every result is then exact for the decoded patterns, whose cosines with a unit query differ
/// from the float32 ones by at most `εᵢ` (typically 0.008 at d = 384, and about `εᵢ/√d` for a
/// query in a random direction). Both stages, and one-stage mode, use the codes.
///
/// **Choice of β (default 20).** Scores of unit vectors lie in [−1, 1], so β is the attention's
/// sharpness per unit of cosine: a pattern that leads another by a cosine gap Δ gets e^(βΔ) times
/// its weight. At β = 20 a lead of 0.25 is worth e⁵ ≈ 150, so a clearly best match takes nearly
/// all the weight in one step, while near-ties (Δ ≤ 0.05, ratio ≤ e) are still blended into a
/// metastable state instead of being decided by noise. It was chosen by a sweep of noisy-cue
/// retrieval (d = 64, 200 stored patterns, 2,000 cues per noise level, β ∈ {4, 8, 12, 16, 20,
/// 24, 32, 64}, 1–3 steps, one- and two-stage; settling never beat plain cosine top-1 there, so
/// the test is how much it loses). On independent random patterns with heavy noise (cue noise of
/// norm 2, cosine top-1 right for 84.9% of cues) β = 20 stays within 0.4 points of cosine top-1
/// for every step count and mode, while β = 12 loses up to 21 points (three one-stage steps).
/// On clustered patterns (20 groups of 10 near-duplicates, cosine ≈ 0.8 within a group, like
/// paraphrased memories; cosine top-1 right for 100%) a small β pulls the state to the group's
/// centroid and retrieves the wrong member: three steps retrieve 22–28% of cues at β = 12,
/// 84–98% at β = 16, and ≥ 99.85% at β = 20 (100% with one or two steps). β = 20 is the smallest
/// value that held up everywhere; a larger β turns one step into a hard arg-max of stage 1.
public struct HopfieldRetriever: VectorIndex {
    /// How the patterns are kept: float32 rows (with an 8-bit copy in two-stage mode), or only
    /// their 8-bit codes (see "Compact patterns" above).
    public enum Precision: Sendable, Equatable {
        case float32
        case int8
    }

    /// The dimension d of the stored patterns and of the queries.
    public let dimension: Int
    /// The inverse temperature β of the softmax, > 0.
    public let beta: Float
    /// The number of updates a query is settled by (typically 1 to 3).
    public let steps: Int
    /// How many cosine candidates stage 1 keeps; `nil` for one-stage settling over all patterns.
    public let candidates: Int?
    /// How the patterns are kept.
    public let precision: Precision

    /// `.float32` only: the unit-norm patterns, row-major: row `r` is `storage[r·d ..< (r+1)·d]`.
    var storage: [Float]
    /// The key of each row.
    var rowKeys: [Int]
    /// The row of each key.
    var rowOfKey: [Int: Int]
    /// Two-stage mode or `.int8` (``keepsCodes``): the 8-bit codes of the rows, `codeStride`
    /// bytes each (see `HopfieldRetriever+QuantizedScan.swift`); empty otherwise.
    var codes: [UInt8]
    /// With codes: the scale of each row's code.
    var codeScales: [Float]
    /// With codes: an upper bound on each row's code error `‖xᵢ − sᵢ·aᵢ‖`.
    var codeErrors: [Float]
    /// With codes: the largest code error ever added (removals leave it, still a bound).
    var largestCodeError: Float

    /// Creates an empty retriever.
    ///
    /// - Parameters:
    ///   - dimension: the length d of every pattern and query, ≥ 1.
    ///   - beta: the inverse temperature β, finite and > 0; see the type's documentation for the
    ///     default of 20.
    ///   - steps: the updates per query, ≥ 1 (one to three are enough: for separated patterns the
    ///     first update already lands next to the fixed point).
    ///   - candidates: the stage-1 candidate count N of two-stage retrieval (≥ 1; 20 as in NuoNuo),
    ///     or `nil` for one-stage retrieval over every stored pattern.
    ///   - precision: `.float32` (the default), or `.int8` to keep only the patterns' 8-bit codes.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for a parameter out of range.
    public init(dimension: Int, beta: Float = 20, steps: Int = 1, candidates: Int? = 20, precision: Precision = .float32) throws {
        guard dimension >= 1 else {
            throw AssociativeError.invalidParameter(name: "dimension", requirement: "must be at least 1, got \(dimension)")
        }
        guard beta.isFinite, beta > 0 else {
            throw AssociativeError.invalidParameter(name: "beta", requirement: "must be finite and positive, got \(beta)")
        }
        guard steps >= 1 else {
            throw AssociativeError.invalidParameter(name: "steps", requirement: "must be at least 1, got \(steps)")
        }
        if let candidates, candidates < 1 {
            throw AssociativeError.invalidParameter(
                name: "candidates", requirement: "must be at least 1 (or nil for one-stage), got \(candidates)")
        }
        self.dimension = dimension
        self.beta = beta
        self.steps = steps
        self.candidates = candidates
        self.precision = precision
        self.storage = []
        self.rowKeys = []
        self.rowOfKey = [:]
        self.codes = []
        self.codeScales = []
        self.codeErrors = []
        self.largestCodeError = 0
    }

    /// The number of stored patterns N.
    public var count: Int { rowKeys.count }

    /// Whether nothing is stored.
    public var isEmpty: Bool { rowKeys.isEmpty }

    /// The stored keys in row order (which swap-removal permutes; not insertion order).
    public var keys: [Int] { rowKeys }

    /// Whether a pattern is stored under `key`.
    public func contains(_ key: Int) -> Bool { rowOfKey[key] != nil }

    /// The stored (unit-norm; with `.int8` the decoded code) pattern under `key`, or `nil` if
    /// there is none.
    public func pattern(forKey key: Int) -> [Float]? {
        guard let row = rowOfKey[key] else { return nil }
        return withPatterns([row]) { Array($0) }
    }

    /// Whether float32 rows are kept (`.float32`).
    var keepsFloats: Bool { precision == .float32 }

    /// Whether 8-bit codes are kept: for stage 1 in two-stage mode, and as the patterns with `.int8`.
    var keepsCodes: Bool { candidates != nil || precision == .int8 }

    /// Reserves room for `capacity` patterns, so that adding that many does not reallocate.
    public mutating func reserveCapacity(_ capacity: Int) {
        if keepsFloats { storage.reserveCapacity(capacity * dimension) }
        rowKeys.reserveCapacity(capacity)
        rowOfKey.reserveCapacity(capacity)
        if keepsCodes {
            codes.reserveCapacity(capacity * codeStride)
            codeScales.reserveCapacity(capacity)
            codeErrors.reserveCapacity(capacity)
        }
    }

    /// Stores `vector`, scaled to unit length, under `key`.
    ///
    /// - Complexity: amortised O(d).
    /// - Throws: ``AssociativeError/dimensionMismatch(expected:actual:)``,
    ///   ``AssociativeError/nonFinite(index:)``, ``AssociativeError/duplicateKey(_:)``, or
    ///   ``AssociativeError/invalidParameter(name:requirement:)`` for a zero vector, which has no
    ///   direction to store.
    public mutating func add(_ vector: [Float], key: Int) throws {
        try AssociativeError.check(vector, dimension: dimension)
        guard rowOfKey[key] == nil else { throw AssociativeError.duplicateKey(key) }
        guard let unit = Self.unitVector(vector) else {
            throw AssociativeError.invalidParameter(name: "vector", requirement: "must have a non-zero norm")
        }
        if keepsFloats { storage.append(contentsOf: unit) }
        if keepsCodes { appendCode(unit) }
        rowOfKey[key] = rowKeys.count
        rowKeys.append(key)
    }

    /// Removes the pattern under `key`, moving the last row into its place.
    ///
    /// - Returns: whether a pattern was stored under `key`.
    /// - Complexity: O(d).
    @discardableResult
    public mutating func remove(_ key: Int) -> Bool {
        guard let row = rowOfKey.removeValue(forKey: key) else { return false }
        let last = rowKeys.count - 1
        if row != last {
            let d = dimension
            if keepsFloats {
                storage.withUnsafeMutableBufferPointer { rows in
                    guard let base = rows.baseAddress else { return }
                    (base + row * d).update(from: base + last * d, count: d)
                }
            }
            if keepsCodes {
                let stride = codeStride
                codes.withUnsafeMutableBufferPointer { rows in
                    guard let base = rows.baseAddress else { return }
                    (base + row * stride).update(from: base + last * stride, count: stride)
                }
                codeScales[row] = codeScales[last]
                codeErrors[row] = codeErrors[last]
            }
            let moved = rowKeys[last]
            rowKeys[row] = moved
            rowOfKey[moved] = row
        }
        rowKeys.removeLast()
        if keepsFloats { storage.removeLast(dimension) }
        if keepsCodes {
            codes.removeLast(codeStride)
            codeScales.removeLast()
            codeErrors.removeLast()
        }
        assert(storage.count == (keepsFloats ? rowKeys.count * dimension : 0) && rowOfKey.count == rowKeys.count)
        assert(codes.count == (keepsCodes ? rowKeys.count * codeStride : 0))
        return true
    }
}

extension HopfieldRetriever {
    /// `vector / ‖vector‖`, or `nil` for a zero vector.
    ///
    /// The vector is first divided by its largest magnitude, so that the squared norm neither
    /// overflows (elements near `Float.greatestFiniteMagnitude`) nor underflows (subnormal ones).
    /// - Precondition: every element is finite.
    static func unitVector(_ vector: [Float]) -> [Float]? {
        var largest: Float = 0
        for x in vector { largest = max(largest, x.magnitude) }
        guard largest > 0 else { return nil }
        var unit = vector
        unit.withUnsafeMutableBufferPointer { u in
            for i in u.indices { u[i] /= largest }
            let scale = 1 / Kernels.norm(UnsafeBufferPointer(u))
            for i in u.indices { u[i] *= scale }
        }
        return unit
    }

    /// The query checked and scaled to unit length: the initial state ξ₀ of ``search(_:k:)`` and
    /// ``settle(_:)``.
    func initialState(_ query: [Float]) throws -> [Float] {
        try AssociativeError.check(query, dimension: dimension)
        guard let unit = Self.unitVector(query) else {
            throw AssociativeError.invalidParameter(name: "query", requirement: "must have a non-zero norm")
        }
        return unit
    }
}

extension HopfieldRetriever {
    /// An estimate of the heap memory the retriever holds, in bytes: the float32 rows (if kept), the
    /// 8-bit codes with their scales and error bounds (if kept), the row keys and the key → row table (whose
    /// slots are at most ~75% full).
    public var approximateByteCount: Int {
        storage.capacity * MemoryLayout<Float>.stride + codes.capacity
            + (codeScales.capacity + codeErrors.capacity) * MemoryLayout<Float>.stride
            + rowKeys.capacity * MemoryLayout<Int>.stride
            + rowOfKey.capacity * 2 * MemoryLayout<Int>.stride * 4 / 3
    }
}
