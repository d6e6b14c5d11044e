/// A spike train of `steps` time steps (T) over `neurons` neurons (n), stored time-major.
///
/// Values are `Float`, row-major by time: the value of neuron `i` at step `t` is
/// `values[t * neurons + i]`. Encoders write 0 and 1 (delta coding with `offSpike` also writes
/// −1, latency coding with targets other than 0 and 1 writes those targets); any finite value is
/// allowed. A `SpikeTrain` is immutable and always valid: both sizes are positive, the value
/// count is `steps × neurons` and every value is finite.
public struct SpikeTrain: Sendable, Equatable {
    /// The number of time steps, T.
    public let steps: Int
    /// The number of neurons, n.
    public let neurons: Int
    /// The values, time-major: `values[t * neurons + i]`.
    public let values: [Float]

    /// Creates a spike train from time-major values.
    ///
    /// - Parameters:
    ///   - steps: The number of time steps T, at least 1.
    ///   - neurons: The number of neurons n, at least 1.
    ///   - values: `steps × neurons` finite values, `values[t * neurons + i]`.
    /// - Throws: `SpikingError.nonPositiveSize`, `.sizeOverflow`, `.valueCountMismatch`, or
    ///   `.nonFiniteValue` naming the first non-finite value's step and neuron.
    public init(steps: Int, neurons: Int, values: [Float]) throws(SpikingError) {
        let count = try Self.checkedCount(steps: steps, neurons: neurons)
        guard values.count == count else {
            throw .valueCountMismatch(expected: count, actual: values.count)
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteValue(step: bad / neurons, neuron: bad % neurons)
        }
        self.init(uncheckedSteps: steps, neurons: neurons, values: values)
    }

    /// Creates a spike train of zeros (no spikes).
    ///
    /// - Parameters:
    ///   - steps: The number of time steps T, at least 1.
    ///   - neurons: The number of neurons n, at least 1.
    /// - Throws: `SpikingError.nonPositiveSize` or `.sizeOverflow`.
    public init(steps: Int, neurons: Int) throws(SpikingError) {
        let count = try Self.checkedCount(steps: steps, neurons: neurons)
        self.init(uncheckedSteps: steps, neurons: neurons, values: [Float](repeating: 0, count: count))
    }

    /// Creates a spike train from one row per time step.
    ///
    /// - Parameter rows: T rows of n finite values each, `rows[t][i]`.
    /// - Throws: `SpikingError.nonPositiveSize` for no rows or empty rows, `.raggedRows` when
    ///   a row's length differs from row 0's, `.nonFiniteValue`.
    public init(rows: [[Float]]) throws(SpikingError) {
        let neurons = rows.first?.count ?? 0
        for (t, row) in rows.enumerated() where row.count != neurons {
            throw .raggedRows(row: t, expected: neurons, actual: row.count)
        }
        try self.init(steps: rows.count, neurons: neurons, values: rows.flatMap { $0 })
    }

    /// Wraps values an encoder has already produced with the right count and finite entries.
    @usableFromInline
    internal init(uncheckedSteps steps: Int, neurons: Int, values: [Float]) {
        assert(steps > 0 && neurons > 0 && values.count == steps * neurons)
        assert(values.allSatisfy(\.isFinite))
        self.steps = steps
        self.neurons = neurons
        self.values = values
    }

    /// `steps × neurons`, or the error saying why there is no such train.
    internal static func checkedCount(steps: Int, neurons: Int) throws(SpikingError) -> Int {
        guard steps > 0, neurons > 0 else { throw .nonPositiveSize(steps: steps, neurons: neurons) }
        let (count, overflow) = steps.multipliedReportingOverflow(by: neurons)
        guard !overflow else { throw .sizeOverflow(steps: steps, neurons: neurons) }
        return count
    }

    /// The value of neuron `i` at time step `t`.
    ///
    /// - Precondition: `0 <= t < steps` and `0 <= i < neurons`.
    @inlinable
    public subscript(t: Int, i: Int) -> Float {
        precondition(t >= 0 && t < steps, "time step \(t) out of range 0..<\(steps)")
        precondition(i >= 0 && i < neurons, "neuron \(i) out of range 0..<\(neurons)")
        return values[t * neurons + i]
    }

    /// The train as T rows of n values, `rows[t][i]`.
    public var rows: [[Float]] {
        (0..<steps).map { t in Array(values[(t * neurons)..<((t + 1) * neurons)]) }
    }
}
