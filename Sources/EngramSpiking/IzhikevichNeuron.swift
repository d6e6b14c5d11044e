import EngramKernels

/// Izhikevich's simple model (IEEE Trans. Neural Networks, 2003), integrated by forward Euler.
///
/// With v in mV, time in ms and the input I in the model's units:
/// ```
/// v' = v + dt · (0.04 v² + 5 v + 140 − u + I)
/// u' = u + dt · a · (b v − u)
/// if v' ≥ vPeak: v' = c, u' = u' + d
/// ```
/// Both updates use the values from before the step, as Brian2's `method='euler'` does, so the
/// published regimes reproduce Brian2's spike times exactly at dt = 0.5 ms (fixture
/// `brian2-neurons.json`). Izhikevich's own code splits v's update into two half steps for
/// stability; this model does not, because its reference is the Euler integration Brian2 runs.
public struct IzhikevichNeuron<Scalar: KernelScalar>: NeuronModel, Equatable {
    /// The time scale of the recovery variable u.
    public let a: Scalar
    /// The sensitivity of u to the subthreshold v.
    public let b: Scalar
    /// The value v is reset to after a spike (mV).
    public let c: Scalar
    /// The increment of u after a spike.
    public let d: Scalar
    /// The integration step in ms.
    public let dt: Scalar
    /// The spike cut-off: a neuron fires when v reaches it (mV).
    public let vPeak: Scalar
    /// The membrane potential a new state starts at (mV); u starts at `b · initialV`.
    public let initialV: Scalar

    /// The published firing regimes (Izhikevich 2003, Fig. 2).
    public enum Regime: String, Sendable, CaseIterable {
        case regularSpiking, intrinsicallyBursting, chattering, fastSpiking, lowThresholdSpiking
        case thalamoCortical, resonator

        /// `(a, b, c, d)` of the regime.
        public var parameters: (a: Double, b: Double, c: Double, d: Double) {
            switch self {
            case .regularSpiking: (0.02, 0.2, -65, 8)
            case .intrinsicallyBursting: (0.02, 0.2, -55, 4)
            case .chattering: (0.02, 0.2, -50, 2)
            case .fastSpiking: (0.1, 0.2, -65, 2)
            case .lowThresholdSpiking: (0.02, 0.25, -65, 2)
            case .thalamoCortical: (0.02, 0.25, -65, 0.05)
            case .resonator: (0.1, 0.26, -65, 2)
            }
        }
    }

    /// Creates an Izhikevich model.
    ///
    /// - Parameters:
    ///   - a, b, c, d: The model's parameters, finite.
    ///   - dt: The step in ms, positive; 0.5 by default.
    ///   - vPeak: The spike cut-off in mV, 30 by default.
    ///   - initialV: The starting membrane potential in mV, −65 by default.
    /// - Throws: `SpikingError.invalidParameter` naming the parameter.
    public init(a: Scalar, b: Scalar, c: Scalar, d: Scalar, dt: Scalar = 0.5, vPeak: Scalar = 30, initialV: Scalar = -65) throws(SpikingError) {
        try NeuronParameter.requireFinite(a, "a")
        try NeuronParameter.requireFinite(b, "b")
        try NeuronParameter.requireFinite(c, "c")
        try NeuronParameter.requireFinite(d, "d")
        try NeuronParameter.requirePositive(dt, "dt")
        try NeuronParameter.requireFinite(vPeak, "vPeak")
        try NeuronParameter.requireFinite(initialV, "initialV")
        (self.a, self.b, self.c, self.d) = (a, b, c, d)
        (self.dt, self.vPeak, self.initialV) = (dt, vPeak, initialV)
    }

    /// A model in one of the published regimes.
    public init(_ regime: Regime, dt: Scalar = 0.5) throws(SpikingError) {
        let p = regime.parameters
        try self.init(a: Scalar(p.a), b: Scalar(p.b), c: Scalar(p.c), d: Scalar(p.d), dt: dt)
    }

    /// The membrane potential v and the recovery variable u of each neuron.
    public struct State: NeuronState, Equatable {
        /// The membrane potential (mV).
        public internal(set) var v: [Scalar]
        /// The recovery variable.
        public internal(set) var u: [Scalar]

        public var count: Int { v.count }
        public static var variableNames: [String] { ["v", "u"] }
        public func values(of name: String) -> [Scalar]? {
            switch name {
            case "v": v
            case "u": u
            default: nil
            }
        }
    }

    /// `count` neurons at `v = initialV`, `u = b · initialV`.
    public func makeState(count: Int) throws(SpikingError) -> State {
        try NeuronParameter.requireCount(count)
        return State(v: [Scalar](repeating: initialV, count: count), u: [Scalar](repeating: b * initialV, count: count))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step(_ state: inout State, input: UnsafeBufferPointer<Scalar>, spikes: UnsafeMutableBufferPointer<Scalar>) {
        precondition(input.count == state.count && spikes.count == state.count, "IzhikevichNeuron.step: one input and one spike slot per neuron")
        let (a, b, c, d, dt, peak) = (a, b, c, d, dt, vPeak)
        state.v.withUnsafeMutableBufferPointer { v in
            state.u.withUnsafeMutableBufferPointer { u in
                for i in 0..<v.count {
                    let v0 = v[i], u0 = u[i]
                    // Summed in the order of Brian2's generated code, so both round alike.
                    let dv = (140 + ((input[i] + 0.04 * (v0 * v0)) + 5 * v0)) - u0
                    var v1 = v0 + dt * dv
                    var u1 = u0 + dt * (a * (b * v0 - u0))
                    let fired = v1 >= peak
                    if fired {
                        v1 = c
                        u1 += d
                    }
                    v[i] = v1
                    u[i] = u1
                    spikes[i] = fired ? 1 : 0
                }
            }
        }
    }
}
