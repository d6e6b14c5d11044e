import Testing
@testable import EngramSpiking

@Suite("Neuron models: semantics and validation")
struct NeuronValidationTests {
    @Test("a leaky neuron subtracts the threshold on the step after a spike")
    func leakyByHand() throws {
        let model = try LeakyNeuron<Double>(beta: 0.5, threshold: 1)
        var state = try model.makeState(count: 1)
        // mem: 0.8, 0.4 + 0.8 = 1.2 (fires), 0.6 + 0.8 − 1 = 0.4, 0.2 + 0.8 = 1.0 (not above 1).
        var spikes: [Double] = []
        var membranes: [Double] = []
        for _ in 0..<4 {
            spikes += try model.step(&state, input: [0.8])
            membranes += state.membrane
        }
        #expect(spikes == [0, 1, 0, 0])
        #expect(zip(membranes, [0.8, 1.2, 0.4, 1.0]).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test("an Izhikevich neuron resets to c and adds d to u when v reaches the peak")
    func izhikevichReset() throws {
        let model = try IzhikevichNeuron<Double>(a: 0.02, b: 0.2, c: -65, d: 8, dt: 0.5)
        var state = try model.makeState(count: 1)
        // A huge input carries v past 30 in one step.
        let spikes = try model.step(&state, input: [1000])
        #expect(spikes == [1])
        #expect(state.v == [-65])
        let u = -13 + 0.5 * (0.02 * (0.2 * -65 - -13)) + 8
        #expect(abs(state.u[0] - u) < 1e-12)
    }

    @Test("parameters out of range are typed errors")
    func parameters() {
        #expect(throws: SpikingError.invalidParameter(name: "beta", requirement: "must lie in [0, 1], got 1.5")) {
            try LeakyNeuron<Float>(beta: 1.5)
        }
        #expect(throws: SpikingError.self) { try LeakyNeuron<Float>(beta: -0.1) }
        #expect(throws: SpikingError.self) { try LeakyNeuron<Float>(beta: .nan) }
        #expect(throws: SpikingError.self) { try LeakyNeuron<Float>(beta: 0.9, threshold: .infinity) }
        #expect(throws: SpikingError.self) { try IzhikevichNeuron<Double>(a: .nan, b: 0.2, c: -65, d: 8) }
        #expect(throws: SpikingError.self) { try IzhikevichNeuron<Double>(.regularSpiking, dt: 0) }
        #expect(throws: SpikingError.self) { try AdaptiveLeakyNeuron<Double>(tauMembrane: -1) }
        #expect(throws: SpikingError.self) { try AdaptiveLeakyNeuron<Double>(b: .nan) }
        #expect(throws: SpikingError.self) { try HomeostaticLeakyNeuron<Double>(thetaPlus: -1) }
        #expect(throws: SpikingError.self) { try HomeostaticLeakyNeuron<Double>(tauTheta: 0) }
        #expect(throws: SpikingError.invalidParameter(name: "count", requirement: "a population needs at least 1 neuron, got 0")) {
            try LeakyNeuron<Float>(beta: 0.9).makeState(count: 0)
        }
    }

    @Test("inputs of the wrong length or with NaN are typed errors")
    func inputs() throws {
        let model = try LeakyNeuron<Float>(beta: 0.9)
        var state = try model.makeState(count: 3)
        #expect(throws: SpikingError.inputLengthMismatch(expected: 3, actual: 2)) { try model.step(&state, input: [1, 2]) }
        #expect(throws: SpikingError.nonFiniteInput(index: 1)) { try model.step(&state, input: [0, .nan, 0]) }
        #expect(throws: SpikingError.inputLengthMismatch(expected: 6, actual: 3)) {
            try model.run(&state, input: [0, 0, 0], steps: 2)
        }
        #expect(throws: SpikingError.unknownVariable(name: "v", available: ["mem"])) {
            try model.run(&state, input: [0, 0, 0], steps: 1, recording: ["v"])
        }
        #expect(throws: SpikingError.self) { try LeakyNeuron<Float>.State(membrane: [.nan]) }
        #expect(state.membrane == [0, 0, 0], "a rejected step leaves the state alone")
        #expect(SpikingError.inputLengthMismatch(expected: 3, actual: 2).description == "expected one value per neuron (3), got 2")
    }

    @Test("every model names its variables and returns nil for others")
    func variables() throws {
        let izh = try IzhikevichNeuron<Float>(.chattering).makeState(count: 2)
        #expect(izh.values(of: "v") == [-65, -65])
        #expect(izh.values(of: "u") == [-13, -13])
        #expect(izh.values(of: "w") == nil)
        #expect(AdaptiveLeakyNeuron<Float>.State.variableNames == ["v", "w"])
        #expect(HomeostaticLeakyNeuron<Float>.State.variableNames == ["v", "theta"])
    }
}
