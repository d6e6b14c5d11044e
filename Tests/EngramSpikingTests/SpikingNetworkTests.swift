import EngramKernels
import Testing
@testable import EngramSpiking

@Suite("SpikingNetwork: synapses, delays and plastic projections")
struct SpikingNetworkTests {
    /// A relay: membrane = this step's input, fires above `threshold`, no memory.
    static func relay(threshold: Double = 0.5) throws -> LeakyNeuron<Double> {
        try LeakyNeuron(beta: 0, threshold: threshold, resetMechanism: .none)
    }

    @Test("a spike arrives exactly its delay later, uniform, per axon and per synapse")
    func delays() throws {
        for delays in [Synapses<Double>.Delays.perSynapse([1, 4]), .uniform(3), .perAxon([2])] {
            var net = SpikingNetwork<Double>()
            let pre = try net.addPopulation(try Self.relay(), count: 1)
            let post = try net.addPopulation(try Self.relay(), count: 2)
            try net.connect(pre, to: post, synapses: try .dense(pre: 1, post: 2, weights: [0.7, 0.9], delays: delays))
            let recording = try net.run(steps: 12, record: [.init(post, "mem")]) { t, population, input in
                if population == pre, t == 2 { input[0] += 1 }
            }
            #expect(recording.spikes[pre.index].steps == [2])
            let expected: [(step: Int, neuron: Int32)] = switch delays {
            case .perSynapse: [(3, 0), (6, 1)]
            case .uniform: [(5, 0), (5, 1)]
            case .perAxon: [(4, 0), (4, 1)]
            }
            #expect(recording.spikes[post.index].steps == expected.map(\.step), "\(delays)")
            #expect(recording.spikes[post.index].neurons == expected.map(\.neuron))
            let mem = try #require(recording.variables[SpikingNetwork<Double>.Probe(post, "mem")])
            #expect(mem.filter { $0 != 0 }.sorted() == [0.7, 0.9])
            #expect(recording.synapticEvents == 2)
        }
    }

    @Test("sparse (CSR) synapses give the same run as dense ones")
    func sparseEqualsDense() throws {
        let (m, n, steps) = (30, 20, 200)
        var generator = SeededGenerator(seed: 3)
        var weights = [Double](repeating: 0, count: m * n)
        var delays = [Int](repeating: 1, count: m * n)
        var connections: [(pre: Int, post: Int, weight: Double, delay: Int)] = []
        for i in 0..<m {
            for j in 0..<n where generator.nextUnitDouble() < 0.3 {
                weights[i * n + j] = generator.nextUnitDouble() * 0.6 - 0.1
                delays[i * n + j] = 1 + Int(generator.next() % 5)
                connections.append((i, j, weights[i * n + j], delays[i * n + j]))
            }
        }
        let drive = (0..<(steps * m)).map { _ in generator.nextUnitDouble() < 0.05 ? 1.5 : 0.0 }
        func run(_ synapses: Synapses<Double>) throws -> NetworkRecording<Double> {
            var net = SpikingNetwork<Double>()
            let input = try net.addPopulation(try Self.relay(threshold: 1), count: m)
            let output = try net.addPopulation(try LeakyNeuron<Double>(beta: 0.9, threshold: 1), count: n)
            try net.connect(input, to: output, synapses: synapses)
            return try net.run(steps: steps, record: [.init(output, "mem")]) { t, population, current in
                guard population == input else { return }
                for i in 0..<m { current[i] += drive[t * m + i] }
            }
        }
        let dense = try run(try .dense(pre: m, post: n, weights: weights, delays: .perSynapse(delays)))
        let sparse = try run(try .sparse(pre: m, post: n, connections: connections))
        #expect(dense.spikes[1].count > 20, "the output must fire")
        #expect(sparse.spikes == dense.spikes)
        #expect(sparse.variables == dense.variables)
        let rowLengths = (0..<m).map { i in connections.filter { $0.pre == i }.count }
        #expect(sparse.synapticEvents == dense.spikes[0].neurons.map { rowLengths[Int($0)] }.reduce(0, +))
        #expect(dense.synapticEvents == dense.spikes[0].count * n)
    }

    @Test("a plastic projection in a network learns as Brian2 does", arguments: PlasticityParityTests.ruleNames)
    func plasticProjection(name: String) throws {
        let fixture = SpikingFixtures.plasticity
        let expected = try #require(fixture.rules[name])
        let (m, n) = (fixture.pre, fixture.post)
        var net = SpikingNetwork<Double>()
        let pre = try net.addPopulation(try Self.relay(), count: m)
        // Fires only when driven: the synaptic input (at most m · wMax) stays below the threshold.
        let post = try net.addPopulation(try Self.relay(threshold: 10), count: n)
        let synapses = try Synapses<Double>.dense(pre: m, post: n, weights: fixture.initial_weights)
        let projection = try net.connect(
            pre, to: post, plastic: try PlasticSynapses(synapses, rule: try PlasticityParityTests.rule(name, expected.params), dt: fixture.dt_ms))
        let preSpikes = fixture.spikes(pre: true), postSpikes = fixture.spikes(pre: false)
        var worst = 0.0
        for t in 0..<fixture.steps {
            _ = try net.run(steps: 1, modulator: fixture.modulator[t]) { t, population, input in
                let row = population == pre ? preSpikes[t] : postSpikes[t]
                for i in row.indices where row[i] { input[i] += 100 }
            }
            let want = Array(expected.weights[(t * m * n)..<((t + 1) * m * n)])
            worst = max(worst, SpikingFixtures.maxRelativeError(net.synapses(of: projection).weights, want))
        }
        #expect(worst <= 1e-12, "largest relative weight error \(worst)")
    }

    @Test("wiring mistakes are typed errors")
    func errors() throws {
        var net = SpikingNetwork<Float>()
        let a = try net.addPopulation(try LeakyNeuron<Float>(beta: 0.9), count: 3)
        let b = try net.addPopulation(try IzhikevichNeuron<Float>(.regularSpiking), count: 2)
        #expect(throws: SpikingError.inputLengthMismatch(expected: 3, actual: 2)) {
            try net.connect(a, to: b, synapses: try .dense(pre: 2, post: 2, weights: [1, 1, 1, 1]))
        }
        #expect(throws: SpikingError.unknownPopulation(index: 5, count: 2)) {
            try net.connect(a, to: .init(index: 5), synapses: try .dense(pre: 3, post: 2, weights: [Float](repeating: 1, count: 6)))
        }
        #expect(throws: SpikingError.unknownVariable(name: "mem", available: ["v", "u"])) { try net.run(steps: 1, record: [.init(b, "mem")]) }
        #expect(throws: SpikingError.self) { try net.run(steps: 0) }
        #expect(throws: SpikingError.delayOutOfRange(synapse: 0, delay: 0, maximum: 65535)) {
            try Synapses<Float>.dense(pre: 1, post: 1, weights: [1], delays: .uniform(0))
        }
        #expect(throws: SpikingError.neuronIndexOutOfRange(side: "post", index: 4, count: 2)) {
            try Synapses<Float>.sparse(pre: 1, post: 2, connections: [(0, 4, 1, 1)])
        }
        #expect(throws: SpikingError.self) { try Synapses<Float>.sparse(pre: 2, post: 2, rowStart: [0, 2, 1], columns: [0], weights: [1]) }
        #expect(throws: SpikingError.nonFiniteInput(index: 1)) { try Synapses<Float>.dense(pre: 1, post: 2, weights: [1, .nan]) }
        #expect(net.currentStep == 0, "failed runs do not advance the clock")
    }

    @Test("a delay added after a run keeps the inputs already in flight")
    func growingRing() throws {
        var net = SpikingNetwork<Double>()
        let pre = try net.addPopulation(try Self.relay(), count: 1)
        let post = try net.addPopulation(try Self.relay(), count: 1)
        try net.connect(pre, to: post, synapses: try .dense(pre: 1, post: 1, weights: [1], delays: .uniform(2)))
        _ = try net.run(steps: 4) { t, population, input in if population == pre, t == 3 { input[0] = 1 } }
        try net.connect(pre, to: post, synapses: try .dense(pre: 1, post: 1, weights: [1], delays: .uniform(6)))
        let later = try net.run(steps: 6)
        #expect(later.spikes[post.index].steps == [5], "the spike of step 3 still arrives at step 5")
    }
}
