import EngramKernels

/// The leaky integrate-and-fire neuron of snntorch's `Leaky`, in discrete time.
///
/// Each step, with `reset = H(mem[t−1] − threshold)` (the previous step's spike, as snntorch
/// derives it from the membrane before the update):
/// - `.subtract`: `mem[t] = beta · mem[t−1] + input[t] − reset · threshold`
/// - `.zero`: `mem[t] = beta · ((1 − reset) · mem[t−1]) + input[t]`
/// - `.none`: `mem[t] = beta · mem[t−1] + input[t]`
///
/// and `spike[t] = H(mem[t] − threshold)`, strictly above the threshold. With `resetDelay` off
/// (snntorch `reset_delay=False`) the reset of this step's spike is applied at once:
/// `mem[t] −= (spike[t] − reset) · threshold` (`.subtract`) or `mem[t] −= (spike[t] − reset) · mem[t]`
/// (`.zero`), snntorch's correction that avoids resetting twice.
///
/// The arithmetic is snntorch's, operation for operation, so a `Float` population reproduces
/// snntorch's float32 traces bit for bit (see the `snntorch-leaky.json` fixture).
/// Where it differs: `beta` outside [0, 1] is an error instead of being clamped in the forward
/// pass, and spikes are 0/1 (no `graded_spikes_factor`, no surrogate gradient).
public struct LeakyNeuron<Scalar: KernelScalar>: NeuronModel, Equatable {
    /// What happens to the membrane of a neuron that fired (snntorch `reset_mechanism`).
    public enum ResetMechanism: String, Sendable, Equatable, CaseIterable {
        /// Subtract the threshold ("subtract"), snntorch's default.
        case subtract
        /// Set the membrane to zero ("zero").
        case zero
        /// Leave it ("none").
        case none
    }

    /// The decay of the membrane per step, in [0, 1] (for a time constant τ, `exp(−dt/τ)`).
    public let beta: Scalar
    /// The firing threshold: a neuron fires when its membrane is strictly above it.
    public let threshold: Scalar
    /// The reset applied after a spike.
    public let resetMechanism: ResetMechanism
    /// Whether the reset waits for the next step (snntorch's default `reset_delay=True`).
    public let resetDelay: Bool

    /// Creates a leaky neuron model.
    ///
    /// - Parameters:
    ///   - beta: The membrane decay per step, in [0, 1].
    ///   - threshold: The firing threshold, finite; snntorch's default 1.
    ///   - resetMechanism: `.subtract` (default), `.zero` or `.none`.
    ///   - resetDelay: Apply the reset on the next step (default, as snntorch) or at once.
    /// - Throws: `SpikingError.invalidParameter` naming `beta` or `threshold`.
    public init(
        beta: Scalar, threshold: Scalar = 1, resetMechanism: ResetMechanism = .subtract, resetDelay: Bool = true
    ) throws(SpikingError) {
        guard beta >= 0, beta <= 1 else {
            throw .invalidParameter(name: "beta", requirement: "must lie in [0, 1], got \(beta)")
        }
        try NeuronParameter.requireFinite(threshold, "threshold")
        self.beta = beta
        self.threshold = threshold
        self.resetMechanism = resetMechanism
        self.resetDelay = resetDelay
    }

    /// The membranes of a leaky population.
    public struct State: NeuronState, Equatable {
        /// The membrane potential of each neuron (snntorch `mem`).
        public internal(set) var membrane: [Scalar]

        /// A state with the given membranes.
        ///
        /// - Throws: `SpikingError.emptyInput` or `.nonFiniteInput`.
        public init(membrane: [Scalar]) throws(SpikingError) {
            guard !membrane.isEmpty else { throw .emptyInput }
            if let bad = membrane.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteInput(index: bad) }
            self.membrane = membrane
        }

        internal init(count: Int) { membrane = [Scalar](repeating: 0, count: count) }

        public var count: Int { membrane.count }
        public static var variableNames: [String] { ["mem"] }
        public func values(of name: String) -> [Scalar]? { name == "mem" ? membrane : nil }
    }

    /// `count` neurons with membranes at 0 (snntorch `reset_mem()`).
    public func makeState(count: Int) throws(SpikingError) -> State {
        try NeuronParameter.requireCount(count)
        return State(count: count)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step(_ state: inout State, input: UnsafeBufferPointer<Scalar>, spikes: UnsafeMutableBufferPointer<Scalar>) {
        precondition(input.count == state.count && spikes.count == state.count, "LeakyNeuron.step: one input and one spike slot per neuron")
        let beta = beta, threshold = threshold, delay = resetDelay
        state.membrane.withUnsafeMutableBufferPointer { mem in
            switch resetMechanism {
            case .subtract:
                for i in 0..<mem.count {
                    let reset: Scalar = mem[i] > threshold ? 1 : 0
                    var next = beta * mem[i] + input[i] - reset * threshold
                    let spike: Scalar = next > threshold ? 1 : 0
                    if !delay { next = next - (spike - reset) * threshold }
                    mem[i] = next
                    spikes[i] = spike
                }
            case .zero:
                for i in 0..<mem.count {
                    let reset: Scalar = mem[i] > threshold ? 1 : 0
                    var next = beta * ((1 - reset) * mem[i]) + input[i]
                    let spike: Scalar = next > threshold ? 1 : 0
                    if !delay { next = next - (spike - reset) * next }
                    mem[i] = next
                    spikes[i] = spike
                }
            case .none:
                for i in 0..<mem.count {
                    let next = beta * mem[i] + input[i]
                    mem[i] = next
                    spikes[i] = next > threshold ? 1 : 0
                }
            }
        }
    }
}
