#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import EngramKernels

/// BioHash (Ryali, Hopfield, Grinberg & Krotov, "Bio-inspired hashing for unsupervised similarity
/// search", ICML 2020): a sparse expansive code like the fly hash, but over a projection W (m × d)
/// learned without labels by the Krotov–Hopfield rule ("Unsupervised learning by competing hidden
/// units", PNAS 2019), so that the units tile the data's distribution instead of random directions.
///
/// The code of x is the set of the `activeUnits` units with the largest ⟨W_μ, x⟩ (ties go to the
/// lower unit). Before ``train(on:epochs:batchSize:learningRate:penalty:penaltyRank:p:)`` W holds
/// normal draws from `seed` with variance 1/d, so an untrained BioHash is a dense Gaussian random
/// projection with winner-take-all and every unit starts near the norm 1 that the rule converges
/// to. (Krotov & Hopfield's code draws unit variance, norms near √d, which suits 784-pixel images
/// with norms near 10; for unit-norm embeddings it leaves the units that rarely win several times
/// larger than the trained ones, and they would then dominate every code.)
///
/// Everything is reproducible from the seed: the initial weights and, for each training run, the
/// order of the mini-batches. Training sums in float32 with the package's SIMD kernels, so two
/// processors with different kernels (AVX2 or portable) can round, and rarely rank, differently.
public struct BioHash: SparseCoder, Equatable {
    /// The dimension d of the input vectors.
    public let inputDimension: Int
    /// The number of units m.
    public let units: Int
    /// The number of active units k in every code (the BioHash paper's k, e.g. 32 or 5 % of m; not
    /// the learning rule's penalty rank).
    public let activeUnits: Int
    /// The seed of the initial weights and of the training runs' batch orders.
    public let seed: UInt64
    /// The projection, `units × inputDimension`, row-major: row μ is unit μ's synapses W_μ.
    public internal(set) var weights: [Float]
    /// The number of completed calls to `train`; each run shuffles with its own stream.
    public internal(set) var trainingRuns: Int
    /// The number of epochs trained over all runs.
    public internal(set) var epochsTrained: Int

    /// Creates an untrained BioHash with normal weights of variance 1/d drawn from `seed`.
    /// - Parameters:
    ///   - inputDimension: the input dimension d, positive.
    ///   - units: the number of units m, positive.
    ///   - activeUnits: the number of winners k per code, in `1...units`.
    ///   - seed: the seed of the weights and the training order.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` for a parameter outside its range.
    public init(inputDimension: Int, units: Int, activeUnits: Int, seed: UInt64 = 0) throws {
        try Self.validate(inputDimension: inputDimension, units: units, activeUnits: activeUnits)
        var generator = SeededGenerator(seed: seed)
        var weights = [Float](repeating: 0, count: units * inputDimension)
        SeededSampling.fillNormal(&weights, using: &generator)
        let scale = 1 / Float(inputDimension).squareRoot()
        for i in weights.indices { weights[i] *= scale }
        self.init(inputDimension: inputDimension, units: units, activeUnits: activeUnits, seed: seed,
                  weights: weights, trainingRuns: 0, epochsTrained: 0)
    }

    init(inputDimension: Int, units: Int, activeUnits: Int, seed: UInt64, weights: [Float],
         trainingRuns: Int, epochsTrained: Int) {
        self.inputDimension = inputDimension
        self.units = units
        self.activeUnits = activeUnits
        self.seed = seed
        self.weights = weights
        self.trainingRuns = trainingRuns
        self.epochsTrained = epochsTrained
    }

    static func validate(inputDimension: Int, units: Int, activeUnits: Int) throws {
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
        guard !units.multipliedReportingOverflow(by: inputDimension).overflow else {
            throw AssociativeError.invalidParameter(name: "units", requirement: "times inputDimension must fit in an Int")
        }
    }
}

extension BioHash {
    /// Unit μ's synapses W_μ.
    /// - Precondition: `0 ≤ unit < units`.
    public func weights(ofUnit unit: Int) -> [Float] {
        precondition(unit >= 0 && unit < units, "BioHash.weights(ofUnit:): unit \(unit) outside 0..<\(units)")
        return Array(weights[unit * inputDimension..<(unit + 1) * inputDimension])
    }

    /// Each unit's p-norm ‖W_μ‖_p = (Σᵢ |W_μi|^p)^(1/p); the learning rule drives the norms of the
    /// units it updates towards 1.
    /// - Precondition: `p ≥ 1`.
    public func unitNorms(p: Float = 2) -> [Float] {
        precondition(p >= 1 && p.isFinite, "BioHash.unitNorms: p must be finite and at least 1, got \(p)")
        return weights.withUnsafeBufferPointer { all in
            (0..<units).map { unit in
                let row = UnsafeBufferPointer(rebasing: all[unit * inputDimension..<(unit + 1) * inputDimension])
                if p == 2 { return Kernels.norm(row) }
                var total: Float = 0
                for w in row { total += powf(abs(w), p) }
                return powf(total, 1 / p)
            }
        }
    }

    /// The m projections ⟨W_μ, x⟩ before winner-take-all.
    /// - Throws: ``AssociativeError`` for a wrong dimension or a non-finite value.
    public func activations(_ x: [Float]) throws -> [Float] {
        try AssociativeError.check(x, dimension: inputDimension)
        return Kernels.gemv(weights, rows: units, columns: inputDimension, x)
    }

    /// The code of `x`: the `activeUnits` units with the largest ⟨W_μ, x⟩, ascending.
    /// - Throws: ``AssociativeError`` for a wrong dimension, a non-finite value, or an input so
    ///   large that the projections overflow.
    /// - Complexity: O(m · d), one matrix-vector product, plus the top-k selection over m values.
    public func code(_ x: [Float]) throws -> SparseCode {
        try AssociativeError.check(x, dimension: inputDimension)
        let winners = weights.withUnsafeBufferPointer { matrix in
            x.withUnsafeBufferPointer { input in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: units) { output in
                    Kernels.gemv(matrix, rows: units, columns: inputDimension, input, into: output)
                    return Kernels.winnerTakeAll(UnsafeBufferPointer(output), k: activeUnits)
                }
            }
        }
        guard winners.count == activeUnits else { throw AssociativeError.projectionOverflow("BioHash") }
        return SparseCode(uncheckedActive: winners, unitCount: units)
    }
}
