import Testing
import EngramKernels
import Foundation
@testable import EngramSpiking

@Suite("Plasticity parity with Brian2")
struct PlasticityParityTests {
    static let ruleNames = ["additive", "multiplicative", "triplet", "three_factor"]

    static func rule(_ name: String, _ p: [String: Double]) throws -> Plasticity<Double> {
        func v(_ key: String) -> Double { p[key] ?? .nan }
        switch name {
        case "additive", "multiplicative":
            return .pair(try PairSTDP(
                tauPre: v("taupre"), tauPost: v("taupost"), aPre: v("Apre"), aPost: v("Apost"),
                wMin: 0, wMax: v("wmax"), bounds: name == "additive" ? .additive : .multiplicative))
        case "triplet":
            return .triplet(try TripletSTDP(
                tauPlus: v("tau_plus"), tauMinus: v("tau_minus"), tauX: v("tau_x"), tauY: v("tau_y"),
                a2Plus: v("A2p"), a3Plus: v("A3p"), a2Minus: v("A2m"), a3Minus: v("A3m"), wMin: 0, wMax: v("wmax")))
        default:
            return .threeFactor(try ThreeFactorSTDP(
                tauPre: v("taupre"), tauPost: v("taupost"), tauEligibility: v("taue"), aPre: v("Apre"), aPost: v("Apost"),
                learningRate: v("eta"), wMin: 0, wMax: v("wmax")))
        }
    }

    @Test("each rule's weights follow Brian2's step by step, dense and CSR alike", arguments: ruleNames)
    func matchesBrian2(name: String) throws {
        let fixture = SpikingFixtures.plasticity
        let expected = try #require(fixture.rules[name])
        let rule = try Self.rule(name, expected.params)
        let (m, n) = (fixture.pre, fixture.post)
        let dense = try Synapses<Double>.dense(pre: m, post: n, weights: fixture.initial_weights)
        // The same synapses as CSR, each row listed backwards so the storage order differs.
        var connections: [(pre: Int, post: Int, weight: Double, delay: Int)] = []
        for i in 0..<m { for j in (0..<n).reversed() { connections.append((i, j, fixture.initial_weights[i * n + j], 1)) } }
        let sparse = try Synapses<Double>.sparse(pre: m, post: n, connections: connections)
        #expect(sparse.denseWeights == dense.denseWeights)

        var learners = [try PlasticSynapses(dense, rule: rule, dt: fixture.dt_ms),
                        try PlasticSynapses(sparse, rule: rule, dt: fixture.dt_ms)]
        let pre = fixture.spikes(pre: true), post = fixture.spikes(pre: false)
        var worst = 0.0
        for t in 0..<fixture.steps {
            let preSpikes = pre[t].indices.filter { pre[t][$0] }
            let postSpikes = post[t].indices.filter { post[t][$0] }
            let want = Array(expected.weights[(t * m * n)..<((t + 1) * m * n)])
            for k in learners.indices {
                try learners[k].update(preSpikes: preSpikes, postSpikes: postSpikes, modulator: fixture.modulator[t])
                worst = max(worst, SpikingFixtures.maxRelativeError(learners[k].synapses.denseWeights, want))
            }
        }
        #expect(worst <= 1e-12, "largest relative weight error \(worst)")
        let final = Array(expected.weights.suffix(m * n))
        #expect(final != fixture.initial_weights, "the rule must have learnt something")
    }

    @Test("rules validate their parameters and spike indices")
    func validation() throws {
        #expect(throws: SpikingError.self) { try PairSTDP<Float>(tauPre: 0) }
        #expect(throws: SpikingError.self) { try PairSTDP<Float>(aPre: .nan) }
        #expect(throws: SpikingError.self) { try PairSTDP<Float>(wMin: 1, wMax: 0) }
        #expect(throws: SpikingError.self) { try TripletSTDP<Float>(tauY: -1) }
        #expect(throws: SpikingError.self) { try ThreeFactorSTDP<Float>(learningRate: .infinity) }
        let synapses = try Synapses<Float>.dense(pre: 2, post: 2, weights: [0.5, 0.5, 0.5, 0.5])
        var learner = try PlasticSynapses(synapses, rule: .pair(try PairSTDP()))
        #expect(throws: SpikingError.neuronIndexOutOfRange(side: "pre", index: 2, count: 2)) {
            try learner.update(preSpikes: [2], postSpikes: [])
        }
        #expect(throws: SpikingError.neuronIndexOutOfRange(side: "post", index: -1, count: 2)) {
            try learner.update(preSpikes: [], postSpikes: [-1])
        }
        #expect(throws: SpikingError.self) { try PlasticSynapses(synapses, rule: .pair(try PairSTDP()), dt: 0) }
    }

    @Test("pre before post potentiates, post before pre depresses")
    func causality() throws {
        let synapses = try Synapses<Double>.dense(pre: 1, post: 1, weights: [0.5])
        var ltp = try PlasticSynapses(synapses, rule: .pair(try PairSTDP(aPre: 0.1, aPost: -0.1)))
        try ltp.update(preSpikes: [0], postSpikes: [])
        try ltp.update(preSpikes: [], postSpikes: [0])
        #expect(abs(ltp.synapses.weights[0] - (0.5 + 0.1 * exp(-1.0 / 20))) < 1e-12)
        var ltd = try PlasticSynapses(synapses, rule: .pair(try PairSTDP(aPre: 0.1, aPost: -0.1)))
        try ltd.update(preSpikes: [], postSpikes: [0])
        try ltd.update(preSpikes: [0], postSpikes: [])
        #expect(abs(ltd.synapses.weights[0] - (0.5 - 0.1 * exp(-1.0 / 20))) < 1e-12)
    }
}

@Suite("Pair STDP against a direct implementation")
struct PairSTDPDirectTests {
    /// Pair STDP written out directly, per synapse, in Brian2's order.
    static func immediate(
        _ rule: PairSTDP<Double>, weights: [Double], pre: [[Int]], post: [[Int]], m: Int, n: Int
    ) -> [Double] {
        var w = weights, apre = [Double](repeating: 0, count: m), apost = [Double](repeating: 0, count: n)
        let (fPre, fPost) = (exp(-1 / rule.tauPre), exp(-1 / rule.tauPost))
        for t in pre.indices {
            for i in 0..<m { apre[i] *= fPre }
            for j in 0..<n { apost[j] *= fPost }
            for i in pre[t] {
                apre[i] += rule.aPre
                for j in 0..<n {
                    let dw = rule.bounds == .additive ? apost[j] : apost[j] * w[i * n + j]
                    w[i * n + j] = min(max(w[i * n + j] + dw, rule.wMin), rule.wMax)
                }
            }
            for j in post[t] {
                apost[j] += rule.aPost
                for i in 0..<m {
                    let dw = rule.bounds == .additive ? apre[i] : apre[i] * (rule.wMax - w[i * n + j])
                    w[i * n + j] = min(max(w[i * n + j] + dw, rule.wMin), rule.wMax)
                }
            }
        }
        return w
    }

    @Test("long runs with busy and long-silent neurons equal the direct rule",
          arguments: [PairSTDP<Double>.Bounds.additive, .multiplicative])
    func equalsImmediate(bounds: PairSTDP<Double>.Bounds) throws {
        let (m, n, steps) = (6, 5, 3000)
        var generator = SeededGenerator(seed: 11)
        // Busy postsynaptic neurons; presynaptic neuron 5 fires at step 10, then not until step
        // 2,000, so its trace decays to nothing in between.
        let pre = (0..<steps).map { t in
            (0..<m).filter { i in (i == 5 && t == 10) || ((i < 5 || t > 2000) && generator.nextUnitDouble() < 0.02) }
        }
        let post = (0..<steps).map { _ in (0..<n).filter { _ in generator.nextUnitDouble() < 0.15 } }
        let weights = (0..<(m * n)).map { _ in generator.nextUnitDouble() }
        let rule = try PairSTDP<Double>(tauPre: 20, tauPost: 25, aPre: 0.02, aPost: -0.021, wMin: 0, wMax: 1, bounds: bounds)
        var learner = try PlasticSynapses(try .dense(pre: m, post: n, weights: weights), rule: .pair(rule))
        for t in 0..<steps {
            try learner.update(preSpikes: pre[t], postSpikes: post[t])
            if t == 1500 {
                let want = Self.immediate(rule, weights: weights, pre: Array(pre[...t]), post: Array(post[...t]), m: m, n: n)
                #expect(SpikingFixtures.maxRelativeError(learner.synapses.weights, want) <= 1e-12)
            }
        }
        let want = Self.immediate(rule, weights: weights, pre: pre, post: post, m: m, n: n)
        #expect(SpikingFixtures.maxRelativeError(learner.synapses.weights, want) <= 1e-12)
        #expect(learner.synapses.weights != weights)
    }
}
