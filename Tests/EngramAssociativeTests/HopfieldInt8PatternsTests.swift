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

/// `HopfieldRetriever(precision: .int8)`: the patterns are their 8-bit codes. Every query must
/// answer exactly as a scan of the decoded patterns would, and the decoded cosines must stay
/// within the code error of the float32 ones.
@Suite("HopfieldRetriever with int8 patterns")
struct HopfieldInt8PatternsTests {
    static let dimension = 384

    static func patterns(_ count: Int, seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in HopfieldRetrieverTests.unitVector(dimension, &generator) }
    }

    static func retriever(_ patterns: [[Float]], candidates: Int?, precision: HopfieldRetriever.Precision) throws -> HopfieldRetriever {
        var r = try HopfieldRetriever(dimension: dimension, candidates: candidates, precision: precision)
        for (key, p) in patterns.enumerated() { try r.add(p, key: key) }
        return r
    }

    /// The decoded patterns' dot products with `query` in Double, by key, best first.
    static func scan(_ r: HopfieldRetriever, _ query: [Float]) -> [(key: Int, score: Double)] {
        r.keys.map { key in
            (key, zip(r.pattern(forKey: key)!, query).reduce(0.0) { $0 + Double($1.0) * Double($1.1) })
        }.sorted { $0.score > $1.score }
    }

    @Test("nearest is an exact scan of the decoded patterns, two-stage and one-stage", arguments: [20, nil] as [Int?])
    func nearestScansTheDecodedPatterns(candidates: Int?) throws {
        let stored = Self.patterns(600, seed: 3)
        var r = try Self.retriever(stored, candidates: candidates, precision: .int8)
        // Removals move rows (and their codes) around: answers must follow.
        for key in stride(from: 0, to: 600, by: 3) { r.remove(key) }
        let queries = Self.patterns(30, seed: 4)
        for query in queries {
            let expected = Self.scan(r, query).prefix(10)
            let hits = try r.nearest(query, count: 10)
            #expect(hits.map(\.key) == expected.map(\.key))
            for (hit, truth) in zip(hits, expected) { #expect(abs(Double(hit.score) - truth.score) < 1e-5) }

            let among = Array(r.keys.prefix(50))
            let filtered = try r.nearest(query, among: among, count: 5)
            let allowed = Set(among)
            #expect(filtered.map(\.key) == Self.scan(r, query).filter { allowed.contains($0.key) }.prefix(5).map(\.key))
        }
    }

    @Test("settling over keys follows the update rule on the decoded patterns")
    func settleUsesTheDecodedPatterns() throws {
        let stored = Self.patterns(40, seed: 5)
        let r = try Self.retriever(stored, candidates: 20, precision: .int8)
        let query = Self.patterns(1, seed: 6)[0]
        let keys = [3, 7, 11, 19, 23, 31]
        let (state, _) = try r.settle(query, over: keys)
        let decoded = keys.map { r.pattern(forKey: $0)! }
        let logits = decoded.map { x in 20 * zip(x, query).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
        let largest = logits.max()!
        let weights = logits.map { exp($0 - largest) }
        let total = weights.reduce(0, +)
        for j in 0..<Self.dimension {
            let expected = zip(weights, decoded).reduce(0.0) { $0 + $1.0 / total * Double($1.1[j]) }
            #expect(abs(Double(state[j]) - expected) < 1e-5)
        }
    }

    @Test("decoded cosines stay within the code error of float32, at a quarter of the memory")
    func agreesWithFloat32() throws {
        let stored = Self.patterns(2_000, seed: 7)
        let exact = try Self.retriever(stored, candidates: 20, precision: .float32)
        let compact = try Self.retriever(stored, candidates: 20, precision: .int8)
        var sameTop = 0
        for query in Self.patterns(50, seed: 8) {
            let a = try exact.nearest(query, count: 20), b = try compact.nearest(query, count: 20)
            if a[0].key == b[0].key { sameTop += 1 }
            // The bound of every row's code error (the largest is about 0.008 at d = 384).
            let bound = Double(compact.largestCodeError)
            #expect(bound < 0.02)
            let scores = Dictionary(uniqueKeysWithValues: b.map { ($0.key, Double($0.score)) })
            for hit in a { if let s = scores[hit.key] { #expect(abs(s - Double(hit.score)) <= bound) } }
        }
        #expect(sameTop >= 48)
        #expect(compact.approximateByteCount * 4 < exact.approximateByteCount)
        #expect(compact.storage.isEmpty)
    }
}
