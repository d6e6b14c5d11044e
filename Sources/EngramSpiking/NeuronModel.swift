import EngramKernels

/// A neuron model: a small value type of parameters that advances a whole population, held in
/// contiguous arrays, by one clock step at a time.
///
/// The parameters live in the model and the per-neuron variables in its `State`, so one model
/// value can step many populations and a state can be copied, recorded or reset cheaply. Every
/// model follows the same order within a step, the one Brian2 and snntorch both use: integrate
/// the step's input, compare with the threshold, reset the neurons that fired.
public protocol NeuronModel: Sendable {
    /// `Float` for speed, `Double` for parity with float64 references.
    associatedtype Scalar: KernelScalar
    /// The variables of a population of this model.
    associatedtype State: NeuronState where State.Scalar == Scalar

    /// The state of `count` neurons at the model's initial values.
    ///
    /// - Throws: `SpikingError.invalidParameter` when `count` is below 1.
    func makeState(count: Int) throws(SpikingError) -> State

    /// Advances every neuron of `state` by one step.
    ///
    /// - Parameters:
    ///   - state: The population's variables, updated in place.
    ///   - input: This step's input (current) of each neuron, `state.count` values.
    ///   - spikes: Receives 1 for each neuron that fired this step and 0 for the others.
    /// - Precondition: both buffers hold `state.count` values (the checked form is
    ///   ``NeuronModel/step(_:input:)``).
    /// - Complexity: O(n), branch-light and allocation-free.
    func step(_ state: inout State, input: UnsafeBufferPointer<Scalar>, spikes: UnsafeMutableBufferPointer<Scalar>)
}

/// The variables of a population: one contiguous array per variable, readable by name so that a
/// network can record the ones a caller chooses.
public protocol NeuronState: Sendable {
    associatedtype Scalar: KernelScalar
    /// The number of neurons.
    var count: Int { get }
    /// The names of the variables, in the reference's spelling ("mem", "v", "u", "w", "theta").
    static var variableNames: [String] { get }
    /// The values of the variable `name`, one per neuron, or nil for a name not in `variableNames`.
    func values(of name: String) -> [Scalar]?
}

/// Parameter checks shared by the neuron models.
internal enum NeuronParameter {
    static func requireFinite<T: BinaryFloatingPoint>(_ value: T, _ name: String) throws(SpikingError) {
        guard value.isFinite else {
            throw .invalidParameter(name: name, requirement: "must be finite, got \(value)")
        }
    }

    static func requirePositive<T: BinaryFloatingPoint>(_ value: T, _ name: String) throws(SpikingError) {
        guard value.isFinite, value > 0 else {
            throw .invalidParameter(name: name, requirement: "must be finite and positive, got \(value)")
        }
    }

    static func requireCount(_ count: Int) throws(SpikingError) {
        guard count > 0 else {
            throw .invalidParameter(name: "count", requirement: "a population needs at least 1 neuron, got \(count)")
        }
    }
}
