import EngramKernels

/// Rate coding: each feature becomes a Bernoulli spike train whose per-step firing probability is
/// the (scaled, shifted, clamped) feature. snntorch's `spikegen.rate`.
///
/// What it reproduces of snntorch (`spikegen.rate` and `rate_conv`, snntorch 1.0):
/// - `numSteps` (`num_steps`): a static feature vector is repeated over `numSteps` time steps.
/// - `gain`, `offset`: the probability is `clamp(gain · x + offset, 0, 1)` (snntorch computes
///   `x * gain + offset` and clamps to [0, 1] in `rate_conv`).
/// - Each value is an independent Bernoulli draw: a spike (1) when a uniform draw `u ∈ [0, 1)`
///   is below the probability, so probability 0 never fires and 1 always fires.
/// - `firstSpikeTime` (`first_spike_time`): steps `0 ..< firstSpikeTime` are zeroed after
///   sampling; it must lie in `0 ... numSteps − 1`, as snntorch requires.
/// - `time_var_input=True` is `encode(timeVarying:firstSpikeTime:using:)`: the rows are already
///   time steps, each value is clamped to [0, 1] and sampled, and `firstSpikeTime` rows of zeros
///   are prepended (so the train has `rows + firstSpikeTime` steps). As in snntorch, `gain` and
///   `offset` play no part there, which is why that form is a static function without them.
///
/// Where it deliberately differs:
/// - The result is a `SpikeTrain` of `Float` `(numSteps, n)` for one feature vector, not a tensor
///   with batch dimensions; encode a batch one vector at a time.
/// - Probabilities are computed in `Double` (snntorch: `float32`), and the draws come from the
///   caller's generator, not torch's: a seed reproduces our trains, not torch's.
/// - Inputs are validated: an empty vector, a NaN or an infinity is a typed error naming the
///   index (snntorch would propagate NaN into `torch.bernoulli`, which raises).
/// - `numSteps` must be given and positive (snntorch's `num_steps=False` makes a zero-length
///   repeat for static input).
///
/// Randomness: exactly `numSteps × n` draws are taken in time-major order (`t` outer, `i` inner),
/// one `next()` each, including for steps later zeroed by `firstSpikeTime`, so the same seed and
/// parameters always give the same train.
public struct RateEncoder: Sendable, Equatable {
    /// The number of time steps T of the produced train (snntorch `num_steps`).
    public let numSteps: Int
    /// The factor applied to each feature before clamping (snntorch `gain`).
    public let gain: Double
    /// The shift added after the gain (snntorch `offset`).
    public let offset: Double
    /// The number of leading steps forced to zero (snntorch `first_spike_time`).
    public let firstSpikeTime: Int

    /// Creates a rate encoder.
    ///
    /// - Parameters:
    ///   - numSteps: Time steps T, at least 1.
    ///   - gain: Scale of each feature, finite; snntorch's default 1.
    ///   - offset: Shift after scaling, finite; snntorch's default 0.
    ///   - firstSpikeTime: Leading steps without spikes, `0 ... numSteps − 1`; default 0.
    /// - Throws: `SpikingError.invalidParameter` naming the parameter that breaks its range.
    public init(numSteps: Int, gain: Double = 1, offset: Double = 0, firstSpikeTime: Int = 0) throws(SpikingError) {
        guard numSteps > 0 else {
            throw .invalidParameter(name: "numSteps", requirement: "must be at least 1, got \(numSteps)")
        }
        try EncoderInput.requireFinite(gain, "gain")
        try EncoderInput.requireFinite(offset, "offset")
        guard firstSpikeTime >= 0, firstSpikeTime <= numSteps - 1 else {
            throw .invalidParameter(
                name: "firstSpikeTime",
                requirement: "must lie in 0...numSteps-1 (0...\(numSteps - 1)), got \(firstSpikeTime)")
        }
        self.numSteps = numSteps
        self.gain = gain
        self.offset = offset
        self.firstSpikeTime = firstSpikeTime
    }

    /// The per-step firing probability of each feature, `clamp(gain · x + offset, 0, 1)`.
    ///
    /// - Parameter features: The feature vector, non-empty and finite.
    /// - Returns: One probability in [0, 1] per feature.
    /// - Throws: `SpikingError.emptyInput` or `.nonFiniteInput`.
    public func spikeProbabilities(_ features: [Double]) throws(SpikingError) -> [Double] {
        try EncoderInput.validate(features)
        return features.map { Self.clampUnit(gain * $0 + offset) }
    }

    /// Encodes a feature vector as a `(numSteps, n)` Bernoulli spike train.
    ///
    /// - Parameters:
    ///   - features: The feature vector x of n values, non-empty and finite.
    ///   - generator: The source of randomness; exactly `numSteps × n` values are drawn.
    /// - Returns: A train of 0s and 1s with `steps == numSteps`, `neurons == features.count`.
    /// - Throws: `SpikingError.emptyInput`, `.nonFiniteInput` naming the index, or
    ///   `.sizeOverflow`.
    /// - Complexity: O(numSteps × n).
    public func encode(
        _ features: [Double], using generator: inout some RandomNumberGenerator
    ) throws(SpikingError) -> SpikeTrain {
        let probabilities = try spikeProbabilities(features)
        let neurons = probabilities.count
        let count = try SpikeTrain.checkedCount(steps: numSteps, neurons: neurons)
        var values = [Float](repeating: 0, count: count)
        for t in 0..<numSteps {
            let silent = t < firstSpikeTime
            for i in 0..<neurons {
                let u = generator.nextSpikeUniform()
                if !silent && u < probabilities[i] {
                    values[t * neurons + i] = 1
                }
            }
        }
        return SpikeTrain(uncheckedSteps: numSteps, neurons: neurons, values: values)
    }

    /// Encodes a feature vector with a fresh `SeededGenerator(seed: seed)`.
    ///
    /// - Parameters:
    ///   - features: The feature vector, non-empty and finite.
    ///   - seed: The seed; the same seed and parameters always give the same train.
    /// - Returns: A train of 0s and 1s of shape `(numSteps, features.count)`.
    /// - Throws: As `encode(_:using:)`.
    public func encode(_ features: [Double], seed: UInt64) throws(SpikingError) -> SpikeTrain {
        var generator = SeededGenerator(seed: seed)
        return try encode(features, using: &generator)
    }

    /// Rate-codes an input that already varies over time (snntorch `time_var_input=True`).
    ///
    /// Each value is clamped to [0, 1] and sampled once; `firstSpikeTime` rows of zeros are put
    /// in front. No gain or offset is applied, as in snntorch.
    ///
    /// - Parameters:
    ///   - series: T rows (time steps) of n finite values each.
    ///   - firstSpikeTime: Rows of zeros to prepend, at least 0.
    ///   - generator: The source of randomness; exactly `T × n` values are drawn, time-major.
    /// - Returns: A train of 0s and 1s of shape `(T + firstSpikeTime, n)`.
    /// - Throws: `SpikingError.invalidParameter` for a negative `firstSpikeTime`,
    ///   `.emptyInput`, `.raggedRows`, `.nonFiniteSeriesInput`, or `.sizeOverflow`.
    /// - Complexity: O((T + firstSpikeTime) × n).
    public static func encode(
        timeVarying series: [[Double]],
        firstSpikeTime: Int = 0,
        using generator: inout some RandomNumberGenerator
    ) throws(SpikingError) -> SpikeTrain {
        guard firstSpikeTime >= 0 else {
            throw .invalidParameter(name: "firstSpikeTime", requirement: "cannot be negative, got \(firstSpikeTime)")
        }
        let neurons = try EncoderInput.validate(series: series)
        let (steps, overflow) = series.count.addingReportingOverflow(firstSpikeTime)
        guard !overflow else { throw .sizeOverflow(steps: series.count, neurons: neurons) }
        let count = try SpikeTrain.checkedCount(steps: steps, neurons: neurons)
        var values = [Float](repeating: 0, count: count)
        for (row, inputs) in series.enumerated() {
            let base = (firstSpikeTime + row) * neurons
            for i in 0..<neurons {
                let u = generator.nextSpikeUniform()
                if u < clampUnit(inputs[i]) {
                    values[base + i] = 1
                }
            }
        }
        return SpikeTrain(uncheckedSteps: steps, neurons: neurons, values: values)
    }

    /// Rate-codes a time-varying input with a fresh `SeededGenerator(seed: seed)`.
    ///
    /// - Parameters:
    ///   - series: T rows of n finite values each.
    ///   - firstSpikeTime: Rows of zeros to prepend, at least 0.
    ///   - seed: The seed; the same seed and input always give the same train.
    /// - Returns: A train of 0s and 1s of shape `(T + firstSpikeTime, n)`.
    /// - Throws: As `encode(timeVarying:firstSpikeTime:using:)`.
    public static func encode(
        timeVarying series: [[Double]], firstSpikeTime: Int = 0, seed: UInt64
    ) throws(SpikingError) -> SpikeTrain {
        var generator = SeededGenerator(seed: seed)
        return try encode(timeVarying: series, firstSpikeTime: firstSpikeTime, using: &generator)
    }

    /// `value` clamped to [0, 1]; infinities clamp to the nearer end.
    private static func clampUnit(_ value: Double) -> Double {
        min(max(value, 0), 1)
    }
}
