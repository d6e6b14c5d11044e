/// Validation shared by the encoders: inputs from outside are checked here and turned into
/// typed errors before any encoding starts.
internal enum EncoderInput {
    /// Checks a feature vector: non-empty, every feature finite.
    ///
    /// - Parameter features: The feature vector.
    /// - Throws: `SpikingError.emptyInput`, or `.nonFiniteInput` naming the first bad index.
    static func validate(_ features: [Double]) throws(SpikingError) {
        guard !features.isEmpty else { throw .emptyInput }
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteInput(index: bad)
        }
    }

    /// Checks a time series given as one row per time step.
    ///
    /// - Parameter series: T rows of n values.
    /// - Returns: The number of neurons n (the common row length).
    /// - Throws: `SpikingError.emptyInput` for no rows or empty rows, `.raggedRows`, or
    ///   `.nonFiniteSeriesInput` naming the first bad step and neuron.
    static func validate(series: [[Double]]) throws(SpikingError) -> Int {
        guard let first = series.first, !first.isEmpty else { throw .emptyInput }
        let neurons = first.count
        for (t, row) in series.enumerated() {
            guard row.count == neurons else {
                throw .raggedRows(row: t, expected: neurons, actual: row.count)
            }
            if let bad = row.firstIndex(where: { !$0.isFinite }) {
                throw .nonFiniteSeriesInput(step: t, neuron: bad)
            }
        }
        return neurons
    }

    /// Checks a parameter that must be a finite number.
    static func requireFinite(_ value: Double, _ name: String) throws(SpikingError) {
        guard value.isFinite else {
            throw .invalidParameter(name: name, requirement: "must be finite, got \(value)")
        }
    }
}
