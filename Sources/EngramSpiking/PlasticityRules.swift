import EngramKernels

/// Pair-based STDP with exponential traces, in Brian2's formulation (Song, Miller & Abbott 2000).
///
/// Each presynaptic neuron keeps a trace `apre` and each postsynaptic one a trace `apost`, both
/// decaying with their time constants. Within a step, presynaptic spikes act first, then
/// postsynaptic ones (Brian2's order of the `on_pre` and `on_post` pathways):
/// - on a presynaptic spike: `apre += aPre`, then for each of its synapses
///   additive: `w = clip(w + apost, wMin, wMax)`; multiplicative: `w = clip(w + apost · w, …)`;
/// - on a postsynaptic spike: `apost += aPost`, then for each synapse onto it
///   additive: `w = clip(w + apre, wMin, wMax)`; multiplicative: `w = clip(w + apre · (wMax − w), …)`.
///
/// `aPost` is negative for depression. The multiplicative form has soft bounds (potentiation
/// shrinks near `wMax`, depression near 0), which keeps the weights away from the bounds.
public struct PairSTDP<Scalar: KernelScalar>: Sendable, Equatable {
    /// How weight changes depend on the weight.
    public enum Bounds: String, Sendable, Equatable {
        /// Changes independent of w, clipped to [wMin, wMax] (hard bounds).
        case additive
        /// Depression ∝ w, potentiation ∝ (wMax − w) (soft bounds).
        case multiplicative
    }

    /// The presynaptic trace's time constant (ms).
    public let tauPre: Scalar
    /// The postsynaptic trace's time constant (ms).
    public let tauPost: Scalar
    /// The presynaptic trace's increment per spike (potentiation).
    public let aPre: Scalar
    /// The postsynaptic trace's increment per spike (negative: depression).
    public let aPost: Scalar
    /// The lower weight bound.
    public let wMin: Scalar
    /// The upper weight bound.
    public let wMax: Scalar
    /// Additive or multiplicative.
    public let bounds: Bounds

    /// Creates a pair STDP rule.
    ///
    /// - Throws: `SpikingError.invalidParameter` for a time constant that is not positive, a
    ///   non-finite amplitude or `wMin > wMax`.
    public init(
        tauPre: Scalar = 20, tauPost: Scalar = 20, aPre: Scalar = 0.01, aPost: Scalar = -0.0105,
        wMin: Scalar = 0, wMax: Scalar = 1, bounds: Bounds = .additive
    ) throws(SpikingError) {
        try NeuronParameter.requirePositive(tauPre, "tauPre")
        try NeuronParameter.requirePositive(tauPost, "tauPost")
        try NeuronParameter.requireFinite(aPre, "aPre")
        try NeuronParameter.requireFinite(aPost, "aPost")
        try PlasticityParameter.requireBounds(wMin, wMax)
        (self.tauPre, self.tauPost, self.aPre, self.aPost) = (tauPre, tauPost, aPre, aPost)
        (self.wMin, self.wMax, self.bounds) = (wMin, wMax, bounds)
    }
}

/// Triplet STDP (Pfister & Gerstner 2006, the all-to-all minimal model), in Brian2's
/// formulation.
///
/// Presynaptic traces r1 (τ₊) and r2 (τx), postsynaptic o1 (τ₋) and o2 (τy), each raised by 1 at
/// a spike. On a presynaptic spike `w = clip(w − o1 · (a2Minus + a3Minus · r2), wMin, wMax)`, then
/// `r1 += 1, r2 += 1`; on a postsynaptic spike `w = clip(w + r1 · (a2Plus + a3Plus · o2), …)`,
/// then `o1 += 1, o2 += 1`: the triplet terms use r2 and o2 from just before the spike.
public struct TripletSTDP<Scalar: KernelScalar>: Sendable, Equatable {
    public let tauPlus: Scalar, tauMinus: Scalar, tauX: Scalar, tauY: Scalar
    public let a2Plus: Scalar, a3Plus: Scalar, a2Minus: Scalar, a3Minus: Scalar
    public let wMin: Scalar, wMax: Scalar

    /// Creates a triplet rule; the defaults are Pfister & Gerstner's visual-cortex all-to-all fit.
    ///
    /// - Throws: `SpikingError.invalidParameter` for a time constant that is not positive, a
    ///   non-finite amplitude or `wMin > wMax`.
    public init(
        tauPlus: Scalar = 16.8, tauMinus: Scalar = 33.7, tauX: Scalar = 101, tauY: Scalar = 125,
        a2Plus: Scalar = 5e-10, a3Plus: Scalar = 6.2e-3, a2Minus: Scalar = 7e-3, a3Minus: Scalar = 2.3e-4,
        wMin: Scalar = 0, wMax: Scalar = 1
    ) throws(SpikingError) {
        for (value, name) in [(tauPlus, "tauPlus"), (tauMinus, "tauMinus"), (tauX, "tauX"), (tauY, "tauY")] {
            try NeuronParameter.requirePositive(value, name)
        }
        for (value, name) in [(a2Plus, "a2Plus"), (a3Plus, "a3Plus"), (a2Minus, "a2Minus"), (a3Minus, "a3Minus")] {
            try NeuronParameter.requireFinite(value, name)
        }
        try PlasticityParameter.requireBounds(wMin, wMax)
        (self.tauPlus, self.tauMinus, self.tauX, self.tauY) = (tauPlus, tauMinus, tauX, tauY)
        (self.a2Plus, self.a3Plus, self.a2Minus, self.a3Minus) = (a2Plus, a3Plus, a2Minus, a3Minus)
        (self.wMin, self.wMax) = (wMin, wMax)
    }
}

/// A three-factor rule: pair STDP writes into a per-synapse eligibility trace instead of the
/// weight, and a modulator signal M (reward, dopamine, surprise) turns eligibility into change.
///
/// Each step: every eligibility decays with τe; a presynaptic spike does `apre += aPre` and
/// `e += apost` on its synapses; a postsynaptic spike does `apost += aPost` and `e += apre`; at the
/// end of the step `w = clip(w + learningRate · M · e, wMin, wMax)`. With M = 0 nothing is learnt
/// but the coincidences are remembered for about τe, which bridges the delay to a late reward
/// (Izhikevich 2007; Frémaux & Gerstner 2016).
public struct ThreeFactorSTDP<Scalar: KernelScalar>: Sendable, Equatable {
    public let tauPre: Scalar, tauPost: Scalar, tauEligibility: Scalar
    public let aPre: Scalar, aPost: Scalar, learningRate: Scalar
    public let wMin: Scalar, wMax: Scalar

    /// Creates a three-factor rule.
    ///
    /// - Throws: `SpikingError.invalidParameter` for a time constant that is not positive, a
    ///   non-finite amplitude or `wMin > wMax`.
    public init(
        tauPre: Scalar = 20, tauPost: Scalar = 20, tauEligibility: Scalar = 200,
        aPre: Scalar = 1, aPost: Scalar = -1, learningRate: Scalar = 0.01, wMin: Scalar = 0, wMax: Scalar = 1
    ) throws(SpikingError) {
        try NeuronParameter.requirePositive(tauPre, "tauPre")
        try NeuronParameter.requirePositive(tauPost, "tauPost")
        try NeuronParameter.requirePositive(tauEligibility, "tauEligibility")
        try NeuronParameter.requireFinite(aPre, "aPre")
        try NeuronParameter.requireFinite(aPost, "aPost")
        try NeuronParameter.requireFinite(learningRate, "learningRate")
        try PlasticityParameter.requireBounds(wMin, wMax)
        (self.tauPre, self.tauPost, self.tauEligibility) = (tauPre, tauPost, tauEligibility)
        (self.aPre, self.aPost, self.learningRate, self.wMin, self.wMax) = (aPre, aPost, learningRate, wMin, wMax)
    }
}

/// The learning rule of a plastic projection.
public enum Plasticity<Scalar: KernelScalar>: Sendable, Equatable {
    case pair(PairSTDP<Scalar>)
    case triplet(TripletSTDP<Scalar>)
    case threeFactor(ThreeFactorSTDP<Scalar>)
}

internal enum PlasticityParameter {
    static func requireBounds<T: BinaryFloatingPoint>(_ wMin: T, _ wMax: T) throws(SpikingError) {
        guard wMin.isFinite, wMax.isFinite, wMin <= wMax else {
            throw .invalidParameter(name: "wMin, wMax", requirement: "must be finite with wMin <= wMax, got \(wMin) and \(wMax)")
        }
    }
}
