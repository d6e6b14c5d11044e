import EngramKernels
import Testing
@testable import EngramSpiking

@Suite("Delivery plans and plastic projections against plain per-synapse loops")
struct DeliveryPlanTests {
    /// Random CSR synapses with per-synapse delays, repeated pairs included.
    static func randomSynapses<Scalar: KernelScalar>(
        pre m: Int, post n: Int, perNeuron: Int, maxDelay: Int, seed: UInt64, as: Scalar.Type = Float.self
    ) throws -> Synapses<Scalar> {
        var generator = SeededGenerator(seed: seed)
        var connections: [(pre: Int, post: Int, weight: Scalar, delay: Int)] = []
        for i in 0..<m {
            for _ in 0..<Int(generator.next() % UInt64(perNeuron + 1)) {
                let weight = Scalar(generator.nextUnitDouble() * 0.2 - 0.05)
                connections.append((i, Int(generator.next() % UInt64(n)), weight, 1 + Int(generator.next() % UInt64(maxDelay))))
            }
        }
        return try .sparse(pre: m, post: n, connections: connections)
    }

    @Test("a grouped delivery adds exactly what a per-synapse delivery adds, bit for bit")
    func groupedEqualsPerSynapse() throws {
        var generator = SeededGenerator(seed: 11)
        let dense = try Synapses<Float>.dense(
            pre: 7, post: 9, weights: (0..<63).map { _ in Float(generator.nextUnitDouble() - 0.5) },
            delays: .perSynapse((0..<63).map { _ in 1 + Int(generator.next() % 3) }))
        for synapses in [try Self.randomSynapses(pre: 60, post: 50, perNeuron: 30, maxDelay: 6, seed: 5), dense] {
            let (n, slots) = (synapses.postCount, synapses.maxDelay + 1)
            let plan = DeliveryPlan(synapses, copyWeights: true)
            var grouped = [Float](repeating: 0, count: slots * n), plain = grouped
            for t in 0..<40 {
                let fired = (0..<Int32(synapses.preCount)).filter { _ in generator.next() % 3 == 0 }
                let rowOffset = (0..<slots).map { ((t + $0) % slots) * n }
                let events = fired.withUnsafeBufferPointer { fired in
                    rowOffset.withUnsafeBufferPointer { rowOffset in
                        grouped.withUnsafeMutableBufferPointer { plan.deliver(fired, into: $0, rowOffset: rowOffset) }
                    }
                }
                var plainEvents = 0
                for i in fired {
                    for s in synapses.synapses(from: Int(i)) {
                        plain[rowOffset[synapses.delay(ofSynapse: s.index, from: Int(i))] + s.post] += synapses.weights[s.index]
                        plainEvents += 1
                    }
                }
                #expect(events == plainEvents)
                #expect(grouped.map(\.bitPattern) == plain.map(\.bitPattern), "step \(t)")
                for j in 0..<n { (grouped[rowOffset[0] + j], plain[rowOffset[0] + j]) = (0, 0) }
            }
        }
    }

    /// Short runs (a few synapses per neuron and delay) and long ones (past the 16 lanes of the
    /// vector kernel), in both precisions and both bounds.
    static let networks: [(perNeuron: Int, maxDelay: Int)] = [(12, 4), (70, 2)]

    @Test("a plastic projection runs as the eager rule with each spike delivered on arrival, float32",
          arguments: [PairSTDP<Float>.Bounds.additive, .multiplicative], networks.indices)
    func networkEqualsEagerFloat(bounds: PairSTDP<Float>.Bounds, network: Int) throws {
        try Self.checkNetworkEqualsEager(bounds: bounds, perNeuron: Self.networks[network].perNeuron, maxDelay: Self.networks[network].maxDelay)
    }

    @Test("a plastic projection runs as the eager rule with each spike delivered on arrival, float64",
          arguments: [PairSTDP<Double>.Bounds.additive, .multiplicative], networks.indices)
    func networkEqualsEagerDouble(bounds: PairSTDP<Double>.Bounds, network: Int) throws {
        try Self.checkNetworkEqualsEager(bounds: bounds, perNeuron: Self.networks[network].perNeuron, maxDelay: Self.networks[network].maxDelay)
    }

    /// Runs a network with a plastic projection (some neurons silent throughout) and checks its
    /// spikes, membranes and weights against the rule run by hand through
    /// `PlasticSynapses.update`, bit for bit.
    static func checkNetworkEqualsEager<Scalar: KernelScalar>(bounds: PairSTDP<Scalar>.Bounds, perNeuron: Int, maxDelay: Int) throws {
        let (n, steps) = (40, 700)
        let plastic = try randomSynapses(pre: n, post: n, perNeuron: perNeuron, maxDelay: maxDelay, seed: 21, as: Scalar.self)
        let fixed = try randomSynapses(pre: n, post: n, perNeuron: 6, maxDelay: 3, seed: 22, as: Scalar.self)
        let rule = try PairSTDP<Scalar>(tauPre: 15, tauPost: 25, aPre: 0.01, aPost: -0.011, wMin: -0.05, wMax: 0.2, bounds: bounds)
        let neuron = try LeakyNeuron<Scalar>(beta: 0.9, threshold: 1, resetMechanism: .zero)
        var generator = SeededGenerator(seed: 23)
        // The first neurons are held below threshold: the walks must leave their synapses alone.
        let current = (0..<n).map { i in i < 6 ? -10 : Scalar(0.05 + 0.1 * generator.nextUnitDouble()) }

        var net = SpikingNetwork<Scalar>()
        let population = try net.addPopulation(neuron, count: n)
        let projection = try net.connect(population, to: population, plastic: try PlasticSynapses(plastic, rule: .pair(rule)))
        try net.connect(population, to: population, synapses: fixed)
        let recording = try net.run(steps: steps, record: [.init(population, "mem")]) { _, _, input in
            for i in 0..<n { input[i] += current[i] }
        }

        // The same network by hand: the eager rule, a per-synapse delivery of the fixed synapses
        // at emission and of the plastic ones on arrival, with the weights after the step.
        var learner = try PlasticSynapses(plastic, rule: .pair(rule))
        var state = try neuron.makeState(count: n)
        let slots = max(plastic.maxDelay, fixed.maxDelay) + 1
        var ring = [Scalar](repeating: 0, count: slots * n)
        var history: [[Int]] = [], spikes: [Int] = [], membranes: [Scalar] = []
        for t in 0..<steps {
            let row = (t % slots) * n
            let input = (0..<n).map { ring[row + $0] + current[$0] }
            for j in 0..<n { ring[row + j] = 0 }
            let out = try neuron.step(&state, input: input)
            let fired = (0..<n).filter { out[$0] != 0 }
            spikes += fired
            membranes += state.membrane
            for i in fired {
                for s in fixed.synapses(from: i) {
                    ring[((t + fixed.delay(ofSynapse: s.index, from: i)) % slots) * n + s.post] += fixed.weights[s.index]
                }
            }
            try learner.update(preSpikes: fired, postSpikes: fired)
            history.append(fired)
            let next = ((t + 1) % slots) * n
            for d in 1...plastic.maxDelay where t - d + 1 >= 0 {
                for i in history[t - d + 1] {
                    for s in plastic.synapses(from: i) where plastic.delay(ofSynapse: s.index, from: i) == d {
                        ring[next + s.post] += learner.synapses.weights[s.index]
                    }
                }
            }
        }
        #expect(spikes.count > 100, "the network must fire")
        #expect(Set(spikes).isDisjoint(with: 0..<6), "the first neurons must stay silent")
        #expect(recording.spikes[0].neurons.map(Int.init) == spikes)
        let mem = try #require(recording.variables[.init(population, "mem")])
        #expect(bytes(mem) == bytes(membranes))
        #expect(bytes(net.synapses(of: projection).weights) == bytes(learner.synapses.weights))
        #expect(net.synapses(of: projection).weights != plastic.weights, "the weights must learn")
    }

    /// The bytes of `values`, to compare floating-point arrays bit for bit.
    static func bytes<Scalar: KernelScalar>(_ values: [Scalar]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
}
