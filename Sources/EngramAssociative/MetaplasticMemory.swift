/// A metaplastic fast-weight memory after Palimpsa (arXiv 2602.09075): every entry of `M` carries
/// an importance (a posterior precision) that grows with the evidence written through it, and the
/// entry's plasticity is scaled down where its importance is high, so that consolidated
/// associations survive while new ones are still written.
///
/// The paper is not reachable from here; this is our own mean-field Bayesian derivation.
///
/// **Model.** `v = M·k + ε` with `ε ~ N(0, I)` (unit observation noise: importances are in units
/// of the observation precision). The belief about `M` is Gaussian, factorised over entries
/// (mean field): entry `(i, j)` has mean `μᵢⱼ` (the matrix ``state``) and precision `Iᵢⱼ`. With one
/// noise level for every value dimension, every row sees the same key and so the same evidence, and
/// the precisions of a column are equal: `Iᵢⱼ = Iⱼ`. The importance is therefore kept once per key
/// dimension (``importance``, `dKey` floats), which keeps the state the size of the other memories'
/// (`dValue × dKey`) plus `dKey` floats.
///
/// **A write** of `(k, v)` takes three steps:
/// 1. *Relaxation (staying plastic).* `Iⱼ ← I₀ + ρ·(Iⱼ − I₀)`: the posterior is broadened toward the
///    prior's precision `I₀` while its mean stays where it is — a Kalman predict step whose process
///    noise is chosen so that precision relaxes geometrically toward the prior. With `ρ = 1`
///    evidence accumulates forever; with `ρ = 0` every write sees the prior again.
/// 2. *Likelihood step on the residual.* Given the diagonal prior covariance `D = diag(1/I)`, the
///    exact Gaussian posterior mean of row `i` is `μᵢ + D·k·eᵢ / (1 + kᵀ·D·k)` with the residual
///    `e = v − μ·k` (a Kalman update). So entry `(i, j)` moves by `eᵢ·kⱼ / (Iⱼ·(1 + s))` with
///    `s = Σⱼ kⱼ²/Iⱼ`: its learning rate is ∝ `1/Iⱼ`. The previous posterior is the prior of this
///    step and is what anchors consolidated entries: an entry with high importance hardly moves.
///    The step never overshoots: the read-out moves toward `v` by the fraction `s / (1 + s) < 1`.
/// 3. *Evidence (mean-field projection).* The exact posterior precision of a row is
///    `diag(I) + k·kᵀ`; we keep its diagonal, `Iⱼ ← Iⱼ + kⱼ²`.
///
/// **Where this simplifies.** Step 3 drops the off-diagonal precision (the correlations that
/// overlapping keys create between entries), so unlike recursive least squares, which keeps a
/// `dKey × dKey` precision, this memory does not decorrelate keys: it is a delta rule whose
/// per-entry step size is set by accumulated evidence. There are no learned or input-dependent
/// gates (Palimpsa's come from a trained network), the noise level is one fixed value, and the
/// relaxation is toward the prior's precision only (the mean is not pulled toward the prior's
/// mean of zero).
///
/// **Special cases.** With `ρ = 0` and unit keys every write is the delta rule with
/// `β = 1 / (1 + I₀)`. With `ρ < 1` and keys that spread their energy over the key dimensions, the
/// importance of dimension `j` settles near `I₀ + k̄ⱼ² / (1 − ρ)` (`k̄ⱼ²` the mean `kⱼ²` per write),
/// which bounds the step size from below: the memory keeps learning.
///
/// ```swift
/// var memory = try MetaplasticMemory(dKey: 64, dValue: 64, priorPrecision: 1, relaxation: 0.995)
/// try memory.write(key: k, value: v)
/// let recalled = try memory.read(key: k)   // μ·k
/// ```
public struct MetaplasticMemory: FastWeightMemory, Equatable {
    var weights: FastWeights
    /// The precision `Iⱼ` of the entries of column `j` of `M` (`dKey` values, each ≥ `I₀`).
    public private(set) var importance: [Float]
    /// The prior precision `I₀` every entry starts from and relaxes toward.
    public let priorPrecision: Float
    /// The relaxation factor ρ in [0, 1] applied to `I − I₀` before each write.
    public let relaxation: Float

    /// Creates an empty memory: means 0, every importance `I₀`.
    /// - Parameters:
    ///   - priorPrecision: `I₀`, finite and > 0; the first write to an empty memory moves a unit key's
    ///     read-out by the fraction `1 / (1 + I₀)` of the way to the value.
    ///   - relaxation: ρ in [0, 1].
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for a dimension below 1 or
    ///   a parameter out of range.
    public init(dKey: Int, dValue: Int, priorPrecision: Float, relaxation: Float) throws {
        weights = try FastWeights(dKey: dKey, dValue: dValue)
        guard priorPrecision.isFinite, priorPrecision > 0 else {
            throw AssociativeError.invalidParameter(name: "priorPrecision", requirement: "must be finite and > 0, got \(priorPrecision)")
        }
        try AssociativeError.check(relaxation, name: "relaxation ρ", in: 0...1, excludingLowerBound: false, text: "[0, 1]")
        self.priorPrecision = priorPrecision
        self.relaxation = relaxation
        importance = [Float](repeating: priorPrecision, count: dKey)
    }

    public var dKey: Int { weights.dKey }
    public var dValue: Int { weights.dValue }
    /// The posterior means `μ`, row-major `dValue × dKey`.
    public var state: [Float] { weights.matrix }

    /// Relaxes the importances toward the prior, takes the likelihood step on the residual
    /// `v − μ·k` with per-column rate `kⱼ / (Iⱼ·(1 + Σ kₗ²/Iₗ))`, then adds the evidence `kⱼ²`.
    /// - Complexity: O(dKey · dValue).
    /// - Throws: as ``FastWeightMemory/write(key:value:)``; the memory is unchanged then.
    public mutating func write(key: [Float], value: [Float]) throws {
        try weights.check(key: key, value: value)
        let prior = priorPrecision, rho = relaxation
        var gain = [Float](repeating: 0, count: dKey)
        var spread: Float = 0  // s = Σ kⱼ² / Iⱼ
        for j in 0..<dKey {
            let relaxed = prior + rho * (importance[j] - prior)
            importance[j] = relaxed
            gain[j] = key[j] / relaxed
            spread += key[j] * gain[j]
        }
        let prediction = weights.product(key)
        let scale = 1 / (1 + spread)
        var residual = value
        for i in residual.indices { residual[i] = (value[i] - prediction[i]) * scale }
        weights.addOuterProduct(residual, gain)
        for j in 0..<dKey { importance[j] += key[j] * key[j] }
    }

    /// `μ·key`.
    public func read(key: [Float]) throws -> [Float] { try weights.read(key: key) }

    /// Means back to 0, importances back to `I₀`.
    public mutating func reset() {
        weights.reset()
        importance = [Float](repeating: priorPrecision, count: dKey)
    }
}
