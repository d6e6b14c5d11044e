import EngramKernels

/// What a run of one population produced: its spikes and the variables asked for, time-major.
public struct NeuronTrace<Scalar: KernelScalar>: Sendable, Equatable {
    /// The number of steps run, T.
    public let steps: Int
    /// The number of neurons, n.
    public let neurons: Int
    /// 1 where neuron `i` fired at step `t`, else 0: `spikes[t * neurons + i]`.
    public let spikes: [Scalar]
    /// Each recorded variable after each step (after that step's reset): `values[t * neurons + i]`.
    public let variables: [String: [Scalar]]

    /// The steps at which neuron `i` fired, in order.
    public func spikeSteps(of i: Int) -> [Int] {
        precondition(i >= 0 && i < neurons, "neuron \(i) out of range 0..<\(neurons)")
        return (0..<steps).filter { spikes[$0 * neurons + i] != 0 }
    }
}

extension NeuronModel {
    /// Advances `state` by one step with checked input.
    ///
    /// - Parameters:
    ///   - state: The population's variables, updated in place.
    ///   - input: This step's input of each neuron, `state.count` finite values.
    /// - Returns: 1 for each neuron that fired, 0 for the others.
    /// - Throws: `SpikingError.inputLengthMismatch` or `.nonFiniteInput` naming the index.
    public func step(_ state: inout State, input: [Scalar]) throws(SpikingError) -> [Scalar] {
        guard input.count == state.count else { throw .inputLengthMismatch(expected: state.count, actual: input.count) }
        if let bad = input.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteInput(index: bad) }
        var spikes = [Scalar](repeating: 0, count: state.count)
        input.withUnsafeBufferPointer { input in
            spikes.withUnsafeMutableBufferPointer { spikes in step(&state, input: input, spikes: spikes) }
        }
        return spikes
    }

    /// Runs `state` for `steps` steps on a time-major input and records its spikes and variables.
    ///
    /// - Parameters:
    ///   - state: The population's variables, left at their values after the last step.
    ///   - input: `steps × state.count` finite values, `input[t * n + i]`.
    ///   - steps: The number of steps T, at least 1.
    ///   - recording: Names of the variables to record after each step (see `State.variableNames`).
    /// - Returns: The spikes and the recorded variables.
    /// - Throws: `SpikingError.invalidParameter` for `steps` below 1, `.inputLengthMismatch`,
    ///   `.nonFiniteInput` (index into the flat input) or `.unknownVariable`.
    public func run(
        _ state: inout State, input: [Scalar], steps: Int, recording: [String] = []
    ) throws(SpikingError) -> NeuronTrace<Scalar> {
        let n = state.count
        guard steps > 0 else { throw .invalidParameter(name: "steps", requirement: "must be at least 1, got \(steps)") }
        let (count, overflow) = steps.multipliedReportingOverflow(by: n)
        guard !overflow else { throw .sizeOverflow(steps: steps, neurons: n) }
        guard input.count == count else { throw .inputLengthMismatch(expected: count, actual: input.count) }
        if let bad = input.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteInput(index: bad) }
        for name in recording where !State.variableNames.contains(name) {
            throw .unknownVariable(name: name, available: State.variableNames)
        }
        var spikes = [Scalar](repeating: 0, count: count)
        var recorded = Dictionary(uniqueKeysWithValues: recording.map { ($0, [Scalar]()) })
        for name in recording { recorded[name]?.reserveCapacity(count) }
        input.withUnsafeBufferPointer { input in
            spikes.withUnsafeMutableBufferPointer { spikes in
                for t in 0..<steps {
                    let inputRow = UnsafeBufferPointer(rebasing: input[(t * n)..<((t + 1) * n)])
                    let spikeRow = UnsafeMutableBufferPointer(rebasing: spikes[(t * n)..<((t + 1) * n)])
                    step(&state, input: inputRow, spikes: spikeRow)
                    for name in recording {
                        recorded[name]?.append(contentsOf: state.values(of: name) ?? [])
                    }
                }
            }
        }
        return NeuronTrace(steps: steps, neurons: n, spikes: spikes, variables: recorded)
    }
}
