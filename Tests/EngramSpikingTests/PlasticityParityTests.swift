import Testing
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
