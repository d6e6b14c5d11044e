extension LatencyEncoder {
    /// Encodes a feature vector as a latency spike train: snntorch's `spikegen.latency`.
    ///
    /// Without `interpolate`, neuron i fires once, at step `s = round(time_i)` (half to even),
    /// unless `s > T − 1` (only possible with `bypass`) or `clip` is set and `x_i < threshold`.
    /// Values are `max(onTarget, offTarget)` at spikes and `max(0, offTarget)` elsewhere.
    ///
    /// With `interpolate` (snntorch's `latency_interpolate`, meant for targets), each neuron ramps
    /// up to its spike: with `s = round(time)`, and `s` replaced by 0.5 where `s > T`, the ratio
    /// at step t is `t / s`; if any neuron has `s == 0`, row 0 is 1 for those neurons and 0 for
    /// the others, and their `s` becomes 0.5 for later rows; otherwise row 0 is 0. A ratio r above
    /// 1 gives `offTarget`, any other gives `r · (onTarget − offTarget) + offTarget`. So a neuron
    /// reaches `onTarget` exactly at its spike step and is `offTarget` after it. `clip` has no
    /// effect here, as in snntorch.
    ///
    /// T is `numSteps`, or `round(max time) + 1` when `numSteps` is `nil` (with `bypass`).
    ///
    /// - Parameter features: n features, each finite and in [0, 1].
    /// - Returns: A `(T, n)` spike train.
    /// - Throws: `SpikingError.emptyInput`, `.nonFiniteInput`, `.inputOutOfRange`;
    ///   `.spikeTimeOutOfRange` when a rounded spike time exceeds `T − 1` and `bypass` is off
    ///   (checked over every feature, those below `threshold` included, as in snntorch);
    ///   `.sizeOverflow` when the steps chosen by `bypass` do not fit in memory's index range.
    /// - Complexity: O(T × n).
    public func encode(_ features: [Double]) throws(SpikingError) -> SpikeTrain {
        let times = try spikeTimes(features)
        let rounded = times.map { $0.rounded(.toNearestOrEven) }
        let neurons = features.count
        // The latest rounded time (first maximum wins) decides both the bounds check and,
        // without numSteps, the number of steps.
        var latestNeuron = 0
        for i in rounded.indices where rounded[i] > rounded[latestNeuron] {
            latestNeuron = i
        }
        let latest = rounded[latestNeuron]

        let steps: Int
        if let numSteps {
            steps = numSteps
        } else {
            // Int(exactly:) fails beyond Int's range; steps must also stay addressable.
            guard latest < 0x1.0p62, let last = Int(exactly: latest) else {
                throw .sizeOverflow(steps: Int.max, neurons: neurons)
            }
            steps = last + 1
        }
        if !bypass, latest > Double(steps - 1) {
            let step = latest < 0x1.0p62 ? Int(latest) : Int.max
            throw .spikeTimeOutOfRange(neuron: latestNeuron, step: step, numSteps: steps)
        }
        let count = try SpikeTrain.checkedCount(steps: steps, neurons: neurons)

        if interpolate {
            return interpolated(rounded: rounded, steps: steps, count: count)
        }
        let silent = Float(max(0, offTarget))
        let spike = Float(max(onTarget, offTarget))
        var values = [Float](repeating: silent, count: count)
        for i in 0..<neurons {
            guard rounded[i] <= Double(steps - 1) else { continue }
            if clip && features[i] < threshold { continue }
            values[Int(rounded[i]) * neurons + i] = spike
        }
        return SpikeTrain(uncheckedSteps: steps, neurons: neurons, values: values)
    }

    /// The ramps of `interpolate`, from rounded spike times.
    private func interpolated(rounded: [Double], steps: Int, count: Int) -> SpikeTrain {
        let neurons = rounded.count
        var spikeSteps = rounded.map { $0 > Double(steps) ? 0.5 : $0 }
        let zeroAtStart = spikeSteps.contains(0)
        var ratios = [Double](repeating: 0, count: count)
        if zeroAtStart {
            for i in 0..<neurons where spikeSteps[i] == 0 {
                ratios[i] = 1
                spikeSteps[i] = 0.5
            }
        }
        for t in (zeroAtStart ? 1 : 0)..<steps {
            for i in 0..<neurons {
                ratios[t * neurons + i] = Double(t) / spikeSteps[i]
            }
        }
        let range = onTarget - offTarget
        let values = ratios.map { ratio -> Float in
            ratio > 1 ? Float(offTarget) : Float(ratio * range + offTarget)
        }
        return SpikeTrain(uncheckedSteps: steps, neurons: neurons, values: values)
    }
}
