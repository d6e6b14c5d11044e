extension SpikeTrain {
    /// The mean value of each neuron over time: its firing rate for a 0/1 train.
    ///
    /// Each neuron's values are summed in `Double` strictly in time order, `t = 0, 1, …, T−1`
    /// (`sum += Double(value)`), and the sum is divided by `Double(steps)`. This is the order in
    /// which NumPy's `mean(axis=0)` reduces a C-contiguous `(T, n)` float64 array, so the result
    /// matches it bit for bit; do not reorder or vectorise the sum across time.
    ///
    /// - Returns: `neurons` rates; a −1 of delta coding's off-spikes counts as −1.
    /// - Complexity: O(steps × neurons).
    public func rates() -> [Double] {
        var sums = [Double](repeating: 0, count: neurons)
        for t in 0..<steps {
            let base = t * neurons
            for i in 0..<neurons {
                sums[i] += Double(values[base + i])
            }
        }
        let count = Double(steps)
        return sums.map { $0 / count }
    }

    /// The number of non-zero values: every spike, on- and off-spikes alike.
    ///
    /// - Complexity: O(steps × neurons).
    public var spikeCount: Int {
        values.reduce(into: 0) { count, value in
            if value != 0 { count += 1 }
        }
    }
}
