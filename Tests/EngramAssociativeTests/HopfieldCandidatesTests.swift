import EngramKernels
import Foundation
import Testing
@testable import EngramAssociative

@Suite("HopfieldRetriever stages as separate calls")
struct HopfieldCandidatesTests {
    func randomUnitVectors(_ count: Int, dimension: Int, seed: UInt64) -> [[Float]] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let v = (0..<dimension).map { _ in Float.random(in: -1...1, using: &random) }
            let norm = Kernels.norm(v)
            return v.map { $0 / norm }
        }
    }

    @Test func nearestEqualsAFullScan() throws {
        let patterns = randomUnitVectors(500, dimension: 48, seed: 3)
        var twoStage = try HopfieldRetriever(dimension: 48)
        var oneStage = try HopfieldRetriever(dimension: 48, candidates: nil)
        for (i, p) in patterns.enumerated() {
            try twoStage.add(p, key: 1000 + i)
            try oneStage.add(p, key: 1000 + i)
        }
        for query in randomUnitVectors(20, dimension: 48, seed: 4) {
            let expected = patterns.indices.sorted { Kernels.dot(patterns[$0], query) > Kernels.dot(patterns[$1], query) }
                .prefix(10).map { 1000 + $0 }
            #expect(try twoStage.nearest(query, count: 10).map(\.key) == expected)
            #expect(try oneStage.nearest(query, count: 10).map(\.key) == expected)
            let subset = Array(stride(from: 1000, to: 1500, by: 3))
            let expectedSubset = subset.sorted {
                Kernels.dot(patterns[$0 - 1000], query) > Kernels.dot(patterns[$1 - 1000], query)
            }.prefix(5)
            let among = try twoStage.nearest(query, among: subset, count: 5)
            #expect(among.map(\.key) == Array(expectedSubset))
            for hit in among { #expect(abs(hit.score - Kernels.dot(patterns[hit.key - 1000], query)) < 1e-5) }
        }
        #expect(try twoStage.nearest(patterns[0], count: 1000).count == 500)
    }

    @Test func settleOverKeysMatchesTheUpdateRule() throws {
        let patterns = randomUnitVectors(40, dimension: 16, seed: 9)
        var retriever = try HopfieldRetriever(dimension: 16, beta: 8, steps: 1)
        for (i, p) in patterns.enumerated() { try retriever.add(p, key: i) }
        let keys = [3, 7, 7, 11, 20]
        let query = randomUnitVectors(1, dimension: 16, seed: 10)[0]
        let (state, hits) = try retriever.settle(query, over: keys)
        // ξ = Σ softmax(β·xᵢᵀq)ᵢ·xᵢ over the distinct keys, computed by hand in Double.
        let distinct = [3, 7, 11, 20]
        let logits = distinct.map { 8 * Double(Kernels.dot(patterns[$0], query)) }
        let largest = logits.max()!
        let weights = logits.map { exp($0 - largest) }
        let total = weights.reduce(0, +)
        var expected = [Double](repeating: 0, count: 16)
        for (w, key) in zip(weights, distinct) { for j in 0..<16 { expected[j] += w / total * Double(patterns[key][j]) } }
        for j in 0..<16 { #expect(abs(Double(state[j]) - expected[j]) < 1e-5) }
        #expect(Set(hits.map(\.key)) == Set(distinct))
        #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(throws: AssociativeError.unknownKey(99)) { try retriever.settle(query, over: [1, 99]) }
        #expect(try retriever.settle(query, over: []).hits.isEmpty)
    }
}
