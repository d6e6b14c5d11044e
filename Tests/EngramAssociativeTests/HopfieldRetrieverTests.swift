import EngramKernels
import Testing
@testable import EngramAssociative

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Modern Hopfield retrieval: the update rule against a scalar loop, the energy theorem, retrieval
/// of noisy cues, the two-stage / one-stage equivalence, key bookkeeping and input validation.
@Suite("HopfieldRetriever")
struct HopfieldRetrieverTests {
    // MARK: - Helpers

    /// A standard normal sample (Box–Muller).
    static func gaussian(_ generator: inout SeededGenerator) -> Double {
        let u1 = max(generator.nextUnitDouble(), 1e-300), u2 = generator.nextUnitDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A random vector uniform on the unit sphere.
    static func unitVector(_ dimension: Int, _ generator: inout SeededGenerator) -> [Float] {
        let v = (0..<dimension).map { _ in gaussian(&generator) }
        let length = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { Float($0 / length) }
    }

    /// A retriever holding `patterns` under keys 0, 1, ….
    static func retriever(
        _ patterns: [[Float]], beta: Float = 20, steps: Int = 1, candidates: Int? = 20
    ) throws -> HopfieldRetriever {
        var r = try HopfieldRetriever(dimension: patterns[0].count, beta: beta, steps: steps, candidates: candidates)
        for (key, p) in patterns.enumerated() { try r.add(p, key: key) }
        return r
    }

    /// One update ξ ← X·softmax(β·Xᵀξ) in Double, straight from the definition, with X the
    /// patterns normalised to unit length.
    static func scalarUpdate(_ patterns: [[Float]], beta: Double, state: [Double]) -> (state: [Double], weights: [Double]) {
        let unit = patterns.map { p -> [Double] in
            let length = p.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            return p.map { Double($0) / length }
        }
        let logits = unit.map { x in beta * zip(x, state).reduce(0.0) { $0 + $1.0 * $1.1 } }
        let largest = logits.max() ?? 0
        let exps = logits.map { exp($0 - largest) }
        let total = exps.reduce(0, +)
        let weights = exps.map { $0 / total }
        var next = [Double](repeating: 0, count: state.count)
        for (w, x) in zip(weights, unit) { for j in next.indices { next[j] += w * x[j] } }
        return (next, weights)
    }

    // MARK: - The update rule and the energy

    @Test("one update equals the scalar definition on a tiny example")
    func updateMatchesScalar() throws {
        let patterns: [[Float]] = [[1, 0, 0, 0], [0, 2, 0, 0], [0.6, 0.8, 0, 0], [0, 0, 3, -4], [-1, 1, 1, 1]]
        let state: [Float] = [0.9, 0.3, -0.2, 0.1]
        for beta: Float in [0.5, 2, 8] {
            let r = try Self.retriever(patterns, beta: beta, candidates: nil)
            let expected = Self.scalarUpdate(patterns, beta: Double(beta), state: state.map(Double.init))
            let next = try r.step(state)
            for j in next.indices { #expect(abs(Double(next[j]) - expected.state[j]) <= 1e-5, "β = \(beta), j = \(j)") }

            // settle() starts from the unit query and reports the weights that formed its state.
            let length = state.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let fromUnit = Self.scalarUpdate(patterns, beta: Double(beta), state: state.map { Double($0) / length })
            let (settled, attention) = try r.settle(state)
            for j in settled.indices { #expect(abs(Double(settled[j]) - fromUnit.state[j]) <= 1e-5) }
            #expect(attention.count == patterns.count)
            #expect(abs(attention.reduce(0) { $0 + Double($1.weight) } - 1) <= 1e-5)
            for (key, weight) in attention { #expect(abs(Double(weight) - fromUnit.weights[key]) <= 1e-5) }
            #expect(zip(attention, attention.dropFirst()).allSatisfy { $0.weight >= $1.weight })
        }
    }

    @Test("energy matches its definition and never increases while settling (Ramsauer, theorem 2)")
    func energyDecreases() throws {
        var generator = SeededGenerator(seed: 11)
        let patterns = (0..<40).map { _ in Self.unitVector(16, &generator) }
        for beta: Float in [0.5, 2, 8, 32] {
            let r = try Self.retriever(patterns, beta: beta, candidates: nil)
            for _ in 0..<5 {
                var state = (0..<16).map { _ in Float(Self.gaussian(&generator)) * 0.7 }

                // E(ξ) = −lse(β, Xᵀξ) + ½ξᵀξ + β⁻¹ log N + ½ (unit patterns, M = 1).
                let b = Double(beta)
                let logits = patterns.map { x in b * zip(x, state).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
                let largest = logits.max() ?? 0
                let lse = (largest + log(logits.reduce(0) { $0 + exp($1 - largest) })) / b
                let squares = state.reduce(0.0) { $0 + Double($1) * Double($1) }
                let expected = -lse + 0.5 * squares + log(Double(patterns.count)) / b + 0.5
                #expect(abs(Double(try r.energy(state)) - expected) <= 1e-4 * max(1, abs(expected)))

                var previous = try r.energy(state)
                for _ in 0..<6 {
                    state = try r.step(state)
                    let current = try r.energy(state)
                    #expect(current <= previous + 1e-5, "β = \(beta): \(previous) → \(current)")
                    // From a state in the patterns' convex hull, 0 ≤ E ≤ 2M² (theorem 1).
                    #expect(current >= -1e-5 && current <= 2 + 1e-5)
                    previous = current
                }
            }
        }
    }

    @Test("with a large β one step lands on the stored pattern nearest the query")
    func largeBetaRetrievesNearest() throws {
        var generator = SeededGenerator(seed: 5)
        let patterns = (0..<50).map { _ in Self.unitVector(32, &generator) }
        for candidates in [20, nil] as [Int?] {
            // β·Δ ≥ 40 for a cosine lead Δ ≥ 0.02: every other weight is below e⁻⁴⁰.
            let r = try Self.retriever(patterns, beta: 2000, steps: 1, candidates: candidates)
            var checked = 0
            while checked < 20 {
                let query = Self.unitVector(32, &generator)
                let cosines = patterns.map { Kernels.dot($0, query) }
                let ranked = Kernels.topK(cosines, k: 2)
                guard cosines[ranked[0]] - cosines[ranked[1]] >= 0.02 else { continue }
                checked += 1
                let nearest = ranked[0]
                let (state, attention) = try r.settle(query)
                #expect(attention.first?.key == nearest)
                #expect(abs(Double(attention.first?.weight ?? 0) - 1) <= 1e-6)
                let distance = Kernels.squaredDistance(state, try #require(r.pattern(forKey: nearest)))
                #expect(distance <= 1e-10)
                let hit = try #require(try r.search(query, k: 1).first)
                #expect(hit.key == nearest)
                #expect(abs(hit.score - 1) <= 1e-5)
            }
        }
    }

    @Test("two-stage settling retrieves noisy cues (noise norm 0.2) in at least 99% of trials")
    func noisyCueRetrieval() throws {
        var generator = SeededGenerator(seed: 2020)
        let patterns = (0..<200).map { _ in Self.unitVector(64, &generator) }
        let r = try Self.retriever(patterns, steps: 2, candidates: 20)
        let trials = 500
        var retrieved = 0
        for _ in 0..<trials {
            let target = Int(generator.next() % UInt64(patterns.count))
            let noise = Self.unitVector(64, &generator)
            let cue = zip(patterns[target], noise).map { $0 + 0.2 * $1 }
            if try r.search(cue, k: 1).first?.key == target { retrieved += 1 }
        }
        #expect(Double(retrieved) >= 0.99 * Double(trials), "retrieved \(retrieved) of \(trials)")
    }

    @Test("two-stage with at least N candidates computes what one-stage computes")
    func twoStageWithAllCandidatesIsOneStage() throws {
        var generator = SeededGenerator(seed: 9)
        let patterns = (0..<30).map { _ in Self.unitVector(24, &generator) }
        for steps in 1...3 {
            let one = try Self.retriever(patterns, beta: 4, steps: steps, candidates: nil)
            for candidates in [30, 31, 100] {
                let two = try Self.retriever(patterns, beta: 4, steps: steps, candidates: candidates)
                for _ in 0..<10 {
                    let query = Self.unitVector(24, &generator)
                    let a = try one.settle(query), b = try two.settle(query)
                    #expect(a.state == b.state)
                    #expect(a.attention.map(\.key) == b.attention.map(\.key))
                    #expect(a.attention.map(\.weight) == b.attention.map(\.weight))
                    #expect(try one.search(query, k: 7) == two.search(query, k: 7))
                }
            }
        }
    }

    @Test("two-stage settles over the top candidates by cosine only")
    func twoStageAttentionCoversCandidates() throws {
        var generator = SeededGenerator(seed: 13)
        let patterns = (0..<100).map { _ in Self.unitVector(16, &generator) }
        let r = try Self.retriever(patterns, beta: 8, steps: 2, candidates: 5)
        let query = Self.unitVector(16, &generator)
        let byCosine = Kernels.topK(patterns.map { Kernels.dot($0, query) }, k: 5)
        let (_, attention) = try r.settle(query)
        #expect(Set(attention.map(\.key)) == Set(byCosine))
        // search widens stage 1 to k when k exceeds the candidate count.
        let hits = try r.search(query, k: 12)
        #expect(hits.count == 12)
        #expect(Set(hits.map(\.key)) == Set(Kernels.topK(patterns.map { Kernels.dot($0, query) }, k: 12)))
        #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(try r.search(query, k: 500).count == 100)
    }

    /// The float32 dot product of every stored row with `query`, in row order.
    static func rowScores(_ r: HopfieldRetriever, _ query: [Float]) -> [Float] {
        r.storage.withUnsafeBufferPointer { all in
            query.withUnsafeBufferPointer { q in
                (0..<r.count).map { row in
                    Kernels.dot(UnsafeBufferPointer(rebasing: all[row * r.dimension ..< (row + 1) * r.dimension]), q)
                }
            }
        }
    }

    @Test("stage 1 over 8-bit codes returns the rows a float32 scan returns",
          arguments: [(40, 300, 0), (64, 300, 1), (384, 120, 2), (600, 60, 3), (7, 200, 4)])
    func quantizedStageOneIsExact(dimension: Int, count: Int, seed: UInt64) throws {
        var generator = SeededGenerator(seed: 100 + seed)
        var r = try HopfieldRetriever(dimension: dimension, candidates: 20)
        // Independent patterns, a cluster of near-duplicates, exact duplicates (ties), and spiky
        // patterns whose small elements the 8-bit codes round away.
        let centre = Self.unitVector(dimension, &generator)
        for key in 0..<count {
            var v = Self.unitVector(dimension, &generator)
            switch key % 4 {
            case 1: v = zip(centre, v).map { $0 + 0.05 * $1 }
            case 2: v = centre
            case 3: v = v.map { $0 * 0.02 }; v[key % dimension] = 1
            default: break
            }
            try r.add(v, key: key)
        }
        for key in stride(from: 0, to: count, by: 7) { r.remove(key) }

        for trial in 0..<15 {
            var query = Self.unitVector(dimension, &generator)
            if trial % 3 == 1 { query = zip(centre, query).map { $0 + 0.1 * $1 } }
            if trial % 3 == 2, let p = r.pattern(forKey: r.keys[trial % r.count]) { query = zip(p, query).map { $0 + 0.2 * $1 } }
            let unit = try r.initialState(query)
            let scores = Self.rowScores(r, unit)
            for limit in [1, 5, 20, r.count - 1] {
                // What a float32 scan keeps: the `limit` best rows, ascending.
                let expected = Kernels.topK(scores, k: limit).sorted()
                let rows = unit.withUnsafeBufferPointer { r.quantizedBestRows($0, limit: limit) }
                #expect(rows == expected, "d = \(dimension), trial \(trial), limit \(limit)")
            }
        }
    }

    @Test("a batch of queries finds what each query finds alone, across scan blocks", arguments: [HopfieldRetriever.Precision.float32, .int8])
    func batchedNearestEqualsOneByOne(precision: HopfieldRetriever.Precision) throws {
        var generator = SeededGenerator(seed: 17)
        let dimension = 48
        // Enough rows for a scan split over two cores (where there are two) and a last block
        // cut short, with near-duplicates so that the bounds must re-score.
        var r = try HopfieldRetriever(dimension: dimension, candidates: 20, precision: precision)
        let base = (0..<40).map { _ in Self.unitVector(dimension, &generator) }
        for key in 0..<(2 * HopfieldRetriever.parallelScanRows + 77) {
            let noise = Self.unitVector(dimension, &generator)
            try r.add(zip(base[key % base.count], noise).map { $0 + 0.05 * $1 }, key: key)
        }
        let patterns = r.keys.map { r.pattern(forKey: $0)! }
        // More queries than one group of the scan (64), so that a batch goes in two.
        let queries = (0..<70).map { i in zip(base[i % base.count], Self.unitVector(dimension, &generator)).map { $0 + 0.1 * $1 } }
        for count in [1, 16, r.count + 5] {
            let batched = try r.nearest(eachOf: queries, count: count)
            let single = try queries.map { try r.nearest($0, count: count) }
            #expect(batched.map { $0.map(\.key) } == single.map { $0.map(\.key) }, "count \(count)")
            #expect(batched.map { $0.map(\.score) } == single.map { $0.map(\.score) }, "count \(count)")
            // And what an exact scan of the stored patterns ranks first.
            for (query, hits) in zip(queries, batched).prefix(9) {
                let unit = try r.initialState(query)
                let exact = zip(r.keys, patterns).map { ($0, Kernels.dot($1, unit)) }.sorted { $0.1 > $1.1 }
                #expect(Set(hits.map(\.key)) == Set(exact.prefix(min(count, r.count)).map(\.0)), "count \(count)")
            }
        }
        #expect(try r.nearest(eachOf: [], count: 3).isEmpty)
        #expect(throws: AssociativeError.self) { try r.nearest(eachOf: [queries[0], [Float](repeating: 0, count: dimension)], count: 3) }
    }

    // MARK: - Keys and storage

    @Test("patterns are stored at unit length")
    func storesUnitPatterns() throws {
        var r = try HopfieldRetriever(dimension: 3)
        try r.add([3, 0, 4], key: 1)
        try r.add([1e-30, 0, 0], key: 2)
        try r.add([3e38, 3e38, 0], key: 3)
        #expect(Kernels.squaredDistance(try #require(r.pattern(forKey: 1)), [0.6, 0, 0.8]) <= 1e-12)
        #expect(Kernels.squaredDistance(try #require(r.pattern(forKey: 2)), [1, 0, 0]) <= 1e-12)
        let p3 = try #require(r.pattern(forKey: 3))
        #expect(abs(Kernels.norm(p3) - 1) <= 1e-6)
        #expect(r.pattern(forKey: 4) == nil)
    }

    @Test("remove swaps the last row in and keeps every key on its pattern")
    func swapRemoveKeepsKeys() throws {
        var generator = SeededGenerator(seed: 3)
        let vectors = (0..<6).map { _ in Self.unitVector(8, &generator) }
        var r = try HopfieldRetriever(dimension: 8, beta: 50, candidates: 3)
        for (i, v) in vectors.enumerated() { try r.add(v, key: 10 * i) }
        #expect(r.count == 6)

        // Mutating calls cannot sit inside #expect, hence the lets.
        let removedFirst = r.remove(10)
        #expect(removedFirst)
        #expect(r.keys == [0, 50, 20, 30, 40])
        let removedAgain = r.remove(10), removedUnknown = r.remove(999)
        #expect(!removedAgain && !removedUnknown)
        let removedLast = r.remove(40), removedHead = r.remove(0)
        #expect(removedLast && removedHead)
        #expect(r.keys == [30, 50, 20])
        #expect(r.count == 3 && !r.contains(0) && r.contains(50))
        for key in [20, 30, 50] {
            let stored = try #require(r.pattern(forKey: key))
            #expect(Kernels.squaredDistance(stored, vectors[key / 10]) <= 1e-10)
            #expect(try r.search(vectors[key / 10], k: 1).first?.key == key)
        }

        try r.add(vectors[1], key: 10)
        #expect(try r.search(vectors[1], k: 1).first?.key == 10)
        #expect(throws: AssociativeError.duplicateKey(10)) { try r.add(vectors[2], key: 10) }

        for key in r.keys {
            let removed = r.remove(key)
            #expect(removed)
        }
        #expect(r.isEmpty)
        #expect(throws: AssociativeError.empty) { try r.search(vectors[0], k: 1) }
    }

    @Test("works through the VectorIndex protocol")
    func vectorIndexConformance() throws {
        func exercise<Index: VectorIndex>(_ index: inout Index, _ vectors: [[Float]]) throws -> [SearchHit] {
            for (i, v) in vectors.enumerated() { try index.add(v, key: 100 + i) }
            #expect(index.count == vectors.count)
            let removed = index.remove(101)
            #expect(removed)
            #expect(index.count == vectors.count - 1)
            return try index.search(vectors[2], k: 3)
        }
        var generator = SeededGenerator(seed: 17)
        let vectors = (0..<10).map { _ in Self.unitVector(12, &generator) }
        var r = try HopfieldRetriever(dimension: 12, beta: 20, steps: 2)
        let hits = try exercise(&r, vectors)
        #expect(r.dimension == 12)
        #expect(hits.count == 3)
        #expect(hits.first?.key == 102)
        #expect(!hits.contains { $0.key == 101 })
        #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(hits.allSatisfy { $0.score >= -1.0001 && $0.score <= 1.0001 })
    }

    // MARK: - Validation

    @Test("rejects invalid parameters and inputs")
    func errorCases() throws {
        #expect(throws: AssociativeError.self) { try HopfieldRetriever(dimension: 0) }
        for beta: Float in [0, -1, .nan, .infinity, -.infinity] {
            #expect(throws: AssociativeError.self) { try HopfieldRetriever(dimension: 4, beta: beta) }
        }
        #expect(throws: AssociativeError.self) { try HopfieldRetriever(dimension: 4, steps: 0) }
        #expect(throws: AssociativeError.self) { try HopfieldRetriever(dimension: 4, candidates: 0) }
        #expect(throws: Never.self) { try HopfieldRetriever(dimension: 4, beta: 0.01, steps: 3, candidates: nil) }

        var r = try HopfieldRetriever(dimension: 4)
        let x: [Float] = [1, 2, 3, 4]
        #expect(throws: AssociativeError.empty) { try r.search(x, k: 1) }
        #expect(throws: AssociativeError.empty) { try r.settle(x) }
        #expect(throws: AssociativeError.empty) { try r.energy(x) }
        #expect(throws: AssociativeError.empty) { try r.step(x) }

        #expect(throws: AssociativeError.dimensionMismatch(expected: 4, actual: 3)) { try r.add([1, 2, 3], key: 0) }
        #expect(throws: AssociativeError.nonFinite(index: 2)) { try r.add([1, 2, .nan, 4], key: 0) }
        #expect(throws: AssociativeError.nonFinite(index: 0)) { try r.add([.infinity, 2, 3, 4], key: 0) }
        #expect(throws: AssociativeError.self) { try r.add([0, 0, 0, 0], key: 0) }
        #expect(r.isEmpty)

        try r.add(x, key: 0)
        #expect(throws: AssociativeError.duplicateKey(0)) { try r.add(x, key: 0) }
        for k in [0, -3] {
            #expect(throws: AssociativeError.invalidParameter(name: "k", requirement: "must be at least 1, got \(k)")) {
                try r.search(x, k: k)
            }
        }
        #expect(throws: AssociativeError.dimensionMismatch(expected: 4, actual: 5)) { try r.search([1, 2, 3, 4, 5], k: 1) }
        #expect(throws: AssociativeError.nonFinite(index: 1)) { try r.search([1, .nan, 3, 4], k: 1) }
        #expect(throws: AssociativeError.self) { try r.search([0, 0, 0, 0], k: 1) }
        #expect(throws: AssociativeError.dimensionMismatch(expected: 4, actual: 2)) { try r.settle([1, 2]) }
        #expect(throws: AssociativeError.nonFinite(index: 3)) { try r.energy([1, 2, 3, .nan]) }
        #expect(throws: AssociativeError.dimensionMismatch(expected: 4, actual: 0)) { try r.step([]) }
        #expect(try r.search(x, k: 5).count == 1)
    }
}
