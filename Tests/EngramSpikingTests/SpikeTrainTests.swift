import Testing
@testable import EngramSpiking

@Suite("SpikeTrain")
struct SpikeTrainTests {
    /// A 3-step, 2-neuron train: neuron 0 fires at steps 0 and 2, neuron 1 at step 1.
    private func sample() throws -> SpikeTrain {
        try SpikeTrain(steps: 3, neurons: 2, values: [1, 0, 0, 1, 1, 0])
    }

    @Test("stores values time-major and indexes them as (t, i)")
    func layout() throws {
        let train = try sample()
        #expect(train.steps == 3)
        #expect(train.neurons == 2)
        #expect(train[0, 0] == 1)
        #expect(train[0, 1] == 0)
        #expect(train[1, 1] == 1)
        #expect(train[2, 0] == 1)
        #expect(train.rows == [[1, 0], [0, 1], [1, 0]])
    }

    @Test("init(rows:) round-trips through rows")
    func rowsRoundTrip() throws {
        let rows: [[Float]] = [[0.5, -1, 0], [1, 2, 3]]
        let train = try SpikeTrain(rows: rows)
        #expect(train.steps == 2)
        #expect(train.neurons == 3)
        #expect(train.values == [0.5, -1, 0, 1, 2, 3])
        #expect(train.rows == rows)
    }

    @Test("the zero-filled init has no spikes")
    func zeros() throws {
        let train = try SpikeTrain(steps: 4, neurons: 3)
        #expect(train.values == [Float](repeating: 0, count: 12))
        #expect(train.spikeCount == 0)
        #expect(train.rates() == [0, 0, 0])
    }

    @Test("rates() is the mean over time of each neuron")
    func rates() throws {
        let train = try sample()
        #expect(train.rates() == [2.0 / 3.0, 1.0 / 3.0])
        let graded = try SpikeTrain(rows: [[1, -1, 0.25], [0, -1, 0.5], [1, 1, 0.75], [0, 0, 0.5]])
        #expect(graded.rates() == [0.5, -0.25, 0.5])
    }

    @Test("rates() sums each neuron sequentially in Double, t = 0 first")
    func ratesSummationOrder() throws {
        // 1 + 2⁻⁵³ rounds back to 1 (a tie, to even), so summing t = 0, 1, 2 in order gives
        // exactly 1; any order that adds the two small values first gives 1 + 2⁻⁵². In Float
        // (or with a Float accumulator) the small values would vanish differently again.
        let tiny = Float(0x1p-53)
        let train = try SpikeTrain(rows: [[1, 0.1], [tiny, 0.2], [tiny, 0.3]])
        var sum = 0.0
        sum += Double(Float(0.1))
        sum += Double(Float(0.2))
        sum += Double(Float(0.3))
        #expect(train.rates() == [1.0 / 3.0, sum / 3])
        let smallFirst: Double = 1 + (0x1p-53 + 0x1p-53)
        #expect(smallFirst != 1)
    }

    @Test("spikeCount counts every non-zero value, off-spikes included")
    func spikeCount() throws {
        #expect(try sample().spikeCount == 3)
        #expect(try SpikeTrain(rows: [[1, -1], [0, 0.5]]).spikeCount == 3)
    }

    @Test("rejects a value count that is not steps × neurons")
    func countMismatch() {
        #expect(throws: SpikingError.valueCountMismatch(expected: 6, actual: 5)) {
            try SpikeTrain(steps: 3, neurons: 2, values: [0, 0, 0, 0, 0])
        }
    }

    @Test("rejects non-positive sizes", arguments: [(0, 2), (2, 0), (-1, 3), (0, 0)])
    func nonPositive(steps: Int, neurons: Int) {
        #expect(throws: SpikingError.nonPositiveSize(steps: steps, neurons: neurons)) {
            try SpikeTrain(steps: steps, neurons: neurons)
        }
        #expect(throws: SpikingError.nonPositiveSize(steps: steps, neurons: neurons)) {
            try SpikeTrain(steps: steps, neurons: neurons, values: [])
        }
    }

    @Test("rejects sizes whose product overflows")
    func overflow() {
        #expect(throws: SpikingError.sizeOverflow(steps: Int.max, neurons: 2)) {
            try SpikeTrain(steps: Int.max, neurons: 2)
        }
    }

    @Test("rejects NaN and infinities, naming the step and neuron")
    func nonFinite() {
        #expect(throws: SpikingError.nonFiniteValue(step: 1, neuron: 0)) {
            try SpikeTrain(steps: 2, neurons: 2, values: [0, 1, .nan, 0])
        }
        #expect(throws: SpikingError.nonFiniteValue(step: 0, neuron: 1)) {
            try SpikeTrain(rows: [[0, -.infinity], [0, 0]])
        }
    }

    @Test("rejects ragged and empty rows")
    func raggedRows() {
        #expect(throws: SpikingError.raggedRows(row: 2, expected: 2, actual: 3)) {
            try SpikeTrain(rows: [[0, 1], [1, 0], [1, 1, 1]])
        }
        #expect(throws: SpikingError.nonPositiveSize(steps: 0, neurons: 0)) {
            try SpikeTrain(rows: [])
        }
        #expect(throws: SpikingError.nonPositiveSize(steps: 2, neurons: 0)) {
            try SpikeTrain(rows: [[], []])
        }
    }

    @Test("errors describe themselves with their context")
    func descriptions() {
        #expect(SpikingError.nonFiniteInput(index: 7).description.contains("index 7"))
        #expect(SpikingError.valueCountMismatch(expected: 6, actual: 5).description.contains("6"))
        #expect(SpikingError.invalidParameter(name: "tau", requirement: "x").description.contains("tau"))
    }
}
