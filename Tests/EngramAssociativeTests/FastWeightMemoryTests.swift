import EngramKernels
import Foundation
import Testing
@testable import EngramAssociative

/// The write rules written out as plain loops over nested arrays, in the textbook form of each
/// rule, for comparison with the memories' row-major, kernel-based updates.
private struct ScalarReference {
    enum Rule {
        case linear
        case gated([Float])  // one γ per row
        case delta(Float)
        case gatedDelta([Float], Float)
        case metaplastic(prior: Float, relaxation: Float)
    }

    let rule: Rule
    var m: [[Float]]
    var importance: [Float]

    init(_ rule: Rule, dKey: Int, dValue: Int) {
        self.rule = rule
        m = [[Float]](repeating: [Float](repeating: 0, count: dKey), count: dValue)
        if case let .metaplastic(prior, _) = rule {
            importance = [Float](repeating: prior, count: dKey)
        } else {
            importance = []
        }
    }

    func read(_ k: [Float]) -> [Float] {
        m.map { row in
            var sum: Float = 0
            for j in row.indices { sum += row[j] * k[j] }
            return sum
        }
    }

    mutating func write(_ k: [Float], _ v: [Float]) {
        switch rule {
        case .linear:
            for i in m.indices { for j in k.indices { m[i][j] += v[i] * k[j] } }
        case let .gated(gammas):
            for i in m.indices { for j in k.indices { m[i][j] = gammas[i] * m[i][j] + v[i] * k[j] } }
        case let .delta(beta):
            let mk = read(k)
            for i in m.indices { for j in k.indices { m[i][j] += beta * (v[i] - mk[i]) * k[j] } }
        case let .gatedDelta(gammas, beta):
            // γ·M·(I − β·k·kᵀ) + β·v·kᵀ, the closed form of Gated DeltaNet.
            var next = m
            for i in m.indices {
                for j in k.indices {
                    var mkk: Float = 0  // (M·k·kᵀ)ᵢⱼ
                    for l in k.indices { mkk += m[i][l] * k[l] }
                    next[i][j] = gammas[i] * (m[i][j] - beta * mkk * k[j]) + beta * v[i] * k[j]
                }
            }
            m = next
        case let .metaplastic(prior, relaxation):
            for j in importance.indices { importance[j] = prior + relaxation * (importance[j] - prior) }
            var s: Float = 0
            for j in k.indices { s += k[j] * k[j] / importance[j] }
            let mk = read(k)
            for i in m.indices {
                for j in k.indices { m[i][j] += (v[i] - mk[i]) * k[j] / (importance[j] * (1 + s)) }
            }
            for j in k.indices { importance[j] += k[j] * k[j] }
        }
    }

    var flat: [Float] { m.flatMap { $0 } }
}

private func gaussianVector(_ n: Int, _ generator: inout SeededGenerator, scale: Float = 1) -> [Float] {
    (0..<n).map { _ in
        let u1 = max(generator.nextUnitFloat(), 1e-7), u2 = generator.nextUnitFloat()
        return scale * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

private func unit(_ x: [Float]) -> [Float] {
    let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return x.map { $0 / norm }
}

/// `count` orthonormal vectors of length `n` (Gram–Schmidt on Gaussian vectors).
private func orthonormal(_ count: Int, _ n: Int, _ generator: inout SeededGenerator) -> [[Float]] {
    var basis: [[Float]] = []
    while basis.count < count {
        var x = gaussianVector(n, &generator)
        for b in basis {
            let overlap = zip(x, b).reduce(0) { $0 + $1.0 * $1.1 }
            x = zip(x, b).map { $0 - overlap * $1 }
        }
        basis.append(unit(x))
    }
    return basis
}

/// Elementwise `|a − b| ≤ tolerance · (1 + |b|)`.
private func expectClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-4, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    let worst = zip(a, b).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0
    #expect(worst <= tolerance, "largest relative difference \(worst)", sourceLocation: sourceLocation)
}

private func length(_ x: [Float]) -> Float { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }

@Suite("FastWeightMemory")
struct FastWeightMemoryTests {
    static let dKey = 11, dValue = 7

    /// Writes 40 random pairs (keys of varied norm, some repeated) to the memory and the
    /// reference, comparing the state after every write and reads at the end.
    private func expectMatchesReference(_ memory: some FastWeightMemory, _ rule: ScalarReference.Rule, unitKeys: Bool = false) throws {
        var memory = memory
        var reference = ScalarReference(rule, dKey: Self.dKey, dValue: Self.dValue)
        var generator = SeededGenerator(seed: 17)
        var keys: [[Float]] = []
        for step in 0..<40 {
            let fresh = gaussianVector(Self.dKey, &generator, scale: unitKeys ? 1 : 0.4)
            let key = step % 5 == 4 ? keys[step / 2] : (unitKeys ? unit(fresh) : fresh)
            keys.append(key)
            let value = gaussianVector(Self.dValue, &generator)
            try memory.write(key: key, value: value)
            reference.write(key, value)
            expectClose(memory.state, reference.flat)
        }
        for key in keys.prefix(10) { expectClose(try memory.read(key: key), reference.read(key)) }
        #expect(memory.state.contains { $0 != 0 })
        memory.reset()
        #expect(memory.state.allSatisfy { $0 == 0 })
    }

    @Test func linearAttentionMatchesScalarReference() throws {
        try expectMatchesReference(try LinearAttentionMemory(dKey: Self.dKey, dValue: Self.dValue), .linear)
    }

    @Test func gatedMatchesScalarReference() throws {
        try expectMatchesReference(try GatedLinearMemory(dKey: Self.dKey, dValue: Self.dValue, gate: .scalar(0.9)),
                                   .gated([Float](repeating: 0.9, count: Self.dValue)))
        let gammas: [Float] = [1, 0.5, 0.9, 0.99, 0.7, 0.3, 0.95]
        try expectMatchesReference(try GatedLinearMemory(dKey: Self.dKey, dValue: Self.dValue, gate: .perRow(gammas)), .gated(gammas))
    }

    @Test func deltaRuleMatchesScalarReference() throws {
        try expectMatchesReference(try DeltaRuleMemory(dKey: Self.dKey, dValue: Self.dValue, beta: 0.6), .delta(0.6))
        try expectMatchesReference(try DeltaRuleMemory(dKey: Self.dKey, dValue: Self.dValue, beta: 1), .delta(1), unitKeys: true)
    }

    @Test func gatedDeltaMatchesScalarReference() throws {
        try expectMatchesReference(try GatedDeltaMemory(dKey: Self.dKey, dValue: Self.dValue, gate: .scalar(0.95), beta: 0.5),
                                   .gatedDelta([Float](repeating: 0.95, count: Self.dValue), 0.5))
        let gammas: [Float] = [0.8, 1, 0.9, 0.99, 0.7, 0.6, 0.95]
        try expectMatchesReference(try GatedDeltaMemory(dKey: Self.dKey, dValue: Self.dValue, gate: .perRow(gammas), beta: 0.8),
                                   .gatedDelta(gammas, 0.8), unitKeys: true)
    }

    @Test func metaplasticMatchesScalarReference() throws {
        for (prior, relaxation) in [(Float(1), Float(0.99)), (0.1, 1), (3, 0), (0.5, 0.7)] {
            let memory = try MetaplasticMemory(dKey: Self.dKey, dValue: Self.dValue, priorPrecision: prior, relaxation: relaxation)
            try expectMatchesReference(memory, .metaplastic(prior: prior, relaxation: relaxation))
        }
    }

    @Test func metaplasticImportanceMatchesScalarReference() throws {
        var memory = try MetaplasticMemory(dKey: Self.dKey, dValue: Self.dValue, priorPrecision: 0.5, relaxation: 0.9)
        var reference = ScalarReference(.metaplastic(prior: 0.5, relaxation: 0.9), dKey: Self.dKey, dValue: Self.dValue)
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<25 {
            let key = gaussianVector(Self.dKey, &generator), value = gaussianVector(Self.dValue, &generator)
            try memory.write(key: key, value: value)
            reference.write(key, value)
            expectClose(memory.importance, reference.importance, tolerance: 1e-5)
        }
        memory.reset()
        #expect(memory.importance == [Float](repeating: 0.5, count: Self.dKey))
    }

    // MARK: - Behaviour

    @Test func deltaRuleRecallsAnOrthonormalKeySetExactly() throws {
        var generator = SeededGenerator(seed: 5)
        let keys = orthonormal(16, 16, &generator)
        let values = (0..<16).map { _ in gaussianVector(8, &generator) }
        var memory = try DeltaRuleMemory(dKey: 16, dValue: 8, beta: 1)
        for (k, v) in zip(keys, values) { try memory.write(key: k, value: v) }
        for (k, v) in zip(keys, values) { expectClose(try memory.read(key: k), v, tolerance: 1e-5) }
        // Rebinding: the newest value replaces the old one at once.
        let rebound = gaussianVector(8, &generator)
        try memory.write(key: keys[3], value: rebound)
        expectClose(try memory.read(key: keys[3]), rebound, tolerance: 1e-5)
        expectClose(try memory.read(key: keys[4]), values[4], tolerance: 1e-5)
    }

    @Test func linearAttentionInterferesWhereTheDeltaRuleDoesNot() throws {
        // Two unit keys at cosine 0.6: linear attention reads k₁ as v₁ + 0.6·v₂; the delta rule
        // with β = 1 reads the last-written key exactly.
        let k1: [Float] = [1, 0, 0], k2: [Float] = [0.6, 0.8, 0]
        let v1: [Float] = [1, 0], v2: [Float] = [0, 1]
        var linear = try LinearAttentionMemory(dKey: 3, dValue: 2)
        try linear.write(key: k1, value: v1)
        try linear.write(key: k2, value: v2)
        expectClose(try linear.read(key: k1), [1, 0.6], tolerance: 1e-6)
        var delta = try DeltaRuleMemory(dKey: 3, dValue: 2, beta: 1)
        try delta.write(key: k1, value: v1)
        try delta.write(key: k2, value: v2)
        expectClose(try delta.read(key: k2), v2, tolerance: 1e-6)
        // Rebinding under linear attention: the old and the new value tie.
        var rebinding = try LinearAttentionMemory(dKey: 3, dValue: 2)
        try rebinding.write(key: k1, value: v1)
        try rebinding.write(key: k1, value: v2)
        expectClose(try rebinding.read(key: k1), [1, 1], tolerance: 1e-6)
    }

    @Test func gatedMemoryForgetsGeometrically() throws {
        var generator = SeededGenerator(seed: 9)
        let keys = orthonormal(6, 8, &generator)
        let values = (0..<6).map { _ in unit(gaussianVector(4, &generator)) }
        var memory = try GatedLinearMemory(dKey: 8, dValue: 4, gate: .scalar(0.5))
        for (k, v) in zip(keys, values) { try memory.write(key: k, value: v) }
        for (age, index) in (0..<6).reversed().enumerated() {
            let expected = values[index].map { $0 * pow(Float(0.5), Float(age)) }
            expectClose(try memory.read(key: keys[index]), expected, tolerance: 1e-6)
        }
        // Per-row gates: row i fades by its own γᵢ.
        var rows = try GatedLinearMemory(dKey: 8, dValue: 2, gate: .perRow([1, 0.25]))
        try rows.write(key: keys[0], value: [1, 1])
        try rows.write(key: keys[1], value: [0, 0])
        try rows.write(key: keys[2], value: [0, 0])
        expectClose(try rows.read(key: keys[0]), [1, 0.0625], tolerance: 1e-6)
    }

    @Test func metaplasticWithFullRelaxationIsTheDeltaRule() throws {
        var generator = SeededGenerator(seed: 21)
        var metaplastic = try MetaplasticMemory(dKey: 9, dValue: 5, priorPrecision: 0.25, relaxation: 0)
        var delta = try DeltaRuleMemory(dKey: 9, dValue: 5, beta: 1 / 1.25)
        for _ in 0..<30 {
            let key = unit(gaussianVector(9, &generator)), value = gaussianVector(5, &generator)
            try metaplastic.write(key: key, value: value)
            try delta.write(key: key, value: value)
        }
        expectClose(metaplastic.state, delta.state, tolerance: 1e-5)
    }

    @Test func metaplasticImportanceConsolidatesAndRelaxes() throws {
        // Writes through dimension 0 only: its importance grows by k₀² per write while the others
        // stay at the prior, and the read-out moves less toward a new value as evidence grows.
        var memory = try MetaplasticMemory(dKey: 3, dValue: 1, priorPrecision: 1, relaxation: 1)
        let key: [Float] = [1, 0, 0]
        var steps: [Float] = []
        for write in 1...5 {
            let before = try memory.read(key: key)[0]
            let target: Float = write.isMultiple(of: 2) ? -1 : 1
            try memory.write(key: key, value: [target])
            steps.append(abs(try memory.read(key: key)[0] - before) / abs(target - before))
            #expect(memory.importance == [1 + Float(write), 1, 1])
        }
        // The fraction of the residual taken is s/(1+s) = 1/(n+1) on the n-th write of a unit key.
        expectClose(steps, [1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 6], tolerance: 1e-5)
        // With relaxation, importance settles at I₀ + k²/(1 − ρ) instead of growing for ever.
        var relaxing = try MetaplasticMemory(dKey: 3, dValue: 1, priorPrecision: 1, relaxation: 0.5)
        for _ in 0..<60 { try relaxing.write(key: key, value: [1]) }
        expectClose(relaxing.importance, [1 + 1 / 0.5, 1, 1], tolerance: 1e-5)
    }

    @Test func metaplasticKeepsOldPairsBetterThanTheDeltaRuleUnderOverlap() throws {
        // 24 random unit keys in 16 dimensions (more pairs than dimensions): the first 8 pairs'
        // recall error after all writes is smaller when plasticity falls with accumulated evidence.
        var generator = SeededGenerator(seed: 4)
        let keys = (0..<24).map { _ in unit(gaussianVector(16, &generator)) }
        let values = (0..<24).map { _ in unit(gaussianVector(16, &generator)) }
        var delta = try DeltaRuleMemory(dKey: 16, dValue: 16, beta: 1)
        var metaplastic = try MetaplasticMemory(dKey: 16, dValue: 16, priorPrecision: 0.01, relaxation: 1)
        for (k, v) in zip(keys, values) {
            try delta.write(key: k, value: v)
            try metaplastic.write(key: k, value: v)
        }
        func oldError(_ memory: some FastWeightMemory) throws -> Float {
            try (0..<8).reduce(0) { $0 + length(zip(try memory.read(key: keys[$1]), values[$1]).map { $0 - $1 }) }
        }
        #expect(try oldError(metaplastic) < 0.8 * oldError(delta))
    }

    // MARK: - Bad input

    @Test func rejectsBadKeysAndValuesAndLeavesTheMemoryUnchanged() throws {
        let memories: [any FastWeightMemory] = [
            try LinearAttentionMemory(dKey: 4, dValue: 3),
            try GatedLinearMemory(dKey: 4, dValue: 3, gate: .scalar(0.9)),
            try DeltaRuleMemory(dKey: 4, dValue: 3, beta: 0.5),
            try GatedDeltaMemory(dKey: 4, dValue: 3, gate: .perRow([0.9, 0.8, 1]), beta: 0.5),
            try MetaplasticMemory(dKey: 4, dValue: 3, priorPrecision: 1, relaxation: 0.9),
        ]
        for var memory in memories {
            try memory.write(key: [1, 0, 0, 0], value: [1, 2, 3])
            let before = memory.state
            #expect(throws: AssociativeError.mismatchedVector(name: "key", expected: 4, actual: 3)) {
                try memory.write(key: [1, 0, 0], value: [1, 2, 3])
            }
            #expect(throws: AssociativeError.mismatchedVector(name: "value", expected: 3, actual: 4)) {
                try memory.write(key: [1, 0, 0, 0], value: [1, 2, 3, 4])
            }
            #expect(throws: AssociativeError.nonFiniteElement(name: "key", index: 2)) {
                try memory.write(key: [1, 0, .nan, 0], value: [1, 2, 3])
            }
            #expect(throws: AssociativeError.nonFiniteElement(name: "value", index: 1)) {
                try memory.write(key: [1, 0, 0, 0], value: [1, .infinity, 3])
            }
            #expect(throws: AssociativeError.mismatchedVector(name: "key", expected: 4, actual: 5)) {
                _ = try memory.read(key: [1, 0, 0, 0, 0])
            }
            #expect(throws: AssociativeError.nonFiniteElement(name: "key", index: 0)) {
                _ = try memory.read(key: [-.infinity, 0, 0, 0])
            }
            #expect(memory.state == before)
        }
        let message = AssociativeError.mismatchedVector(name: "key", expected: 4, actual: 3).description
        #expect(message == "the key has 3 elements, the memory takes 4")
    }

    @Test func rejectsParametersOutOfRange() {
        for bad: Float in [0, -0.5, 1.01, .nan, .infinity] {
            #expect(throws: AssociativeError.self) { try GatedLinearMemory(dKey: 2, dValue: 2, gate: .scalar(bad)) }
            #expect(throws: AssociativeError.self) { try DeltaRuleMemory(dKey: 2, dValue: 2, beta: bad) }
            #expect(throws: AssociativeError.self) { try GatedDeltaMemory(dKey: 2, dValue: 2, gate: .scalar(0.9), beta: bad) }
            #expect(throws: AssociativeError.self) { try GatedDeltaMemory(dKey: 2, dValue: 2, gate: .perRow([0.9, bad]), beta: 0.5) }
        }
        for bad: Float in [0, -1, .nan, .infinity] {
            #expect(throws: AssociativeError.self) { try MetaplasticMemory(dKey: 2, dValue: 2, priorPrecision: bad, relaxation: 0.5) }
        }
        for bad: Float in [-0.01, 1.01, .nan] {
            #expect(throws: AssociativeError.self) { try MetaplasticMemory(dKey: 2, dValue: 2, priorPrecision: 1, relaxation: bad) }
        }
        #expect(throws: AssociativeError.mismatchedVector(name: "per-row gate", expected: 3, actual: 2)) {
            try GatedLinearMemory(dKey: 2, dValue: 3, gate: .perRow([0.9, 0.9]))
        }
        #expect(throws: AssociativeError.invalidParameter(name: "dKey", requirement: "must be at least 1, got 0")) {
            try LinearAttentionMemory(dKey: 0, dValue: 3)
        }
        #expect(throws: AssociativeError.invalidParameter(name: "dValue", requirement: "must be at least 1, got -2")) {
            try DeltaRuleMemory(dKey: 3, dValue: -2, beta: 0.5)
        }
        #expect(throws: AssociativeError.invalidParameter(name: "β", requirement: "must be in (0, 1], got 1.5")) {
            try DeltaRuleMemory(dKey: 3, dValue: 2, beta: 1.5)
        }
        // The boundaries themselves are valid.
        #expect(throws: Never.self) { try GatedLinearMemory(dKey: 2, dValue: 2, gate: .scalar(1)) }
        #expect(throws: Never.self) { try DeltaRuleMemory(dKey: 2, dValue: 2, beta: 1) }
        #expect(throws: Never.self) { try MetaplasticMemory(dKey: 2, dValue: 2, priorPrecision: 1e-6, relaxation: 0) }
        #expect(throws: Never.self) { try MetaplasticMemory(dKey: 2, dValue: 2, priorPrecision: 1, relaxation: 1) }
    }
}
