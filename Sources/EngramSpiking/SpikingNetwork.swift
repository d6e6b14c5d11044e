import EngramKernels

/// Populations of neurons wired by synapses with delays, run clock by clock.
///
/// Each step t, in this order:
/// 1. every population takes its input for step t (the synaptic input that arrived for t, plus
///    whatever the caller's `drive` adds), advances its neurons and notes which fired;
/// 2. every fixed projection delivers the spikes of its presynaptic population: each synapse adds
///    its weight to the postsynaptic input of step `t + delay` (delay ≥ 1) through the
///    postsynaptic population's ring buffer of `maxDelay + 1` input rows;
/// 3. every plastic projection advances its rule with the step's pre- and postsynaptic spikes,
///    then delivers the spikes that arrive at step `t + 1` (those of step `t − d + 1` on its
///    synapses of delay d) with the weights they have now: a spike carries the weight its synapse
///    has on arrival, as in Brian2;
/// 4. the chosen spikes and variables are recorded.
///
/// All populations see inputs from earlier steps only, so the order in which they were added does
/// not matter. A network is a value; running it advances its clock (``currentStep``), and a later
/// `run` continues from there.
public struct SpikingNetwork<Scalar: KernelScalar>: Sendable {
    /// A population's place in the network.
    public struct PopulationID: Hashable, Sendable {
        public let index: Int
    }

    /// A projection's place in the network.
    public struct ProjectionID: Hashable, Sendable {
        public let index: Int
    }

    /// A variable to record after every step.
    public struct Probe: Hashable, Sendable {
        public let population: PopulationID
        public let variable: String

        public init(_ population: PopulationID, _ variable: String) {
            self.population = population
            self.variable = variable
        }
    }

    @usableFromInline internal var populations: [PopulationSlot<Scalar>] = []
    @usableFromInline internal var projections: [Projection<Scalar>] = []
    /// The next step to run (the number of steps run so far).
    public internal(set) var currentStep = 0

    /// An empty network.
    public init() {}

    /// Adds `count` neurons of `model`, at the model's initial state.
    ///
    /// - Returns: The population's identifier.
    /// - Throws: `SpikingError.invalidParameter` for `count` below 1.
    @discardableResult
    public mutating func addPopulation<Model: NeuronModel>(_ model: Model, count: Int) throws(SpikingError) -> PopulationID
    where Model.Scalar == Scalar {
        let node = Population(model: model, state: try model.makeState(count: count))
        populations.append(PopulationSlot(node: node, count: count))
        return PopulationID(index: populations.count - 1)
    }

    /// Connects `pre` to `post` with fixed synapses.
    ///
    /// - Throws: `SpikingError.unknownPopulation`, or `.inputLengthMismatch` when the synapses'
    ///   sizes differ from the populations'.
    @discardableResult
    public mutating func connect(_ pre: PopulationID, to post: PopulationID, synapses: Synapses<Scalar>) throws(SpikingError) -> ProjectionID {
        try add(Projection(pre: pre.index, post: post.index, fixed: synapses, learner: nil))
    }

    /// Connects `pre` to `post` with synapses that learn.
    ///
    /// - Throws: As ``connect(_:to:synapses:)``.
    @discardableResult
    public mutating func connect(_ pre: PopulationID, to post: PopulationID, plastic: PlasticSynapses<Scalar>) throws(SpikingError) -> ProjectionID {
        var plastic = plastic
        plastic.joinNetwork()
        return try add(Projection(pre: pre.index, post: post.index, fixed: nil, learner: plastic))
    }

    private mutating func add(_ projection: Projection<Scalar>) throws(SpikingError) -> ProjectionID {
        for index in [projection.pre, projection.post] where index < 0 || index >= populations.count {
            throw .unknownPopulation(index: index, count: populations.count)
        }
        let synapses = projection.synapses
        guard synapses.preCount == populations[projection.pre].count else {
            throw .inputLengthMismatch(expected: populations[projection.pre].count, actual: synapses.preCount)
        }
        guard synapses.postCount == populations[projection.post].count else {
            throw .inputLengthMismatch(expected: populations[projection.post].count, actual: synapses.postCount)
        }
        populations[projection.post].reserveDelay(synapses.maxDelay, at: currentStep)
        projections.append(projection)
        return ProjectionID(index: projections.count - 1)
    }

    /// The number of neurons of a population.
    public func count(of population: PopulationID) -> Int { populations[population.index].count }

    /// The current synapses of a projection (with their learnt weights).
    public func synapses(of projection: ProjectionID) -> Synapses<Scalar> { projections[projection.index].synapses }

    /// The current values of a population's variable, or nil for a name its model lacks.
    public func values(of population: PopulationID, _ variable: String) -> [Scalar]? {
        populations[population.index].node.values(of: variable)
    }
}

/// What a network run recorded.
public struct NetworkRecording<Scalar: KernelScalar>: Sendable {
    /// The spikes of one population, in time order: neuron `neurons[k]` fired at step `steps[k]`
    /// (steps count from the network's first run).
    public struct Spikes: Sendable, Equatable {
        public var steps: [Int] = []
        public var neurons: [Int32] = []
        /// The number of spikes.
        public var count: Int { steps.count }
    }

    /// The steps this run covered.
    public let stepRange: Range<Int>
    /// The spikes of each population, by `PopulationID.index`.
    public internal(set) var spikes: [Spikes]
    /// Each probe's values after every step, time-major (`values[t * n + i]`, t from the run's start).
    public internal(set) var variables: [SpikingNetwork<Scalar>.Probe: [Scalar]]
    /// The synaptic events delivered (one per synapse of each spike).
    public internal(set) var synapticEvents: Int
}

/// A population with its input ring buffer and the spikes of the current step.
@usableFromInline
internal struct PopulationSlot<Scalar: KernelScalar>: Sendable {
    var node: any PopulationNode<Scalar>
    let count: Int
    /// `slots × count` inputs; row `t % slots` is the input of step t.
    var ring: [Scalar]
    var slots = 1
    var spikes: [Scalar]
    var fired: [Int32] = []

    init(node: any PopulationNode<Scalar>, count: Int) {
        self.node = node
        self.count = count
        ring = [Scalar](repeating: 0, count: count)
        spikes = [Scalar](repeating: 0, count: count)
        fired.reserveCapacity(count)
    }

    /// Grows the ring to hold inputs up to `delay` steps ahead, keeping the pending ones.
    mutating func reserveDelay(_ delay: Int, at step: Int) {
        guard delay + 1 > slots else { return }
        let newSlots = delay + 1
        var grown = [Scalar](repeating: 0, count: newSlots * count)
        for offset in 0..<slots {
            let from = ((step + offset) % slots) * count, to = ((step + offset) % newSlots) * count
            for i in 0..<count { grown[to + i] = ring[from + i] }
        }
        ring = grown
        slots = newSlots
    }

    /// Step t of this population: input, neuron update, spike list; the used input row is cleared.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    mutating func advance(step t: Int, drive: (UnsafeMutableBufferPointer<Scalar>) -> Void) {
        let row = (t % slots) * count
        let n = count
        ring.withUnsafeMutableBufferPointer { ring in
            let input = UnsafeMutableBufferPointer(rebasing: ring[row..<(row + n)])
            drive(input)
            spikes.withUnsafeMutableBufferPointer { spikes in
                node.step(input: UnsafeBufferPointer(input), spikes: spikes)
            }
            for i in 0..<n { input[i] = 0 }
        }
        fired.removeAll(keepingCapacity: true)
        spikes.withUnsafeBufferPointer { spikes in Self.appendNonZero(spikes, to: &fired) }
    }

    /// Appends the index of every non-zero value to `indices`, skipping eight values at a time
    /// when all their bits are clear (most neurons are silent at any step).
    @inline(__always)
    static func appendNonZero(_ values: UnsafeBufferPointer<Scalar>, to indices: inout [Int32]) {
        guard let base = values.baseAddress else { return }
        let raw = UnsafeRawPointer(base), blockBytes = 8 * MemoryLayout<Scalar>.stride
        var i = 0
        while i + 8 <= values.count {
            var bits: UInt64 = 0
            for word in 0..<(blockBytes / 8) { bits |= raw.loadUnaligned(fromByteOffset: i * MemoryLayout<Scalar>.stride + 8 * word, as: UInt64.self) }
            if bits != 0 {
                for k in i..<(i + 8) where values[k] != 0 { indices.append(Int32(k)) }
            }
            i += 8
        }
        for k in i..<values.count where values[k] != 0 { indices.append(Int32(k)) }
    }
}

/// A population's model and state behind one existential, so a network can hold several models.
@usableFromInline
internal protocol PopulationNode<Scalar>: Sendable {
    associatedtype Scalar: KernelScalar
    mutating func step(input: UnsafeBufferPointer<Scalar>, spikes: UnsafeMutableBufferPointer<Scalar>)
    func values(of name: String) -> [Scalar]?
    var variableNames: [String] { get }
}

internal struct Population<Model: NeuronModel>: PopulationNode {
    let model: Model
    var state: Model.State

    mutating func step(input: UnsafeBufferPointer<Model.Scalar>, spikes: UnsafeMutableBufferPointer<Model.Scalar>) {
        model.step(&state, input: input, spikes: spikes)
    }

    func values(of name: String) -> [Model.Scalar]? { state.values(of: name) }
    var variableNames: [String] { Model.State.variableNames }
}

/// Synapses from one population to another, fixed or plastic.
@usableFromInline
internal struct Projection<Scalar: KernelScalar>: Sendable {
    let pre: Int
    let post: Int
    var fixed: Synapses<Scalar>?
    var learner: PlasticSynapses<Scalar>?
    /// The fixed synapses grouped by presynaptic neuron and delay for delivery (plastic ones
    /// keep theirs in the learner).
    let plan: DeliveryPlan<Scalar>?
    /// The presynaptic spikes of the last `maxDelay` steps (step t at `t % maxDelay`), which a
    /// plastic projection delivers when they arrive.
    var arrivals: [[Int32]]

    init(pre: Int, post: Int, fixed: Synapses<Scalar>?, learner: PlasticSynapses<Scalar>?) {
        (self.pre, self.post, self.fixed, self.learner) = (pre, post, fixed, learner)
        plan = fixed.map { DeliveryPlan($0, copyWeights: true) }
        arrivals = learner.map { [[Int32]](repeating: [], count: max(1, $0.synapses.maxDelay)) } ?? []
    }

    var synapses: Synapses<Scalar> {
        if let learner { return learner.settledSynapses }
        guard let fixed else { preconditionFailure("a projection holds fixed or plastic synapses") }
        return fixed
    }
}
