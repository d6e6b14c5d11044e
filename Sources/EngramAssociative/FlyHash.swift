import EngramKernels

/// The fly hash of Dasgupta, Stevens & Navlakha ("A neural algorithm for a fundamental computing
/// problem", Science 2017): a sparse binary random projection that expands d inputs to m ≫ d units,
/// followed by k-winners-take-all.
///
/// Each unit (a Kenyon cell) sums a random subset of `samplesPerUnit` ≈ `samplingFraction · d`
/// inputs (projection neurons), drawn without replacement; the input is first centred by
/// subtracting its mean, as in the paper. The code is the set of the `activeUnits` units with the
/// largest sums (ties go to the lower unit). Similar inputs share many active units, so the code is
/// a locality-sensitive hash whose overlap tracks the inputs' similarity.
///
/// The projection is stored sparsely, one sorted row of input indices per unit (a CSR layout with
/// constant row length), never as a dense m × d matrix: m = 16,384 units over d = 384 inputs take
/// 2.6 MB. It is drawn from `seed` by ``SeededGenerator`` and serialised explicitly, so a decoded
/// hash gives the same codes even if the drawing procedure changes in a later version.
///
/// A code costs m · s random reads of the centred input (77,824 for d = 384, m = 2,048, s = 38),
/// which bounds it at about 20 µs on one 2.4 GHz core (measured: 24 µs with the selection);
/// ``codes(_:)`` projects eight inputs per read with SIMD, about 10 µs per vector.
///
/// Every unit samples the same number of inputs, so subtracting the mean lowers every projection
/// by the same amount and, up to rounding, does not change the code; it matters for
/// ``activations(_:)``, which report the paper's centred projections.
public struct FlyHash: SparseCoder, Equatable {
    /// The dimension d of the input vectors.
    public let inputDimension: Int
    /// The number of units m.
    public let units: Int
    /// The number of active units k in every code.
    public let activeUnits: Int
    /// The requested fraction of the inputs each unit samples.
    public let samplingFraction: Double
    /// The number of inputs each unit samples: `samplingFraction · inputDimension` rounded to the
    /// nearest integer, at least 1.
    public let samplesPerUnit: Int
    /// The seed the connections were drawn from.
    public let seed: UInt64
    /// `units` rows of `rowStride` input indices: each row's `samplesPerUnit` sampled inputs, sorted
    /// ascending and distinct, then padding entries equal to `inputDimension`, which the projection
    /// kernels point at a zero, so that every row is a whole number of four-index steps.
    let connections: [Int32]
    /// `samplesPerUnit` rounded up to a multiple of 4.
    var rowStride: Int { Self.rowStride(samples: samplesPerUnit) }

    /// Draws a fly hash.
    /// - Parameters:
    ///   - inputDimension: the input dimension d, positive.
    ///   - units: the number of units m, positive (typically 10–50 × d).
    ///   - activeUnits: the number of winners k per code, in `1...units`.
    ///   - samplingFraction: the fraction of the inputs each unit sums, in (0, 1]; the paper's 0.1
    ///     by default.
    ///   - seed: the seed of the random connections.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for a parameter outside
    ///   its range.
    /// - Complexity: O(m · s log s) for s samples per unit.
    public init(
        inputDimension: Int, units: Int, activeUnits: Int, samplingFraction: Double = 0.1, seed: UInt64 = 0
    ) throws {
        try Self.validate(inputDimension: inputDimension, units: units, activeUnits: activeUnits,
                          samplingFraction: samplingFraction)
        let samples = Self.samplesPerUnit(fraction: samplingFraction, inputDimension: inputDimension)
        self.inputDimension = inputDimension
        self.units = units
        self.activeUnits = activeUnits
        self.samplingFraction = samplingFraction
        self.samplesPerUnit = samples
        self.seed = seed
        connections = Self.drawConnections(inputDimension: inputDimension, units: units, samples: samples, seed: seed)
    }

    /// Decoded or validated parts, without drawing; `connections` in the padded layout.
    init(inputDimension: Int, units: Int, activeUnits: Int, samplingFraction: Double, samplesPerUnit: Int,
         seed: UInt64, connections: [Int32]) {
        assert(connections.count == units * Self.rowStride(samples: samplesPerUnit), "FlyHash: connections not padded")
        self.inputDimension = inputDimension
        self.units = units
        self.activeUnits = activeUnits
        self.samplingFraction = samplingFraction
        self.samplesPerUnit = samplesPerUnit
        self.seed = seed
        self.connections = connections
    }

    static func validate(inputDimension: Int, units: Int, activeUnits: Int, samplingFraction: Double) throws {
        guard inputDimension > 0 else {
            throw AssociativeError.invalidParameter(name: "inputDimension", requirement: "must be positive, got \(inputDimension)")
        }
        guard units > 0 else {
            throw AssociativeError.invalidParameter(name: "units", requirement: "must be positive, got \(units)")
        }
        guard activeUnits > 0 && activeUnits <= units else {
            throw AssociativeError.invalidParameter(
                name: "activeUnits", requirement: "must be in 1...units (1...\(units)), got \(activeUnits)")
        }
        guard samplingFraction > 0 && samplingFraction <= 1 else {
            throw AssociativeError.invalidParameter(
                name: "samplingFraction", requirement: "must be in (0, 1], got \(samplingFraction)")
        }
        guard inputDimension <= Int(Int32.max) else {
            throw AssociativeError.invalidParameter(
                name: "inputDimension", requirement: "must be at most \(Int32.max), got \(inputDimension)")
        }
    }

    static func samplesPerUnit(fraction: Double, inputDimension: Int) -> Int {
        min(inputDimension, max(1, Int((fraction * Double(inputDimension)).rounded())))
    }

    static func rowStride(samples: Int) -> Int { (samples + 3) & ~3 }

    /// Rows of `samples` indices laid out with `rowStride` entries each, padded with `inputDimension`.
    static func padded(_ rows: [Int32], units: Int, samples: Int, inputDimension: Int) -> [Int32] {
        let stride = rowStride(samples: samples)
        guard stride != samples else { return rows }
        var padded = [Int32](repeating: Int32(inputDimension), count: units * stride)
        for unit in 0..<units {
            padded[unit * stride..<unit * stride + samples] = rows[unit * samples..<(unit + 1) * samples]
        }
        return padded
    }

    /// Each unit's inputs by a partial Fisher–Yates shuffle of a pool that carries over from unit
    /// to unit (any permutation is a valid start, so every row is a uniform subset), then sorted so
    /// that the projection reads the input in ascending order.
    static func drawConnections(inputDimension: Int, units: Int, samples: Int, seed: UInt64) -> [Int32] {
        var generator = SeededGenerator(seed: seed)
        var pool = (0..<inputDimension).map(Int32.init)
        let stride = rowStride(samples: samples)
        var connections = [Int32]()
        connections.reserveCapacity(units * stride)
        for _ in 0..<units {
            for t in 0..<samples {
                let j = t + SeededSampling.index(below: inputDimension - t, using: &generator)
                pool.swapAt(t, j)
            }
            connections.append(contentsOf: pool[0..<samples].sorted())
            for _ in samples..<stride { connections.append(Int32(inputDimension)) }
        }
        return connections
    }
}

extension FlyHash {
    /// The inputs that `unit` samples, ascending.
    /// - Precondition: `0 ≤ unit < units`.
    public func connections(ofUnit unit: Int) -> [Int] {
        precondition(unit >= 0 && unit < units, "FlyHash.connections(ofUnit:): unit \(unit) outside 0..<\(units)")
        let start = unit * rowStride
        return connections[start..<start + samplesPerUnit].map(Int.init)
    }

    /// The m projections before winner-take-all: unit j's value is Σ over its inputs i of
    /// (xᵢ − mean x).
    /// - Throws: ``AssociativeError`` for a wrong dimension or a non-finite value.
    public func activations(_ x: [Float]) throws -> [Float] {
        try AssociativeError.check(x, dimension: inputDimension)
        var result = [Float](repeating: 0, count: units)
        x.withUnsafeBufferPointer { input in
            result.withUnsafeMutableBufferPointer { output in project(input, into: output) }
        }
        return result
    }

    /// The code of `x`: the `activeUnits` units with the largest centred projections, ascending.
    /// - Throws: ``AssociativeError`` for a wrong dimension, a non-finite value, or an input so
    ///   large that the projections overflow.
    /// - Complexity: O(d + m · s) for the projection plus the top-k selection over m values.
    public func code(_ x: [Float]) throws -> SparseCode {
        try AssociativeError.check(x, dimension: inputDimension)
        let winners = x.withUnsafeBufferPointer { input in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: units) { output in
                project(input, into: output)
                return Kernels.winnerTakeAll(UnsafeBufferPointer(output), k: activeUnits)
            }
        }
        guard winners.count == activeUnits else { throw AssociativeError.projectionOverflow("fly hash") }
        return SparseCode(uncheckedActive: winners, unitCount: units)
    }

    /// The codes of several vectors, equal to ``code(_:)`` on each but computed eight at a time, so
    /// that one pass over the connections serves eight inputs.
    /// - Throws: ``AssociativeError`` for the first vector with a wrong dimension or a non-finite value.
    public func codes(_ xs: [[Float]]) throws -> [SparseCode] {
        for x in xs { try AssociativeError.check(x, dimension: inputDimension) }
        var result = [SparseCode]()
        result.reserveCapacity(xs.count)
        // Column i holds element i of the eight centred inputs; column d is the padding's zero.
        var columns = [SIMD8<Float>](repeating: .zero, count: inputDimension + 1)
        var projections = [SIMD8<Float>](repeating: .zero, count: units)
        var lane = [Float](repeating: 0, count: units)
        var start = 0
        while start < xs.count {
            let lanes = min(Self.lanes, xs.count - start)
            if lanes == 1 {
                // One input left: the scalar kernel is cheaper and gives the same sums.
                result.append(try code(xs[start]))
                break
            }
            columns.withUnsafeMutableBufferPointer { columns in
                projections.withUnsafeMutableBufferPointer { output in
                    centreAndTranspose(xs[start..<start + lanes], into: columns)
                    projectEight(UnsafeBufferPointer(columns), into: output)
                }
            }
            for v in 0..<lanes {
                let winners = lane.withUnsafeMutableBufferPointer { lane in
                    projections.withUnsafeBufferPointer { projections in
                        for unit in 0..<units { lane[unit] = projections[unit][v] }
                    }
                    return Kernels.winnerTakeAll(UnsafeBufferPointer(lane), k: activeUnits)
                }
                guard winners.count == activeUnits else { throw AssociativeError.projectionOverflow("fly hash") }
                result.append(SparseCode(uncheckedActive: winners, unitCount: units))
            }
            start += lanes
        }
        return result
    }
}
