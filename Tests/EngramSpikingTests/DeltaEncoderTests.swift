import Testing
@testable import EngramSpiking

@Suite("DeltaEncoder")
struct DeltaEncoderTests {
    private func column(_ train: SpikeTrain) -> [Float] {
        (0..<train.steps).map { train[$0, 0] }
    }

    @Test("on-spikes only, snntorch's docstring examples")
    func onSpikes() throws {
        let signal = [1, 2, 2.9, 3, 3.9]
        // First step compared with 0: 1 − 0 ≥ 1 spikes. 2.9 − 2 < 1 does not.
        #expect(column(try DeltaEncoder(threshold: 1).encode(signal: signal)) == [1, 1, 0, 0, 0])
        // With padding the first step is compared with itself.
        #expect(column(try DeltaEncoder(threshold: 1, padding: true).encode(signal: signal)) == [0, 1, 0, 0, 0])
    }

    @Test("off-spikes give −1 for falls, snntorch's docstring examples")
    func offSpikes() throws {
        let signal = [1, 2, 0, 2, 2.9]
        #expect(column(try DeltaEncoder(threshold: 1, offSpike: true).encode(signal: signal)) == [1, 1, -1, 1, 0])
        #expect(
            column(try DeltaEncoder(threshold: 1, padding: true, offSpike: true).encode(signal: signal))
                == [0, 1, -1, 1, 0])
        // Without offSpike the fall is silent.
        #expect(column(try DeltaEncoder(threshold: 1).encode(signal: signal)) == [1, 1, 0, 1, 0])
    }

    @Test("encodes each neuron of a series separately, with snntorch's default threshold 0.1")
    func series() throws {
        let series: [[Double]] = [[0.0, 0.5], [0.25, 0.25], [0.25, 0.5], [0.0, 0.5]]
        let encoder = try DeltaEncoder(offSpike: true)
        #expect(encoder.threshold == 0.1)
        let train = try encoder.encode(series)
        #expect(train.steps == 4 && train.neurons == 2)
        #expect(train.rows == [[0, 1], [1, -1], [0, 1], [-1, 0]])
        #expect(train.spikeCount == 5)
    }

    @Test("the change must reach the threshold: ≥ for on, ≤ −threshold for off")
    func boundary() throws {
        let train = try DeltaEncoder(threshold: 0.5, padding: true, offSpike: true).encode(signal: [1, 1.5, 1, 1.25])
        #expect(column(train) == [0, 1, -1, 0])
    }

    @Test("a threshold of 0 fires both on and off for no change, which cancel to 0")
    func zeroThreshold() throws {
        let train = try DeltaEncoder(threshold: 0, padding: true, offSpike: true).encode(signal: [2, 2, 3, 1])
        #expect(column(train) == [0, 0, 1, -1])
    }

    @Test("rejects empty, ragged and non-finite series and a non-finite threshold")
    func errors() throws {
        let encoder = try DeltaEncoder()
        #expect(throws: SpikingError.emptyInput) { try encoder.encode([]) }
        #expect(throws: SpikingError.emptyInput) { try encoder.encode(signal: []) }
        #expect(throws: SpikingError.raggedRows(row: 1, expected: 2, actual: 1)) { try encoder.encode([[0, 0], [0]]) }
        #expect(throws: SpikingError.nonFiniteSeriesInput(step: 2, neuron: 0)) {
            try encoder.encode(signal: [0, 1, .nan])
        }
        #expect(throws: SpikingError.self) { try DeltaEncoder(threshold: .nan) }
    }
}
