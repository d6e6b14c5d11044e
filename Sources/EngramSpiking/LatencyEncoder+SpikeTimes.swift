#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension LatencyEncoder {
    /// The spike time of each feature in (fractional) time steps, before rounding: snntorch's
    /// `latency_code`.
    ///
    /// Logarithmic: `τ · ln(d / (d − θ)) + f` with `d = max(x, θ + ε)`, rescaled by `normalize`
    /// so the latest time is `numSteps − 1`. Linear: `min(τ · (1 − x), τ · (1 − θ)) + f` with
    /// `τ = numSteps − 1 − f` under `normalize`. (snntorch's extra min–max rescaling of linear
    /// times below zero cannot happen for features in [0, 1] and is left out.)
    ///
    /// - Parameter features: n features, each finite and in [0, 1].
    /// - Returns: n spike times, each at least `firstSpikeTime`.
    /// - Throws: `SpikingError.emptyInput`, `.nonFiniteInput`, or `.inputOutOfRange` naming the
    ///   first feature outside [0, 1].
    public func spikeTimes(_ features: [Double]) throws(SpikingError) -> [Double] {
        try EncoderInput.validate(features)
        if let bad = features.firstIndex(where: { $0 < 0 || $0 > 1 }) {
            throw .inputOutOfRange(index: bad, value: features[bad], lower: 0, upper: 1)
        }
        return linear ? linearTimes(features) : logarithmicTimes(features)
    }

    /// The RC-circuit code, in snntorch's order of operations.
    private func logarithmicTimes(_ features: [Double]) -> [Double] {
        let first = Double(firstSpikeTime)
        let floor = threshold + epsilon
        var times = features.map { x -> Double in
            let d = max(x, floor)
            return tau * log(d / (d - threshold)) + first
        }
        if normalize, let numSteps {
            // d > θ, so every τ·ln(d / (d − θ)) is positive and the maximum is too.
            let span = Double(numSteps - firstSpikeTime - 1)
            let latest = times.reduce(-Double.infinity) { max($0, $1 - first) }
            times = times.map { ($0 - first) * span / latest + first }
        }
        return times
    }

    /// The linear code, in snntorch's order of operations.
    private func linearTimes(_ features: [Double]) -> [Double] {
        let first = Double(firstSpikeTime)
        let constant: Double
        if normalize, let numSteps {
            constant = Double(numSteps - 1 - firstSpikeTime)
        } else {
            constant = tau
        }
        let latest = constant * (1 - threshold)
        return features.map { x in min(constant * (1 - x), latest) + first }
    }
}
