#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import EngramKernels

extension BioHash {
    /// Trains the projection without labels by the Krotov–Hopfield rule.
    ///
    /// Per mini-batch, for each input v: the currents I_μ = ⟨W_μ, v⟩_p = Σᵢ sign(W_μi)|W_μi|^(p−1)vᵢ
    /// (the ordinary dot product for p = 2); the units are ranked by current; g = 1 for the first,
    /// −`penalty` for the one at rank `penaltyRank`, 0 for the rest; and
    /// ΔW_μ = Σ_v g_μ(v)·(v − I_μ(v)·W_μ). Then W ← W + ε·ΔW / max|ΔW| (the largest change is ε),
    /// with ε falling linearly from `learningRate` at the first epoch towards 0
    /// (ε = learningRate · (1 − epoch/epochs)). The decay term drives the p-norm of each updated
    /// unit towards 1; the penalty pushes the runner-up away, so that units specialise.
    ///
    /// The batch order is shuffled each epoch by a generator derived from `seed` and the run count,
    /// so a run is reproducible and a second run continues differently from the first. The last
    /// batch of an epoch may be smaller than `batchSize`.
    /// - Parameters:
    ///   - vectors: the training vectors, each of `inputDimension` finite values.
    ///   - epochs: passes over the data, positive.
    ///   - batchSize: vectors per update, positive (capped at the number of vectors).
    ///   - learningRate: the initial ε, finite and positive.
    ///   - penalty: Δ, the anti-Hebbian strength for the unit at `penaltyRank`, finite and ≥ 0.
    ///   - penaltyRank: the rank (1 = winner) that gets −Δ, in `2...units`. Not the code's `activeUnits`.
    ///   - p: the exponent of the inner product ⟨·,·⟩_p, finite and ≥ 1.
    /// - Throws: ``AssociativeError/empty`` for no vectors; ``AssociativeError`` for a vector of the
    ///   wrong dimension or with a non-finite value, or a parameter outside its range.
    /// - Complexity: O(epochs · n · m · d): the currents are one matrix product per batch.
    public mutating func train(
        on vectors: [[Float]], epochs: Int, batchSize: Int, learningRate: Float,
        penalty: Float = 0.4, penaltyRank: Int = 2, p: Float = 2
    ) throws {
        guard !vectors.isEmpty else { throw AssociativeError.empty }
        for vector in vectors { try AssociativeError.check(vector, dimension: inputDimension) }
        guard epochs > 0 else {
            throw AssociativeError.invalidParameter(name: "epochs", requirement: "must be positive, got \(epochs)")
        }
        guard batchSize > 0 else {
            throw AssociativeError.invalidParameter(name: "batchSize", requirement: "must be positive, got \(batchSize)")
        }
        guard learningRate.isFinite && learningRate > 0 else {
            throw AssociativeError.invalidParameter(name: "learningRate", requirement: "must be finite and positive, got \(learningRate)")
        }
        guard penalty.isFinite && penalty >= 0 else {
            throw AssociativeError.invalidParameter(name: "penalty", requirement: "must be finite and non-negative, got \(penalty)")
        }
        guard penaltyRank >= 2 && penaltyRank <= units else {
            throw AssociativeError.invalidParameter(
                name: "penaltyRank", requirement: "must be in 2...units (2...\(units)), got \(penaltyRank)")
        }
        guard p.isFinite && p >= 1 else {
            throw AssociativeError.invalidParameter(name: "p", requirement: "must be finite and at least 1, got \(p)")
        }

        var trainer = Trainer(
            inputDimension: inputDimension, units: units, batchSize: min(batchSize, vectors.count),
            penalty: penalty, penaltyRank: penaltyRank, p: p, weights: weights)
        var data = [Float]()
        data.reserveCapacity(vectors.count * inputDimension)
        for vector in vectors { data.append(contentsOf: vector) }
        var generator = SeededGenerator(seed: SeededSampling.derivedSeed(seed, stream: 1, round: UInt64(trainingRuns)))
        var order = Array(0..<vectors.count)
        for epoch in 0..<epochs {
            let rate = learningRate * (1 - Float(epoch) / Float(epochs))
            SeededSampling.shuffle(&order, using: &generator)
            var start = 0
            while start < order.count {
                let end = min(start + trainer.batchSize, order.count)
                trainer.step(data: data, rows: order[start..<end], rate: rate)
                start = end
            }
        }
        weights = trainer.weights
        trainingRuns += 1
        epochsTrained += epochs
    }
}

extension BioHash {
    /// The state of one training run: the weights, the p-powered weights the currents use, and the
    /// buffers of one mini-batch, allocated once.
    struct Trainer {
        let inputDimension: Int
        let units: Int
        let batchSize: Int
        let penalty: Float
        let penaltyRank: Int
        let p: Float
        var weights: [Float]
        /// sign(W)|W|^(p−1), kept in step with `weights` row by row; empty when p = 2 (then it is W).
        var powered: [Float]
        var batch: [Float]
        var currents: [Float]
        /// ΔW, zero outside the rows listed in `touched`.
        var change: [Float]
        /// Σ_v g_μ(v)·I_μ(v) per unit, the coefficient of the decay term.
        var decay: [Float]
        var isTouched: [Bool]
        var touched: [Int]

        init(inputDimension: Int, units: Int, batchSize: Int, penalty: Float, penaltyRank: Int, p: Float, weights: [Float]) {
            self.inputDimension = inputDimension
            self.units = units
            self.batchSize = batchSize
            self.penalty = penalty
            self.penaltyRank = penaltyRank
            self.p = p
            self.weights = weights
            powered = []
            batch = [Float](repeating: 0, count: batchSize * inputDimension)
            currents = [Float](repeating: 0, count: batchSize * units)
            change = [Float](repeating: 0, count: units * inputDimension)
            decay = [Float](repeating: 0, count: units)
            isTouched = [Bool](repeating: false, count: units)
            touched = []
            if p != 2 {
                powered = [Float](repeating: 0, count: units * inputDimension)
                for unit in 0..<units { updatePowered(unit) }
            }
        }

        /// Recomputes row `unit` of `powered` from `weights`.
        mutating func updatePowered(_ unit: Int) {
            let exponent = p - 1
            for i in unit * inputDimension..<(unit + 1) * inputDimension {
                let w = weights[i]
                powered[i] = w == 0 ? 0 : (w < 0 ? -powf(-w, exponent) : powf(w, exponent))
            }
        }

        /// One mini-batch update from the data rows `rows`.
        mutating func step(data: [Float], rows: ArraySlice<Int>, rate: Float) {
            let d = inputDimension, m = units
            let count = rows.count
            for (r, row) in rows.enumerated() {
                batch.replaceSubrange(r * d..<(r + 1) * d, with: data[row * d..<(row + 1) * d])
            }
            computeCurrents(count: count)

            // Hebbian and anti-Hebbian terms: ΔW_μ += g·v, decay_μ += g·I_μ.
            change.withUnsafeMutableBufferPointer { change in
                batch.withUnsafeBufferPointer { batch in
                    currents.withUnsafeBufferPointer { currents in
                        for r in 0..<count {
                            let rowCurrents = UnsafeBufferPointer(rebasing: currents[r * m..<(r + 1) * m])
                            let ranked = Kernels.topK(rowCurrents, k: penaltyRank)
                            guard ranked.count == penaltyRank else { continue }
                            let v = UnsafeBufferPointer(rebasing: batch[r * d..<(r + 1) * d])
                            // g = 1 for the winner, −Δ for the unit at rank `penaltyRank`.
                            for rank in [0, penaltyRank - 1] {
                                let unit = ranked[rank]
                                let gain = rank == 0 ? 1 : -penalty
                                guard gain != 0 else { continue }
                                Kernels.axpy(gain, v, UnsafeMutableBufferPointer(rebasing: change[unit * d..<(unit + 1) * d]))
                                decay[unit] += gain * rowCurrents[unit]
                                if !isTouched[unit] {
                                    isTouched[unit] = true
                                    touched.append(unit)
                                }
                            }
                        }
                    }
                }
            }

            // Decay term and normalisation: ΔW_μ −= decay_μ·W_μ; W += ε·ΔW / max|ΔW|.
            var largest: Float = 0
            change.withUnsafeMutableBufferPointer { change in
                weights.withUnsafeBufferPointer { weights in
                    for unit in touched {
                        let rowChange = UnsafeMutableBufferPointer(rebasing: change[unit * d..<(unit + 1) * d])
                        Kernels.axpy(-decay[unit], UnsafeBufferPointer(rebasing: weights[unit * d..<(unit + 1) * d]), rowChange)
                        for value in rowChange { largest = max(largest, abs(value)) }
                    }
                }
            }
            let scale = rate / max(largest, 1e-30)
            change.withUnsafeMutableBufferPointer { change in
                weights.withUnsafeMutableBufferPointer { weights in
                    for unit in touched {
                        let rowChange = UnsafeMutableBufferPointer(rebasing: change[unit * d..<(unit + 1) * d])
                        Kernels.axpy(scale, UnsafeBufferPointer(rowChange),
                                     UnsafeMutableBufferPointer(rebasing: weights[unit * d..<(unit + 1) * d]))
                        rowChange.update(repeating: 0)
                    }
                }
            }
            for unit in touched {
                if p != 2 { updatePowered(unit) }
                decay[unit] = 0
                isTouched[unit] = false
            }
            touched.removeAll(keepingCapacity: true)
        }

        /// `currents[r·m + μ] = ⟨W_μ, v_r⟩_p` for the first `count` batch rows: one matrix product
        /// batch · (sign(W)|W|^(p−1))ᵀ on the packed micro-kernel.
        mutating func computeCurrents(count: Int) {
            let d = inputDimension, m = units
            let packed = p == 2
                ? PackedMatrix(weights, columns: m, depth: d, transposed: true)
                : PackedMatrix(powered, columns: m, depth: d, transposed: true)
            batch.withUnsafeBufferPointer { batch in
                currents.withUnsafeMutableBufferPointer { currents in
                    Kernels.gemm(UnsafeBufferPointer(rebasing: batch[0..<count * d]), rows: count, packed,
                                 into: UnsafeMutableBufferPointer(rebasing: currents[0..<count * m]))
                }
            }
        }
    }
}
