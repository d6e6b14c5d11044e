import EngramKernels
import Testing
@testable import EngramSpiking

@Suite("CompetitiveLayer (Diehl & Cook)")
struct CompetitiveLayerTests {
    static var small: CompetitiveLayer.Configuration {
        var c = CompetitiveLayer.Configuration()
        c.inputs = 16
        c.neurons = 8
        c.weightTotal = 1.6
        c.presentationSteps = 100
        c.responseSteps = 100
        return c
    }

    /// A bar over inputs `range` of a 16-input vector.
    static func bar(_ range: Range<Int>) -> [Double] { (0..<16).map { range.contains($0) ? 1 : 0 } }

    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        let dot = zip(a, b).map(*).reduce(0, +)
        let na = a.map { $0 * $0 }.reduce(0, +).squareRoot(), nb = b.map { $0 * $0 }.reduce(0, +).squareRoot()
        return dot / max(na * nb, 1e-12)
    }

    @Test("training keeps every neuron's input weights at the normalised total")
    func normalisation() throws {
        var layer = try CompetitiveLayer(Self.small, seed: 1)
        var generator = SeededGenerator(seed: 2)
        for _ in 0..<5 { try layer.train(on: Self.bar(0..<8), using: &generator) }
        let w = layer.weights.synapses.weights
        for j in 0..<8 {
            let sum = (0..<16).map { w[$0 * 8 + j] }.reduce(0, +)
            #expect(abs(sum - 1.6) < 1e-9)
        }
    }

    @Test("the winners' weights move towards the pattern they win, and their thresholds rise")
    func learnsPatterns() throws {
        var layer = try CompetitiveLayer(Self.small, seed: 3)
        var generator = SeededGenerator(seed: 4)
        let patterns = [Self.bar(0..<8), Self.bar(8..<16)]
        func column(_ j: Int) -> [Double] { (0..<16).map { layer.weights.synapses.weights[$0 * 8 + j] } }
        let before = (0..<8).map { j in patterns.map { Self.cosine(column(j), $0) }.max() ?? 0 }
        var wins = [Double](repeating: 0, count: 8)
        for k in 0..<60 {
            let counts = try layer.train(on: patterns[k % 2], using: &generator)
            for j in 0..<8 { wins[j] += counts[j] }
        }
        let after = (0..<8).map { j in patterns.map { Self.cosine(column(j), $0) }.max() ?? 0 }
        let best = try #require(wins.indices.max { wins[$0] < wins[$1] })
        #expect(after[best] > before[best] + 0.1, "the most active neuron specialises")
        #expect(after[best] > 0.9)
        #expect(layer.state.theta[best] > 0, "homeostasis raised its threshold")
        // Responding does not learn.
        let weights = layer.weights.synapses.weights, theta = layer.state.theta
        let response = try layer.response(to: patterns[0], using: &generator)
        #expect(response.reduce(0, +) > 0)
        #expect(layer.weights.synapses.weights == weights)
        #expect(layer.state.theta == theta)
    }

    @Test("lateral inhibition makes the response sparser")
    func inhibition() throws {
        var strong = Self.small, none = Self.small
        strong.inhibition = 40
        none.inhibition = 0
        var generator = SeededGenerator(seed: 5)
        var a = try CompetitiveLayer(strong, seed: 6), b = try CompetitiveLayer(none, seed: 6)
        let x = Self.bar(0..<12)
        let activeStrong = try a.response(to: x, using: &generator).filter { $0 > 0 }.count
        let activeNone = try b.response(to: x, using: &generator).filter { $0 > 0 }.count
        #expect(activeStrong < activeNone)
    }

    @Test("bad configurations and inputs are typed errors")
    func errors() throws {
        var c = Self.small
        c.neurons = 0
        #expect(throws: SpikingError.self) { try CompetitiveLayer(c, seed: 0) }
        c = Self.small
        c.inhibition = -1
        #expect(throws: SpikingError.self) { try CompetitiveLayer(c, seed: 0) }
        var layer = try CompetitiveLayer(Self.small, seed: 0)
        var generator = SeededGenerator(seed: 0)
        #expect(throws: SpikingError.inputLengthMismatch(expected: 16, actual: 3)) { try layer.train(on: [1, 2, 3], using: &generator) }
        #expect(throws: SpikingError.nonFiniteInput(index: 0)) { try layer.response(to: [.nan] + Self.bar(0..<15).dropFirst(), using: &generator) }
    }

    @Test("normalizeIncoming and resetTraces")
    func plasticHelpers() throws {
        let synapses = try Synapses<Double>.sparse(pre: 2, post: 2, connections: [(0, 0, 1, 1), (1, 0, 3, 1), (1, 1, 0, 1)])
        var learner = try PlasticSynapses(synapses, rule: .pair(try PairSTDP()))
        try learner.normalizeIncoming(to: 2)
        #expect(learner.synapses.denseWeights == [0.5, 0, 1.5, 0], "a column summing to 0 is left alone")
        #expect(throws: SpikingError.self) { try learner.normalizeIncoming(to: 0) }
        try learner.update(preSpikes: [0], postSpikes: [1])
        #expect(learner.presynapticTraces[0][0] > 0)
        learner.resetTraces()
        #expect(learner.presynapticTraces == [[0, 0]])
        #expect(learner.postsynapticTraces == [[0, 0]])
    }
}
