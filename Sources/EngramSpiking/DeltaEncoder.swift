/// Delta modulation: a neuron spikes when its input rises by at least `threshold` from one time
/// step to the next, and optionally spikes −1 when it falls by at least as much. snntorch's
/// `spikegen.delta`.
///
/// For a series x (T steps) and the previous value `p_t = x[t−1]` (`p_0` is 0, or `x[0]` with
/// `padding`), the value at step t is `on + off` with `on = 1` when `x[t] − p_t ≥ threshold`
/// and `off = −1` when `offSpike` is set and `x[t] − p_t ≤ −threshold` (each 0 otherwise).
///
/// What it reproduces of snntorch 1.0: the three parameters with their defaults
/// (`threshold` 0.1, `padding` false, `off_spike` false), the comparisons `≥` and `≤`, the
/// first step compared with 0 (so a first value ≥ threshold spikes) or, with `padding`, with
/// itself (so it never spikes), and the sum `on + off`, which for a threshold ≤ 0 lets both fire
/// and cancel to 0. snntorch's docstring examples are among the tests.
///
/// Where it deliberately differs: the input is one time series, `[[Double]]` with one row per
/// time step (or `[Double]` for a single neuron), not a tensor with batch dimensions;
/// differences are taken in `Double` (snntorch: `float32`), so a change within float32 rounding
/// of the threshold may fall on the other side; inputs and the threshold must be finite (a typed
/// error names the step and neuron).
public struct DeltaEncoder: Sendable, Equatable {
    /// The change across one step that makes a spike (snntorch `threshold`, default 0.1).
    public let threshold: Double
    /// Compares the first step with itself instead of with 0 (snntorch `padding`, default false).
    public let padding: Bool
    /// Emits −1 for falls of at least `threshold` (snntorch `off_spike`, default false).
    public let offSpike: Bool

    /// Creates a delta encoder with snntorch's parameters and defaults.
    ///
    /// - Parameters:
    ///   - threshold: The change that makes a spike, finite; default 0.1.
    ///   - padding: Compare step 0 with itself (no spike) rather than with 0; default false.
    ///   - offSpike: Emit −1 for falls; default false.
    /// - Throws: `SpikingError.invalidParameter` for a non-finite threshold.
    public init(threshold: Double = 0.1, padding: Bool = false, offSpike: Bool = false) throws(SpikingError) {
        try EncoderInput.requireFinite(threshold, "threshold")
        self.threshold = threshold
        self.padding = padding
        self.offSpike = offSpike
    }

    /// Encodes a time series of n inputs.
    ///
    /// - Parameter series: T rows (time steps) of n finite values each, `series[t][i]`.
    /// - Returns: A `(T, n)` train of 0 and 1, and −1 with `offSpike`.
    /// - Throws: `SpikingError.emptyInput`, `.raggedRows`, or `.nonFiniteSeriesInput` naming the
    ///   step and neuron.
    /// - Complexity: O(T × n).
    public func encode(_ series: [[Double]]) throws(SpikingError) -> SpikeTrain {
        let neurons = try EncoderInput.validate(series: series)
        let steps = series.count
        let count = try SpikeTrain.checkedCount(steps: steps, neurons: neurons)
        var values = [Float](repeating: 0, count: count)
        for t in 0..<steps {
            let previous: [Double]? = t > 0 ? series[t - 1] : (padding ? series[0] : nil)
            for i in 0..<neurons {
                let change = series[t][i] - (previous?[i] ?? 0)
                var value: Float = change >= threshold ? 1 : 0
                if offSpike && change <= -threshold {
                    value -= 1
                }
                values[t * neurons + i] = value
            }
        }
        return SpikeTrain(uncheckedSteps: steps, neurons: neurons, values: values)
    }

    /// Encodes the time series of a single input.
    ///
    /// - Parameter signal: T finite values, one per time step.
    /// - Returns: A `(T, 1)` train.
    /// - Throws: `SpikingError.emptyInput`, or `.nonFiniteSeriesInput` with neuron 0.
    public func encode(signal: [Double]) throws(SpikingError) -> SpikeTrain {
        try encode(signal.map { [$0] })
    }
}
