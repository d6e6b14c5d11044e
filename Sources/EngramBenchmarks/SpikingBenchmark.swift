import EngramKernels
import EngramSpiking
import Foundation

/// `engram bench spiking`: a recurrent network of leaky integrate-and-fire neurons with delays,
/// run for one simulated second, with and without STDP, single thread.
///
/// The network (``Configuration/standard``): 10,000 ``LeakyNeuron``s (β = exp(−1/20), threshold 1,
/// reset to zero; snntorch's `Leaky`), each driven by a constant input drawn uniformly from
/// `currentRange` and sending `fanOut` synapses to distinct random targets (1,000,000 in all),
/// each with a delay of 1 … `maxDelay` steps. The first 80% of the neurons are excitatory
/// (weight `excitatoryWeight`), the rest inhibitory (`inhibitoryWeight`); the excitatory
/// synapses form one CSR projection, the inhibitory ones another. With STDP the excitatory
/// projection learns by additive pair STDP. dt = 1 ms, 1,000 steps.
///
/// `Benchmarks/peers/spiking_peers.py` runs the same network (read from the files that
/// ``write(_:to:)`` leaves) in Brian2 and snntorch and reports their spike counts beside their
/// times, so the counts can be checked against Engram's.
public enum SpikingBenchmark {
    /// The network and its run.
    public struct Configuration: Sendable, Codable {
        public var neurons = 10_000
        public var fanOut = 100
        public var excitatoryFraction = 0.8
        public var maxDelay = 5
        public var steps = 1_000
        public var dtMs = 1.0
        public var tauMs = 20.0
        public var threshold = 1.0
        public var currentRange = [0.03, 0.07]
        public var excitatoryWeight = 0.01
        public var inhibitoryWeight = -0.04
        public var stdp = STDPParameters()
        public var seed: UInt64 = 2024

        /// The membrane decay per step, `exp(−dt/τ)`.
        public var beta: Double { exp(-dtMs / tauMs) }
        /// The number of excitatory neurons (the first ones).
        public var excitatory: Int { Int(Double(neurons) * excitatoryFraction) }

        /// 10,000 neurons, 1,000,000 synapses, 1 s at dt = 1 ms.
        public static let standard = Configuration()
        public init() {}
    }

    /// Additive pair STDP on the excitatory synapses.
    public struct STDPParameters: Sendable, Codable {
        public var tauPreMs = 20.0
        public var tauPostMs = 20.0
        public var aPre = 0.0002
        public var aPost = -0.00021
        public var wMax = 0.02
    }

    /// The generated network: synapses as parallel arrays, the constant input of each neuron.
    public struct Network: Sendable {
        public var configuration: Configuration
        public var pre: [Int32]
        public var post: [Int32]
        public var weights: [Double]
        public var delays: [Int32]
        public var currents: [Double]

        /// The synapses from presynaptic neurons in `rows` as CSR over the whole population.
        func synapses<Scalar: KernelScalar>(rows: Range<Int>, as: Scalar.Type) throws(SpikingError) -> Synapses<Scalar> {
            let n = configuration.neurons, fan = configuration.fanOut
            var rowStart = [Int](repeating: 0, count: n + 1)
            for i in 0..<n { rowStart[i + 1] = rowStart[i] + (rows.contains(i) ? fan : 0) }
            let range = (rows.lowerBound * fan)..<(rows.upperBound * fan)
            return try .sparse(
                pre: n, post: n, rowStart: rowStart, columns: Array(post[range]),
                weights: weights[range].map { Scalar($0) }, delays: .perSynapse(delays[range].map { Int($0) }))
        }
    }

    /// One timed run.
    public struct Run: Sendable {
        /// Wall-clock seconds of the best repeat.
        public var seconds: Double
        /// The spikes of the run (identical across repeats).
        public var spikes: Int
        /// The synaptic events delivered.
        public var events: Int
        public var neuronStepsPerSecond: Double
        public var eventsPerSecond: Double
    }

    /// Builds the network of `configuration` from its seed.
    public static func makeNetwork(_ configuration: Configuration) -> Network {
        var generator = SeededGenerator(seed: configuration.seed)
        let n = configuration.neurons, fan = configuration.fanOut
        var pre: [Int32] = [], post: [Int32] = [], weights: [Double] = [], delays: [Int32] = []
        pre.reserveCapacity(n * fan); post.reserveCapacity(n * fan)
        weights.reserveCapacity(n * fan); delays.reserveCapacity(n * fan)
        var chosen = Set<Int>()
        for i in 0..<n {
            chosen.removeAll(keepingCapacity: true)
            var targets: [Int] = []
            while targets.count < fan {
                let j = Int(generator.next() % UInt64(n))
                if j != i, chosen.insert(j).inserted { targets.append(j) }
            }
            for j in targets.sorted() {
                pre.append(Int32(i))
                post.append(Int32(j))
                weights.append(i < configuration.excitatory ? configuration.excitatoryWeight : configuration.inhibitoryWeight)
                delays.append(Int32(1 + Int(generator.next() % UInt64(configuration.maxDelay))))
            }
        }
        let (low, high) = (configuration.currentRange[0], configuration.currentRange[1])
        let currents = (0..<n).map { _ in low + (high - low) * generator.nextUnitDouble() }
        return Network(configuration: configuration, pre: pre, post: post, weights: weights, delays: delays, currents: currents)
    }

    /// Runs the network for its steps in `Scalar` precision, best of `repeats`.
    ///
    /// - Parameters:
    ///   - network: The network.
    ///   - stdp: Whether the excitatory projection learns.
    ///   - repeats: Timed repeats (each builds a fresh network first, untimed).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func run<Scalar: KernelScalar>(
        _ network: Network, stdp: Bool, repeats: Int = 3, as: Scalar.Type
    ) throws -> Run {
        let c = network.configuration
        let clock = ContinuousClock()
        var best = Double.infinity
        var spikes = 0, events = 0
        let currents = network.currents.map { Scalar($0) }
        for _ in 0..<max(1, repeats) {
            var net = SpikingNetwork<Scalar>()
            let neurons = try LeakyNeuron<Scalar>(beta: Scalar(c.beta), threshold: Scalar(c.threshold), resetMechanism: .zero)
            let population = try net.addPopulation(neurons, count: c.neurons)
            let excitatory = try network.synapses(rows: 0..<c.excitatory, as: Scalar.self)
            let inhibitory = try network.synapses(rows: c.excitatory..<c.neurons, as: Scalar.self)
            if stdp {
                let s = c.stdp
                let rule = try PairSTDP<Scalar>(
                    tauPre: Scalar(s.tauPreMs), tauPost: Scalar(s.tauPostMs), aPre: Scalar(s.aPre), aPost: Scalar(s.aPost),
                    wMin: 0, wMax: Scalar(s.wMax), bounds: .additive)
                try net.connect(population, to: population, plastic: try PlasticSynapses(excitatory, rule: .pair(rule), dt: Scalar(c.dtMs)))
            } else {
                try net.connect(population, to: population, synapses: excitatory)
            }
            try net.connect(population, to: population, synapses: inhibitory)
            let start = clock.now
            let recording = try currents.withUnsafeBufferPointer { currents in
                try net.run(steps: c.steps) { _, _, input in
                    for i in 0..<input.count { input[i] += currents[i] }
                }
            }
            best = min(best, (clock.now - start).seconds)
            spikes = recording.spikes[0].count
            events = recording.synapticEvents
        }
        let neuronSteps = Double(c.neurons * c.steps)
        return Run(seconds: best, spikes: spikes, events: events,
                   neuronStepsPerSecond: neuronSteps / best, eventsPerSecond: Double(events) / best)
    }

    /// Writes the network for the peers: `configuration.json` and little-endian raw arrays
    /// `pre.i32`, `post.i32`, `weight.f64`, `delay.i32`, `current.f64`.
    public static func write(_ network: Network, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var object = try JSONSerialization.jsonObject(with: encoder.encode(network.configuration)) as? [String: Any] ?? [:]
        object["beta"] = network.configuration.beta
        object["excitatory"] = network.configuration.excitatory
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            .write(to: directory.appendingPathComponent("configuration.json"))
        func raw<T>(_ values: [T], _ name: String) throws {
            try values.withUnsafeBytes { try Data($0).write(to: directory.appendingPathComponent(name)) }
        }
        try raw(network.pre, "pre.i32")
        try raw(network.post, "post.i32")
        try raw(network.weights, "weight.f64")
        try raw(network.delays, "delay.i32")
        try raw(network.currents, "current.f64")
    }
}
