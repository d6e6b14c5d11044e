/// The errors thrown by `EngramSpiking`: bad spike-train shapes, bad encoder, neuron, synapse and
/// plasticity parameters, and bad input values, each carrying enough context (sizes, index,
/// parameter name) to say what to fix.
public enum SpikingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A spike train needs at least one time step and one neuron.
    case nonPositiveSize(steps: Int, neurons: Int)
    /// `steps × neurons` does not fit in an `Int`.
    case sizeOverflow(steps: Int, neurons: Int)
    /// The flat value array does not hold `steps × neurons` values.
    case valueCountMismatch(expected: Int, actual: Int)
    /// A spike-train value is NaN or infinite.
    case nonFiniteValue(step: Int, neuron: Int)
    /// The rows given for a spike train or a time series do not all have the same length.
    case raggedRows(row: Int, expected: Int, actual: Int)
    /// An encoder was given an empty feature vector or an empty time series.
    case emptyInput
    /// A feature of an input vector is NaN or infinite.
    case nonFiniteInput(index: Int)
    /// A value of an input time series is NaN or infinite.
    case nonFiniteSeriesInput(step: Int, neuron: Int)
    /// A feature lies outside the range the encoder accepts (latency coding needs [0, 1]).
    case inputOutOfRange(index: Int, value: Double, lower: Double, upper: Double)
    /// An encoder parameter breaks its documented requirement.
    case invalidParameter(name: String, requirement: String)
    /// A latency spike time rounds past the last time step and `bypass` is off
    /// (snntorch raises the same error).
    case spikeTimeOutOfRange(neuron: Int, step: Int, numSteps: Int)
    /// An input (currents of a step, a state to load) does not hold one value per neuron.
    case inputLengthMismatch(expected: Int, actual: Int)
    /// A recorded variable is not one the neuron model has.
    case unknownVariable(name: String, available: [String])
    /// A synapse names a neuron outside its population (`side` is "pre" or "post").
    case neuronIndexOutOfRange(side: String, index: Int, count: Int)
    /// A synaptic delay is negative or beyond the largest the network was built for.
    case delayOutOfRange(synapse: Int, delay: Int, maximum: Int)
    /// A network call names a population or projection that the network does not hold.
    case unknownPopulation(index: Int, count: Int)

    public var description: String {
        switch self {
        case let .nonPositiveSize(steps, neurons):
            return "a spike train needs steps > 0 and neurons > 0, got steps \(steps), neurons \(neurons)"
        case let .sizeOverflow(steps, neurons):
            return "steps \(steps) × neurons \(neurons) overflows Int"
        case let .valueCountMismatch(expected, actual):
            return "expected \(expected) values (steps × neurons), got \(actual)"
        case let .nonFiniteValue(step, neuron):
            return "spike-train value at step \(step), neuron \(neuron) is not finite"
        case let .raggedRows(row, expected, actual):
            return "row \(row) has \(actual) values, expected \(expected) like row 0"
        case .emptyInput:
            return "the input is empty: an encoder needs at least one feature and one time step"
        case let .nonFiniteInput(index):
            return "input feature at index \(index) is not finite (NaN or infinite)"
        case let .nonFiniteSeriesInput(step, neuron):
            return "input series value at step \(step), neuron \(neuron) is not finite (NaN or infinite)"
        case let .inputOutOfRange(index, value, lower, upper):
            return "input feature at index \(index) is \(value), outside [\(lower), \(upper)]"
        case let .invalidParameter(name, requirement):
            return "invalid parameter \(name): \(requirement)"
        case let .spikeTimeOutOfRange(neuron, step, numSteps):
            return "spike time of neuron \(neuron) rounds to step \(step), out of bounds for numSteps \(numSteps); "
                + "set bypass, decrease tau or set normalize"
        case let .inputLengthMismatch(expected, actual):
            return "expected one value per neuron (\(expected)), got \(actual)"
        case let .unknownVariable(name, available):
            return "no state variable \(name); this model has \(available.joined(separator: ", "))"
        case let .neuronIndexOutOfRange(side, index, count):
            return "\(side)synaptic neuron \(index) is outside 0..<\(count)"
        case let .delayOutOfRange(synapse, delay, maximum):
            return "delay \(delay) of synapse \(synapse) is outside 1...\(maximum) steps"
        case let .unknownPopulation(index, count):
            return "population \(index) does not exist; the network holds \(count)"
        }
    }
}
