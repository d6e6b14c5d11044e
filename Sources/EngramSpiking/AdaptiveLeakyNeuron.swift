import EngramKernels

/// The adaptive leaky integrate-and-fire neuron with an adaptation current (AdLIF), integrated by
/// forward Euler.
///
/// With v and w in mV (the input current folded into mV, `R·I`) and time in ms:
/// ```
/// v' = v + dt · (EL − v − w + I) / τm
/// w' = w + dt · (a · (v − EL) − w) / τw
/// if v' > vt: v' = vr, w' = w' + b
/// ```
/// This is the AdEx without its exponential term (Gerstner et al., *Neuronal Dynamics*, ch. 6;
/// the AdLIF of Bittar & Garner 2022 is its discretisation): `a` couples the adaptation to the
/// subthreshold potential, `b` adds spike-triggered adaptation, which spaces spikes out under a
/// steady input. Checked against Brian2's `method='euler'` (fixture `brian2-neurons.json`).
public struct AdaptiveLeakyNeuron<Scalar: KernelScalar>: NeuronModel, Equatable {
    /// The resting potential EL (mV).
    public let restingPotential: Scalar
    /// The firing threshold vt (mV): a neuron fires when v is strictly above it.
    public let threshold: Scalar
    /// The reset potential vr (mV).
    public let resetPotential: Scalar
    /// The subthreshold coupling a of the adaptation current.
    public let a: Scalar
    /// The spike-triggered increment b of the adaptation current (mV).
    public let b: Scalar
    /// The membrane time constant τm (ms).
    public let tauMembrane: Scalar
    /// The adaptation time constant τw (ms).
    public let tauAdaptation: Scalar
    /// The integration step (ms).
    public let dt: Scalar

    /// Creates an adaptive LIF model.
    ///
    /// - Throws: `SpikingError.invalidParameter` for a non-finite value, a time constant or `dt`
    ///   that is not positive.
    public init(
        restingPotential: Scalar = -70, threshold: Scalar = -50, resetPotential: Scalar = -58,
        a: Scalar = 0, b: Scalar = 5, tauMembrane: Scalar = 20, tauAdaptation: Scalar = 100, dt: Scalar = 0.5
    ) throws(SpikingError) {
        try NeuronParameter.requireFinite(restingPotential, "restingPotential")
        try NeuronParameter.requireFinite(threshold, "threshold")
        try NeuronParameter.requireFinite(resetPotential, "resetPotential")
        try NeuronParameter.requireFinite(a, "a")
        try NeuronParameter.requireFinite(b, "b")
        try NeuronParameter.requirePositive(tauMembrane, "tauMembrane")
        try NeuronParameter.requirePositive(tauAdaptation, "tauAdaptation")
        try NeuronParameter.requirePositive(dt, "dt")
        (self.restingPotential, self.threshold, self.resetPotential) = (restingPotential, threshold, resetPotential)
        (self.a, self.b, self.tauMembrane, self.tauAdaptation, self.dt) = (a, b, tauMembrane, tauAdaptation, dt)
    }

    /// The membrane potential v and the adaptation current w of each neuron.
    public struct State: NeuronState, Equatable {
        /// The membrane potential (mV).
        public internal(set) var v: [Scalar]
        /// The adaptation current (mV).
        public internal(set) var w: [Scalar]

        public var count: Int { v.count }
        public static var variableNames: [String] { ["v", "w"] }
        public func values(of name: String) -> [Scalar]? {
            switch name {
            case "v": v
            case "w": w
            default: nil
            }
        }
    }

    /// `count` neurons at rest: `v = EL`, `w = 0`.
    public func makeState(count: Int) throws(SpikingError) -> State {
        try NeuronParameter.requireCount(count)
        return State(v: [Scalar](repeating: restingPotential, count: count), w: [Scalar](repeating: 0, count: count))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step(_ state: inout State, input: UnsafeBufferPointer<Scalar>, spikes: UnsafeMutableBufferPointer<Scalar>) {
        precondition(input.count == state.count && spikes.count == state.count, "AdaptiveLeakyNeuron.step: one input and one spike slot per neuron")
        let (rest, vt, vr, a, b) = (restingPotential, threshold, resetPotential, a, b)
        let (tauM, tauW, dt) = (tauMembrane, tauAdaptation, dt)
        state.v.withUnsafeMutableBufferPointer { v in
            state.w.withUnsafeMutableBufferPointer { w in
                for i in 0..<v.count {
                    let v0 = v[i], w0 = w[i]
                    var v1 = v0 + dt * (rest - v0 - w0 + input[i]) / tauM
                    var w1 = w0 + dt * (a * (v0 - rest) - w0) / tauW
                    let fired = v1 > vt
                    if fired {
                        v1 = vr
                        w1 += b
                    }
                    v[i] = v1
                    w[i] = w1
                    spikes[i] = fired ? 1 : 0
                }
            }
        }
    }
}
