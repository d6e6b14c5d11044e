import Testing
@testable import EngramSpiking

/// Expected times come from snntorch 1.0's formulas evaluated in float64 with NumPy
/// (`τ·ln(d/(d−θ)) + f` with `d = max(x, θ+ε)`, and `min(τ(1−x), τ(1−θ)) + f`), or from the
/// examples in snntorch's docstrings.
@Suite("LatencyEncoder")
struct LatencyEncoderTests {
    private func expectTimes(_ actual: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(abs(a - e) <= 1e-12 * max(1, abs(e)), "time \(a), expected \(e)", sourceLocation: sourceLocation)
        }
    }

    /// The step each neuron fires at (nil for none), for a train with at most one spike each.
    private func spikeSteps(_ train: SpikeTrain) -> [Int?] {
        (0..<train.neurons).map { i in (0..<train.steps).first { train[$0, i] != 0 } }
    }

    // MARK: logarithmic

    @Test("log code, snntorch's docstring example with normalize")
    func logNormalizedDocExample() throws {
        let encoder = try LatencyEncoder(numSteps: 5, normalize: true)
        // snntorch: tensor([4.0000, 0.1166, 0.0580]).
        expectTimes(try encoder.spikeTimes([0.02, 0.5, 1]), [4, 0.11658538263806605, 0.05799827878046068])
        #expect(spikeSteps(try encoder.encode([0.02, 0.5, 1])) == [4, 0, 0])
    }

    @Test("log code, tau 5 without normalize")
    func logTau() throws {
        let features = [1.0, 0.5, 0.1, 0.05, 0.02]
        let encoder = try LatencyEncoder(numSteps: 10, tau: 5)
        expectTimes(
            try encoder.spikeTimes(features),
            [0.05025167926750753, 0.10101353658759735, 0.5268025782891307, 1.1157177565710488, 3.4657359027997265])
        let train = try encoder.encode(features)
        #expect(train.steps == 10 && train.neurons == 5)
        #expect(spikeSteps(train) == [0, 0, 1, 1, 3])
        #expect(train.spikeCount == 5)
    }

    @Test("log code, firstSpikeTime shifts every time")
    func logFirstSpikeTime() throws {
        let encoder = try LatencyEncoder(numSteps: 10, tau: 5, firstSpikeTime: 2)
        let features = [1.0, 0.5, 0.1, 0.05, 0.02]
        expectTimes(
            try encoder.spikeTimes(features),
            [2.0502516792675074, 2.1010135365875975, 2.526802578289131, 3.1157177565710485, 5.465735902799727])
        #expect(spikeSteps(try encoder.encode(features)) == [2, 2, 3, 3, 5])
    }

    @Test("log code: below threshold saturates at θ + ε; out of range fails, bypass drops it")
    func logBelowThreshold() throws {
        // x = 0.005 < θ: d = 0.0100001, time = ln(100001) ≈ 11.51, past step 9 of 10.
        let strict = try LatencyEncoder(numSteps: 10)
        expectTimes(try strict.spikeTimes([0.005, 0.5]), [11.512935464926167, 0.02020270731751947])
        #expect(throws: SpikingError.spikeTimeOutOfRange(neuron: 0, step: 12, numSteps: 10)) {
            try strict.encode([0.005, 0.5])
        }
        let bypassed = try LatencyEncoder(numSteps: 10, bypass: true)
        #expect(spikeSteps(try bypassed.encode([0.005, 0.5])) == [nil, 0])
        // Without numSteps, bypass sizes the train to round(max time) + 1.
        let sized = try LatencyEncoder(numSteps: nil, bypass: true).encode([0.005, 0.5])
        #expect(sized.steps == 13)
        #expect(spikeSteps(sized) == [12, 0])
    }

    @Test("log code with normalize: below threshold fires last, or never with clip")
    func logNormalizedClip() throws {
        let encoder = try LatencyEncoder(numSteps: 10, normalize: true)
        expectTimes(try encoder.spikeTimes([0.005, 0.5]), [9, 0.01579305003590075])
        #expect(spikeSteps(try encoder.encode([0.005, 0.5])) == [9, 0])
        let clipped = try LatencyEncoder(numSteps: 10, clip: true, normalize: true)
        #expect(spikeSteps(try clipped.encode([0.005, 0.5])) == [nil, 0])
    }

    // MARK: linear

    @Test("linear code, snntorch's docstring example with normalize")
    func linearNormalizedDocExample() throws {
        let encoder = try LatencyEncoder(numSteps: 5, normalize: true, linear: true)
        expectTimes(try encoder.spikeTimes([0.02, 0.5, 1]), [3.92, 2, 0])
        // snntorch: [[0,0,1],[0,0,0],[0,1,0],[0,0,0],[1,0,0]].
        #expect(try encoder.encode([0.02, 0.5, 1]).rows == [[0, 0, 1], [0, 0, 0], [0, 1, 0], [0, 0, 0], [1, 0, 0]])
    }

    @Test("linear code: τ(1−x) capped at τ(1−θ), rounded half to even")
    func linearTau() throws {
        let features = [0, 0.05, 0.3, 0.6, 0.875, 1]
        let encoder = try LatencyEncoder(numSteps: 5, threshold: 0.1, tau: 4, linear: true)
        expectTimes(try encoder.spikeTimes(features), [3.6, 3.6, 2.8, 1.6, 0.5, 0])
        // 0.5 rounds to 0, as torch.round does.
        #expect(spikeSteps(try encoder.encode(features)) == [4, 4, 3, 2, 0, 0])

        let shifted = try LatencyEncoder(numSteps: 6, threshold: 0.1, tau: 4, firstSpikeTime: 1, linear: true)
        expectTimes(try shifted.spikeTimes(features), [4.6, 4.6, 3.8, 2.6, 1.5, 1])
        // 1.5 rounds to 2.
        #expect(spikeSteps(try shifted.encode(features)) == [5, 5, 4, 3, 2, 1])
    }

    @Test("linear code with normalize uses τ = numSteps − 1 − firstSpikeTime")
    func linearNormalizedFirstSpikeTime() throws {
        let encoder = try LatencyEncoder(numSteps: 6, tau: 100, firstSpikeTime: 1, normalize: true, linear: true)
        expectTimes(try encoder.spikeTimes([1, 0.5, 0]), [1, 3, 4.96])
        #expect(spikeSteps(try encoder.encode([1, 0.5, 0])) == [1, 3, 5])
    }

    // MARK: targets and interpolation

    @Test("onTarget and offTarget set the spike and the background")
    func targets() throws {
        let encoder = try LatencyEncoder(numSteps: 3, onTarget: 2, offTarget: 0.5, normalize: true, linear: true)
        #expect(try encoder.encode([1, 0]).rows == [[2, 0.5], [0.5, 0.5], [0.5, 2]])
        // A negative offTarget does not lower the background below 0 (clamp(min: off)).
        let negative = try LatencyEncoder(numSteps: 2, offTarget: -1, normalize: true, linear: true)
        #expect(try negative.encode([1]).rows == [[1], [0]])
    }

    @Test("interpolate ramps to each spike, snntorch's latency_interpolate example")
    func interpolate() throws {
        // Times 0 and 3.96, rounded to 0 and 4.
        let encoder = try LatencyEncoder(numSteps: 5, normalize: true, linear: true, interpolate: true)
        #expect(try encoder.encode([1, 0]).rows == [[1, 0], [0, 0.25], [0, 0.5], [0, 0.75], [0, 1]])
        let shifted = try LatencyEncoder(
            numSteps: 5, onTarget: 1.25, offTarget: 0.25, normalize: true, linear: true, interpolate: true)
        #expect(
            try shifted.encode([1, 0]).rows
                == [[1.25, 0.25], [0.25, 0.5], [0.25, 0.75], [0.25, 1], [0.25, 1.25]])
        // No spike at step 0: row 0 is 0, the ramp peaks at the spike, then falls to offTarget.
        let middle = try LatencyEncoder(numSteps: 5, normalize: true, linear: true, interpolate: true)
        #expect(try middle.encode([0.5]).rows == [[0], [0.5], [1], [0], [0]])
    }

    // MARK: errors

    @Test("rejects features outside [0, 1] and non-finite features, naming the index")
    func invalidInput() throws {
        let encoder = try LatencyEncoder(numSteps: 5)
        #expect(throws: SpikingError.inputOutOfRange(index: 1, value: 1.5, lower: 0, upper: 1)) {
            try encoder.encode([0.5, 1.5])
        }
        #expect(throws: SpikingError.inputOutOfRange(index: 0, value: -0.1, lower: 0, upper: 1)) {
            try encoder.spikeTimes([-0.1])
        }
        #expect(throws: SpikingError.nonFiniteInput(index: 2)) { try encoder.encode([0.5, 0.5, .nan]) }
        #expect(throws: SpikingError.emptyInput) { try encoder.encode([]) }
    }

    @Test("rejects parameters snntorch rejects, and a non-positive epsilon")
    func invalidParameters() {
        #expect(throws: SpikingError.self) { try LatencyEncoder(numSteps: nil) }
        #expect(throws: SpikingError.self) { try LatencyEncoder(numSteps: nil, normalize: true, bypass: true) }
        #expect(throws: SpikingError.self) { try LatencyEncoder(numSteps: 0) }
        #expect(throws: SpikingError.self) { try LatencyEncoder(numSteps: 5, threshold: 0) }
        #expect(throws: SpikingError.self) { try LatencyEncoder(numSteps: 5, threshold: 1) }
        #expect(throws: SpikingError.self) { try LatencyEncoder(numSteps: 5, tau: 0) }
        #expect(throws: SpikingError.self) { try LatencyEncoder(numSteps: 5, tau: .infinity) }
        #expect(throws: SpikingError.self) { try LatencyEncoder(numSteps: 5, firstSpikeTime: 5) }
        #expect(throws: SpikingError.self) { try LatencyEncoder(numSteps: 5, firstSpikeTime: -1) }
        #expect(throws: SpikingError.self) { try LatencyEncoder(numSteps: 5, onTarget: 0, offTarget: 1, interpolate: true) }
        #expect(throws: SpikingError.self) { try LatencyEncoder(numSteps: 5, onTarget: .nan) }
        #expect(throws: SpikingError.self) { try LatencyEncoder(numSteps: 5, offTarget: 1e300) }
        #expect(throws: SpikingError.self) { try LatencyEncoder(numSteps: 5, epsilon: 0) }
        #expect(throws: Never.self) { try LatencyEncoder(numSteps: 5, onTarget: 0, offTarget: 1) }
    }
}
