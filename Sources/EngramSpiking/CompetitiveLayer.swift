import EngramKernels

/// Unsupervised feature learning by competitive STDP with lateral inhibition and homeostasis,
/// after Diehl & Cook (2015), in float64.
///
/// Each input (a vector of rates in [0, 1]) is shown for `presentationSteps` steps as Bernoulli
/// spike trains with per-step probability `rate · maxInputProbability`. The input spikes drive a
/// layer of ``HomeostaticLeakyNeuron``s through plastic weights (each input spike moves the
/// membrane by `weightScale · w` mV); a spike of any layer neuron moves every other neuron's
/// membrane down by `inhibition` mV on the next step (Diehl & Cook's inhibitory population,
/// folded into direct lateral inhibition), so few neurons win each input; each spike raises the
/// winner's threshold by θ₊, so the wins spread over the layer. Pair STDP (multiplicative by
/// default) moves the winners' weights towards the input, and after each input every neuron's
/// weights are normalised to sum to `weightTotal`. Between inputs the membranes, traces and
/// pending inhibition are reset (Diehl & Cook's resting period). An input that draws fewer than
/// `minimumSpikes` spikes is shown again with a larger probability, up to `retries` times.
///
/// What it simplifies: current-based instead of conductance-based synapses, one-step direct
/// inhibition instead of an inhibitory population, 8×8-sized defaults (64 inputs, short
/// presentations at dt = 1 ms).
public struct CompetitiveLayer: Sendable {
    /// The layer's sizes and constants.
    public struct Configuration: Sendable, Equatable {
        public var inputs = 64
        public var neurons = 100
        public var presentationSteps = 150
        /// Steps of each presentation in ``CompetitiveLayer/response(to:using:)``: longer than
        /// learning's, so that the spike counts are less noisy.
        public var responseSteps = 600
        public var maxInputProbability = 0.2
        /// mV per unit weight per input spike.
        public var weightScale = 4.0
        /// mV subtracted from every other neuron per spike.
        public var inhibition = 20.0
        /// The sum of each neuron's input weights after normalisation.
        public var weightTotal = 6.4
        public var minimumSpikes = 5
        public var retries = 4
        public var neuron = Neuron()
        public var stdp = STDP()

        /// The homeostatic LIF of the layer (ms and mV).
        public struct Neuron: Sendable, Equatable {
            public var restingPotential = -65.0
            public var threshold = -52.0
            public var resetPotential = -65.0
            public var thetaPlus = 0.05
            public var tauMembrane = 20.0
            public var tauTheta = 1e7
        }

        /// The pair STDP of the input weights.
        public struct STDP: Sendable, Equatable {
            public var tauPre = 20.0
            public var tauPost = 20.0
            public var aPre = 0.01
            public var aPost = -0.0105
            public var wMax = 1.0
            public var bounds = PairSTDP<Double>.Bounds.multiplicative
        }

        public init() {}
    }

    public let configuration: Configuration
    /// The input weights and their rule (inputs × neurons, dense).
    public internal(set) var weights: PlasticSynapses<Double>
    /// The layer's neurons and their state (thresholds θ carry what homeostasis learnt).
    public let neuron: HomeostaticLeakyNeuron<Double>
    public internal(set) var state: HomeostaticLeakyNeuron<Double>.State
    /// The same neurons with θ frozen (no increments, no decay), for ``response(to:using:)``.
    private let frozen: HomeostaticLeakyNeuron<Double>

    /// A layer with random initial weights (uniform in [0, 0.3), then normalised).
    ///
    /// - Throws: `SpikingError.invalidParameter` for a bad configuration value.
    public init(_ configuration: Configuration = Configuration(), seed: UInt64) throws(SpikingError) {
        let c = configuration
        guard c.inputs > 0, c.neurons > 0, c.presentationSteps > 0, c.responseSteps > 0, c.retries >= 0, c.minimumSpikes >= 0 else {
            throw .invalidParameter(name: "configuration", requirement: "sizes and steps must be positive, retries and minimumSpikes at least 0")
        }
        for (value, name) in [(c.maxInputProbability, "maxInputProbability"), (c.weightScale, "weightScale"), (c.weightTotal, "weightTotal")] {
            try NeuronParameter.requirePositive(value, name)
        }
        guard c.inhibition.isFinite, c.inhibition >= 0 else {
            throw .invalidParameter(name: "inhibition", requirement: "must be finite and at least 0, got \(c.inhibition)")
        }
        var generator = SeededGenerator(seed: seed)
        let initial = (0..<(c.inputs * c.neurons)).map { _ in 0.3 * generator.nextUnitDouble() }
        let rule = try PairSTDP<Double>(
            tauPre: c.stdp.tauPre, tauPost: c.stdp.tauPost, aPre: c.stdp.aPre, aPost: c.stdp.aPost,
            wMin: 0, wMax: c.stdp.wMax, bounds: c.stdp.bounds)
        weights = try PlasticSynapses(try .dense(pre: c.inputs, post: c.neurons, weights: initial), rule: .pair(rule), dt: 1)
        try weights.normalizeIncoming(to: c.weightTotal)
        let n = c.neuron
        neuron = try HomeostaticLeakyNeuron(
            restingPotential: n.restingPotential, threshold: n.threshold, resetPotential: n.resetPotential,
            thetaPlus: n.thetaPlus, tauMembrane: n.tauMembrane, tauTheta: n.tauTheta, dt: 1)
        frozen = try HomeostaticLeakyNeuron(
            restingPotential: n.restingPotential, threshold: n.threshold, resetPotential: n.resetPotential,
            thetaPlus: 0, tauMembrane: n.tauMembrane, tauTheta: .greatestFiniteMagnitude, dt: 1)
        state = try neuron.makeState(count: c.neurons)
        self.configuration = c
    }

    /// Learns from one input.
    ///
    /// - Parameters:
    ///   - rates: `inputs` values in [0, 1] (clamped).
    ///   - generator: The source of the input spikes.
    /// - Returns: The spikes of each neuron during the (last) presentation.
    /// - Throws: `SpikingError.inputLengthMismatch` or `.nonFiniteInput`.
    @discardableResult
    public mutating func train(on rates: [Double], using generator: inout SeededGenerator) throws(SpikingError) -> [Double] {
        try present(rates, learning: true, using: &generator)
    }

    /// The response of the layer to one input, without learning: spike counts per neuron, with
    /// the thresholds homeostasis left (they do not move while responding).
    ///
    /// - Throws: As ``train(on:using:)``.
    public mutating func response(to rates: [Double], using generator: inout SeededGenerator) throws(SpikingError) -> [Double] {
        try present(rates, learning: false, using: &generator)
    }

    private mutating func present(_ rates: [Double], learning: Bool, using generator: inout SeededGenerator) throws(SpikingError) -> [Double] {
        let c = configuration
        guard rates.count == c.inputs else { throw .inputLengthMismatch(expected: c.inputs, actual: rates.count) }
        if let bad = rates.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteInput(index: bad) }
        let model = learning ? neuron : frozen
        var probabilityScale = c.maxInputProbability
        var counts = [Double](repeating: 0, count: c.neurons)
        // Input currents that move v by `jump` mV in one Euler step: I = jump · τm / dt.
        let toCurrent = neuron.tauMembrane / neuron.dt
        for _ in 0...c.retries {
            let probabilities = rates.map { min(max($0, 0), 1) * probabilityScale }
            counts = [Double](repeating: 0, count: c.neurons)
            state.v = [Double](repeating: neuron.restingPotential, count: c.neurons)
            weights.resetTraces()
            var input = [Double](repeating: 0, count: c.neurons)
            var spikes = [Double](repeating: 0, count: c.neurons)
            var lastSpikes = 0.0
            var pre: [Int32] = []
            var post: [Int32] = []
            for _ in 0..<(learning ? c.presentationSteps : c.responseSteps) {
                pre.removeAll(keepingCapacity: true)
                for i in 0..<c.inputs where generator.nextUnitDouble() < probabilities[i] { pre.append(Int32(i)) }
                for j in 0..<c.neurons { input[j] = -c.inhibition * (lastSpikes - spikes[j]) * toCurrent }
                weights.synapses.weights.withUnsafeBufferPointer { w in
                    for i in pre {
                        let row = Int(i) * c.neurons
                        for j in 0..<c.neurons { input[j] += c.weightScale * w[row + j] * toCurrent }
                    }
                }
                input.withUnsafeBufferPointer { input in
                    spikes.withUnsafeMutableBufferPointer { spikes in model.step(&state, input: input, spikes: spikes) }
                }
                post.removeAll(keepingCapacity: true)
                lastSpikes = 0
                for j in 0..<c.neurons where spikes[j] != 0 {
                    post.append(Int32(j))
                    counts[j] += 1
                    lastSpikes += 1
                }
                if learning {
                    pre.withUnsafeBufferPointer { pre in
                        post.withUnsafeBufferPointer { post in weights.apply(pre: pre, post: post, modulator: 0) }
                    }
                }
            }
            if counts.reduce(0, +) >= Double(c.minimumSpikes) { break }
            probabilityScale = min(1, probabilityScale * 1.5)
        }
        if learning { try weights.normalizeIncoming(to: c.weightTotal) }
        return counts
    }
}
