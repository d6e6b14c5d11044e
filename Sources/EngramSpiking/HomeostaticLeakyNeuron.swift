import EngramKernels

/// A leaky integrate-and-fire neuron with a homeostatic threshold (Diehl & Cook 2015), integrated
/// by forward Euler.
///
/// ```
/// v' = v + dt · (EL − v + I) / τm
/// θ' = θ − dt · θ / τθ
/// if v' > vt + θ': v' = vr, θ' = θ' + θ₊
/// ```
/// Each spike raises the neuron's threshold by θ₊ and the rise decays slowly, so a neuron that
/// fires much gets harder to fire: in competitive learning this spreads the winners over the
/// population. Checked against Brian2's `method='euler'` (fixture `brian2-neurons.json`).
public struct HomeostaticLeakyNeuron<Scalar: KernelScalar>: NeuronModel, Equatable {
    /// The resting potential EL (mV).
    public let restingPotential: Scalar
    /// The base threshold vt (mV), before the homeostatic offset θ.
    public let threshold: Scalar
    /// The reset potential vr (mV).
    public let resetPotential: Scalar
    /// The threshold increment θ₊ per spike (mV), at least 0.
    public let thetaPlus: Scalar
    /// The membrane time constant τm (ms).
    public let tauMembrane: Scalar
    /// The decay time constant τθ of the threshold offset (ms).
    public let tauTheta: Scalar
    /// The integration step (ms).
    public let dt: Scalar

    /// Creates a LIF model with a homeostatic threshold.
    ///
    /// - Throws: `SpikingError.invalidParameter` for a non-finite value, a negative `thetaPlus`,
    ///   a time constant or `dt` that is not positive.
    public init(
        restingPotential: Scalar = -65, threshold: Scalar = -52, resetPotential: Scalar = -65,
        thetaPlus: Scalar = 0.05, tauMembrane: Scalar = 100, tauTheta: Scalar = 1e7, dt: Scalar = 0.5
    ) throws(SpikingError) {
        try NeuronParameter.requireFinite(restingPotential, "restingPotential")
        try NeuronParameter.requireFinite(threshold, "threshold")
        try NeuronParameter.requireFinite(resetPotential, "resetPotential")
        guard thetaPlus.isFinite, thetaPlus >= 0 else {
            throw .invalidParameter(name: "thetaPlus", requirement: "must be finite and at least 0, got \(thetaPlus)")
        }
        try NeuronParameter.requirePositive(tauMembrane, "tauMembrane")
        try NeuronParameter.requirePositive(tauTheta, "tauTheta")
        try NeuronParameter.requirePositive(dt, "dt")
        (self.restingPotential, self.threshold, self.resetPotential) = (restingPotential, threshold, resetPotential)
        (self.thetaPlus, self.tauMembrane, self.tauTheta, self.dt) = (thetaPlus, tauMembrane, tauTheta, dt)
    }

    /// The membrane potential v and the threshold offset θ of each neuron.
    public struct State: NeuronState, Equatable {
        /// The membrane potential (mV).
        public internal(set) var v: [Scalar]
        /// The homeostatic threshold offset θ (mV).
        public internal(set) var theta: [Scalar]

        public var count: Int { v.count }
        public static var variableNames: [String] { ["v", "theta"] }
        public func values(of name: String) -> [Scalar]? {
            switch name {
            case "v": v
            case "theta": theta
            default: nil
            }
        }
    }

    /// `count` neurons at rest with no threshold offset.
    public func makeState(count: Int) throws(SpikingError) -> State {
        try NeuronParameter.requireCount(count)
        return State(v: [Scalar](repeating: restingPotential, count: count), theta: [Scalar](repeating: 0, count: count))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step(_ state: inout State, input: UnsafeBufferPointer<Scalar>, spikes: UnsafeMutableBufferPointer<Scalar>) {
        precondition(input.count == state.count && spikes.count == state.count, "HomeostaticLeakyNeuron.step: one input and one spike slot per neuron")
        let (rest, vt, vr, plus) = (restingPotential, threshold, resetPotential, thetaPlus)
        let (tauM, tauTheta, dt) = (tauMembrane, tauTheta, dt)
        state.v.withUnsafeMutableBufferPointer { v in
            state.theta.withUnsafeMutableBufferPointer { theta in
                for i in 0..<v.count {
                    var v1 = v[i] + dt * (rest - v[i] + input[i]) / tauM
                    var theta1 = theta[i] + dt * -theta[i] / tauTheta
                    let fired = v1 > vt + theta1
                    if fired {
                        v1 = vr
                        theta1 += plus
                    }
                    v[i] = v1
                    theta[i] = theta1
                    spikes[i] = fired ? 1 : 0
                }
            }
        }
    }
}
