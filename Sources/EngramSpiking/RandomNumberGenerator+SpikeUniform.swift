extension RandomNumberGenerator {
    /// A uniform `Double` in [0, 1) from the top 53 bits of one `next()` output.
    ///
    /// Written out here rather than using `Double.random(in:using:)`, whose use of the
    /// generator the standard library does not promise to keep; with a `SeededGenerator` this
    /// equals its `nextUnitDouble()`.
    internal mutating func nextSpikeUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
