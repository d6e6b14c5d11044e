import EngramKernels
import Testing
@testable import EngramSpiking

@Suite("RateEncoder")
struct RateEncoderTests {
    @Test("produces a (numSteps, n) train of 0s and 1s")
    func shape() throws {
        let encoder = try RateEncoder(numSteps: 25)
        let train = try encoder.encode([0.1, 0.5, 0.9], seed: 1)
        #expect(train.steps == 25)
        #expect(train.neurons == 3)
        #expect(train.values.allSatisfy { $0 == 0 || $0 == 1 })
    }

    @Test("the same seed gives the same train, other seeds other trains")
    func reproducible() throws {
        let encoder = try RateEncoder(numSteps: 100)
        let features = [Double](repeating: 0.5, count: 10)
        let first = try encoder.encode(features, seed: 42)
        #expect(try encoder.encode(features, seed: 42) == first)
        #expect(try encoder.encode(features, seed: 43) != first)
        var generator = SeededGenerator(seed: 42)
        #expect(try encoder.encode(features, using: &generator) == first)
        // A generator carried on gives a fresh, different train.
        #expect(try encoder.encode(features, using: &generator) != first)
    }

    /// The empirical rate over T steps has standard deviation σ = √(p(1−p)/T); every neuron,
    /// under every seed, must land within 5σ (a miss has probability below 6·10⁻⁷ per neuron for
    /// a fair Bernoulli sampler, so the bound fails only on a real bias).
    @Test("the empirical firing rate matches the probability within 5σ", arguments: [1, 2, 3] as [UInt64])
    func empiricalRate(seed: UInt64) throws {
        let steps = 20_000
        let probabilities = [0.0, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 1.0]
        let train = try RateEncoder(numSteps: steps).encode(probabilities, seed: seed)
        for (rate, p) in zip(train.rates(), probabilities) {
            let sigma = (p * (1 - p) / Double(steps)).squareRoot()
            #expect(abs(rate - p) <= 5 * sigma, "p \(p): rate \(rate), 5σ \(5 * sigma)")
        }
    }

    @Test("gain and offset scale and shift, then clamp to [0, 1]")
    func gainOffsetClamp() throws {
        let encoder = try RateEncoder(numSteps: 200, gain: 2, offset: -0.5)
        let features = [0, 0.25, 0.5, 0.75, 1, -3, 40]
        #expect(try encoder.spikeProbabilities(features) == [0, 0, 0.5, 1, 1, 0, 1])
        let rates = try encoder.encode(features, seed: 7).rates()
        #expect(rates[0] == 0 && rates[1] == 0 && rates[5] == 0)
        #expect(rates[3] == 1 && rates[4] == 1 && rates[6] == 1)
        #expect(rates[2] > 0 && rates[2] < 1)
        // snntorch's defaults: gain 1, offset 0, so features outside [0, 1] clamp.
        let plain = try RateEncoder(numSteps: 3)
        #expect(try plain.spikeProbabilities([-0.5, 0.3, 1.5]) == [0, 0.3, 1])
        #expect(try plain.encode([-0.5, 1.5], seed: 3).rows == [[0, 1], [0, 1], [0, 1]])
    }

    @Test("firstSpikeTime zeroes the leading steps and leaves the rest of the draws alone")
    func firstSpikeTime() throws {
        let always = try RateEncoder(numSteps: 6, firstSpikeTime: 3).encode([1, 1], seed: 9)
        #expect(always.rows == [[0, 0], [0, 0], [0, 0], [1, 1], [1, 1], [1, 1]])

        // The draws for zeroed steps are still taken, so the later steps equal the unshifted train.
        let features = [0.5, 0.5, 0.5, 0.5]
        let shifted = try RateEncoder(numSteps: 50, firstSpikeTime: 10).encode(features, seed: 5)
        let plain = try RateEncoder(numSteps: 50).encode(features, seed: 5)
        #expect(shifted.rows[..<10].allSatisfy { $0 == [0, 0, 0, 0] })
        #expect(shifted.rows[10...] == plain.rows[10...])
    }

    @Test("time-varying input: clamps each value, prepends firstSpikeTime rows of zeros")
    func timeVarying() throws {
        let series: [[Double]] = [[1, 0, 2], [-1, 1, 0], [1, 1, 1]]
        let train = try RateEncoder.encode(timeVarying: series, firstSpikeTime: 2, seed: 11)
        #expect(train.steps == 5)
        #expect(train.rows == [[0, 0, 0], [0, 0, 0], [1, 0, 1], [0, 1, 0], [1, 1, 1]])
        let noisy = [[Double]](repeating: [0.5, 0.5], count: 64)
        let a = try RateEncoder.encode(timeVarying: noisy, seed: 4)
        #expect(a.steps == 64)
        #expect(try RateEncoder.encode(timeVarying: noisy, seed: 4) == a)
        #expect(try RateEncoder.encode(timeVarying: noisy, seed: 5) != a)
    }

    @Test("rejects invalid parameters")
    func invalidParameters() {
        #expect(throws: SpikingError.self) { try RateEncoder(numSteps: 0) }
        #expect(throws: SpikingError.self) { try RateEncoder(numSteps: 5, firstSpikeTime: 5) }
        #expect(throws: SpikingError.self) { try RateEncoder(numSteps: 5, firstSpikeTime: -1) }
        #expect(throws: SpikingError.self) { try RateEncoder(numSteps: 5, gain: .nan) }
        #expect(throws: SpikingError.self) { try RateEncoder(numSteps: 5, offset: .infinity) }
        #expect(throws: SpikingError.self) {
            try RateEncoder.encode(timeVarying: [[0.5]], firstSpikeTime: -1, seed: 0)
        }
        // The last allowed first spike time is numSteps − 1.
        #expect(throws: Never.self) { try RateEncoder(numSteps: 5, firstSpikeTime: 4) }
    }

    @Test("rejects empty and non-finite input, naming the index")
    func invalidInput() throws {
        let encoder = try RateEncoder(numSteps: 4)
        #expect(throws: SpikingError.emptyInput) { try encoder.encode([], seed: 0) }
        #expect(throws: SpikingError.nonFiniteInput(index: 2)) { try encoder.encode([0.1, 0.2, .nan], seed: 0) }
        #expect(throws: SpikingError.nonFiniteInput(index: 0)) { try encoder.spikeProbabilities([.infinity]) }
        #expect(throws: SpikingError.nonFiniteSeriesInput(step: 1, neuron: 1)) {
            try RateEncoder.encode(timeVarying: [[0, 0], [0, .nan]], seed: 0)
        }
        #expect(throws: SpikingError.raggedRows(row: 1, expected: 2, actual: 1)) {
            try RateEncoder.encode(timeVarying: [[0, 0], [0]], seed: 0)
        }
        #expect(throws: SpikingError.emptyInput) { try RateEncoder.encode(timeVarying: [], seed: 0) }
    }
}
