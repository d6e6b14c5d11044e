import Foundation
import Testing
import EngramKernels
@testable import EngramAssociative

private enum Vectors {
    /// `count` vectors of `dimension` standard normal values.
    static func gaussian(_ count: Int, _ dimension: Int, seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            var v = [Float](repeating: 0, count: dimension)
            SeededSampling.fillNormal(&v, using: &generator)
            return v
        }
    }

    /// `x + scale · noise` with fresh standard normal noise.
    static func perturbed(_ x: [Float], scale: Float, seed: UInt64) -> [Float] {
        let noise = gaussian(1, x.count, seed: seed)[0]
        return zip(x, noise).map { $0 + scale * $1 }
    }
}

@Suite("FlyHash")
struct FlyHashTests {
    @Test func rejectsBadParameters() {
        #expect(throws: AssociativeError.self) { try FlyHash(inputDimension: 0, units: 10, activeUnits: 2) }
        #expect(throws: AssociativeError.self) { try FlyHash(inputDimension: 8, units: 0, activeUnits: 1) }
        #expect(throws: AssociativeError.self) { try FlyHash(inputDimension: 8, units: 10, activeUnits: 0) }
        #expect(throws: AssociativeError.self) { try FlyHash(inputDimension: 8, units: 10, activeUnits: 11) }
        #expect(throws: AssociativeError.self) { try FlyHash(inputDimension: 8, units: 10, activeUnits: 2, samplingFraction: 0) }
        #expect(throws: AssociativeError.self) { try FlyHash(inputDimension: 8, units: 10, activeUnits: 2, samplingFraction: 1.5) }
        #expect(throws: AssociativeError.self) { try FlyHash(inputDimension: 8, units: 10, activeUnits: 2, samplingFraction: .nan) }
    }

    @Test func rejectsBadInput() throws {
        let hash = try FlyHash(inputDimension: 8, units: 32, activeUnits: 4, seed: 1)
        #expect(throws: AssociativeError.dimensionMismatch(expected: 8, actual: 7)) { try hash.code([Float](repeating: 1, count: 7)) }
        var x = [Float](repeating: 1, count: 8)
        x[3] = .nan
        #expect(throws: AssociativeError.nonFinite(index: 3)) { try hash.code(x) }
        x[3] = .infinity
        #expect(throws: AssociativeError.nonFinite(index: 3)) { try hash.activations(x) }
        #expect(throws: AssociativeError.nonFinite(index: 3)) { try hash.codes([[Float](repeating: 0, count: 8), x]) }
    }

    @Test func eachUnitSamplesTheRequestedFraction() throws {
        let d = 384, m = 256
        let hash = try FlyHash(inputDimension: d, units: m, activeUnits: 16, samplingFraction: 0.1, seed: 3)
        #expect(hash.samplesPerUnit == 38)
        var uses = [Int](repeating: 0, count: d)
        var distinctRows = Set<[Int]>()
        for unit in 0..<m {
            let inputs = hash.connections(ofUnit: unit)
            #expect(inputs.count == 38)
            #expect(zip(inputs, inputs.dropFirst()).allSatisfy { $0 < $1 })
            #expect(inputs.first! >= 0 && inputs.last! < d)
            for i in inputs { uses[i] += 1 }
            distinctRows.insert(inputs)
        }
        #expect(distinctRows.count == m)
        // Each input is used m·s/d ≈ 25 times on average; a uniform draw keeps every count well inside 5...60.
        #expect(uses.allSatisfy { $0 >= 5 && $0 <= 60 })
        #expect(try FlyHash(inputDimension: 5, units: 4, activeUnits: 1, samplingFraction: 0.01).samplesPerUnit == 1)
        #expect(try FlyHash(inputDimension: 5, units: 4, activeUnits: 1, samplingFraction: 1).samplesPerUnit == 5)
    }

    @Test func reproducibleFromTheSeed() throws {
        let a = try FlyHash(inputDimension: 50, units: 400, activeUnits: 20, seed: 42)
        let b = try FlyHash(inputDimension: 50, units: 400, activeUnits: 20, seed: 42)
        let c = try FlyHash(inputDimension: 50, units: 400, activeUnits: 20, seed: 43)
        #expect(a == b)
        #expect(a.connections != c.connections)
        let xs = Vectors.gaussian(10, 50, seed: 5)
        #expect(try a.codes(xs) == b.codes(xs))
        #expect(try a.codes(xs) != c.codes(xs))
    }

    @Test func codesAreKSortedDistinctWinners() throws {
        let hash = try FlyHash(inputDimension: 40, units: 300, activeUnits: 12, seed: 9)
        for x in Vectors.gaussian(20, 40, seed: 2) {
            let code = try hash.code(x)
            #expect(code.active.count == 12 && code.unitCount == 300)
            #expect(zip(code.active, code.active.dropFirst()).allSatisfy { $0 < $1 })
            let activations = try hash.activations(x)
            #expect(code.active == Kernels.winnerTakeAll(activations, k: 12))
            // No losing unit has a larger projection than the weakest winner.
            let weakest = code.active.map { activations[$0] }.min()!
            for unit in 0..<300 where !code.contains(unit) { #expect(activations[unit] <= weakest) }
        }
    }

    @Test func activationsAreCentredSparseSums() throws {
        let d = 30
        let hash = try FlyHash(inputDimension: d, units: 50, activeUnits: 5, samplingFraction: 0.2, seed: 4)
        let x = Vectors.gaussian(1, d, seed: 8)[0].map { $0 + 3 }
        let mean = x.map(Double.init).reduce(0, +) / Double(d)
        let activations = try hash.activations(x)
        for unit in 0..<50 {
            let expected = hash.connections(ofUnit: unit).map { Double(x[$0]) - mean }.reduce(0, +)
            #expect(abs(Double(activations[unit]) - expected) <= 1e-4)
        }
        // Centring makes the code blind to a constant offset.
        #expect(try hash.code(x) == hash.code(x.map { $0 - 3 }))
    }

    @Test func batchCodesEqualSingleCodes() throws {
        let hash = try FlyHash(inputDimension: 64, units: 500, activeUnits: 25, seed: 6)
        for count in [0, 1, 7, 8, 9, 19] {
            let xs = Vectors.gaussian(count, 64, seed: UInt64(count))
            #expect(try hash.codes(xs) == xs.map { try hash.code($0) })
        }
    }

    @Test func similarInputsShareMoreUnitsThanRandomPairs() throws {
        let d = 64, m = 1024, k = 32
        let hash = try FlyHash(inputDimension: d, units: m, activeUnits: k, seed: 12)
        let xs = Vectors.gaussian(40, d, seed: 13)
        var similar = 0.0, random = 0.0
        for (i, x) in xs.enumerated() {
            let near = Vectors.perturbed(x, scale: 0.2, seed: 1000 + UInt64(i))
            similar += Double(try hash.code(x).overlap(with: hash.code(near)))
            random += Double(try hash.code(x).overlap(with: hash.code(xs[(i + 1) % xs.count])))
        }
        similar /= Double(xs.count)
        random /= Double(xs.count)
        // Random pairs share k²/m = 1 unit on average; near-duplicates (cosine ≈ 0.98) most of them.
        #expect(similar > 16)
        #expect(random < 4)
    }

    @Test func codableRoundTripGivesIdenticalCodes() throws {
        let hash = try FlyHash(inputDimension: 48, units: 256, activeUnits: 8, samplingFraction: 0.15, seed: 77)
        let decoded = try JSONDecoder().decode(FlyHash.self, from: JSONEncoder().encode(hash))
        #expect(decoded == hash)
        let xs = Vectors.gaussian(12, 48, seed: 21)
        #expect(try decoded.codes(xs) == hash.codes(xs))

        // Tampered connections are rejected.
        var object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(hash)) as? [String: Any])
        var connections = try #require(object["connections"] as? [Int])
        connections[0] = 48
        object["connections"] = connections
        let tampered = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: AssociativeError.self) { try JSONDecoder().decode(FlyHash.self, from: tampered) }
    }
}

/// The sparse code type and the winner selection the coders share, tested here with the fly hash
/// that produces them.
extension FlyHashTests {
    @Suite("SparseCode")
    struct SparseCodeTests {
        @Test func validatesItsInvariants() throws {
            let code = try SparseCode(active: [1, 4, 9], unitCount: 10)
            #expect(code.activeCount == 3 && code.unitCount == 10)
            #expect(throws: AssociativeError.self) { try SparseCode(active: [4, 1], unitCount: 10) }
            #expect(throws: AssociativeError.self) { try SparseCode(active: [1, 1], unitCount: 10) }
            #expect(throws: AssociativeError.self) { try SparseCode(active: [10], unitCount: 10) }
            #expect(throws: AssociativeError.self) { try SparseCode(active: [-1], unitCount: 10) }
            #expect(throws: AssociativeError.self) { try SparseCode(active: [], unitCount: 0) }
            #expect(try SparseCode(active: [], unitCount: 3).activeCount == 0)
            #expect(try SparseCode(unsortedActive: [7, 2, 7, 0], unitCount: 8).active == [0, 2, 7])
        }

        @Test func setOperationsAgreeWithSets() throws {
            var generator = SeededGenerator(seed: 11)
            for _ in 0..<200 {
                let m = 1 + SeededSampling.index(below: 64, using: &generator)
                let a = Set((0..<SeededSampling.index(below: m + 1, using: &generator)).map { _ in SeededSampling.index(below: m, using: &generator) })
                let b = Set((0..<SeededSampling.index(below: m + 1, using: &generator)).map { _ in SeededSampling.index(below: m, using: &generator) })
                let codeA = try SparseCode(unsortedActive: a, unitCount: m)
                let codeB = try SparseCode(unsortedActive: b, unitCount: m)
                let common = a.intersection(b).count
                #expect(codeA.overlap(with: codeB) == common)
                #expect(codeA.hammingDistance(to: codeB) == a.symmetricDifference(b).count)
                let union = a.union(b).count
                #expect(codeA.jaccard(with: codeB) == (union == 0 ? 1 : Double(common) / Double(union)))
                #expect(codeA.dense == (0..<m).map { a.contains($0) ? 1 : 0 })
                for unit in 0..<m { #expect(codeA.contains(unit) == a.contains(unit)) }
            }
        }

        @Test func codableRoundTripAndRejection() throws {
            let code = try SparseCode(active: [0, 5, 6], unitCount: 7)
            let data = try JSONEncoder().encode(code)
            #expect(try JSONDecoder().decode(SparseCode.self, from: data) == code)
            let bad = Data(#"{"active":[5,3],"unitCount":7}"#.utf8)
            #expect(throws: AssociativeError.self) { try JSONDecoder().decode(SparseCode.self, from: bad) }
        }
    }

    @Suite("Winner selection")
    struct WinnerSelectionTests {
        /// The coders' selection, `Kernels.winnerTakeAll`, must return the k largest by a full sort
        /// (ties to the lower index, NaN never), in ascending index order.
        func check(_ values: [Float], k: Int) {
            let reference = values.indices.filter { !values[$0].isNaN }
                .sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }.prefix(k).sorted()
            #expect(Kernels.winnerTakeAll(values, k: k) == reference, "n = \(values.count), k = \(k)")
        }

        @Test func agreesWithAFullSort() {
            var generator = SeededGenerator(seed: 31)
            for (n, k) in [(1, 1), (7, 3), (64, 8), (100, 12), (257, 32), (1000, 1), (2048, 32), (2048, 33), (4099, 64)] {
                for trial in 0..<6 {
                    var values = [Float](repeating: 0, count: n)
                    SeededSampling.fillNormal(&values, using: &generator)
                    switch trial {
                    case 1: values = values.map { ($0 * 2).rounded() }            // many ties
                    case 2: values = values.indices.map { Float($0) }             // ascending
                    case 3: values = values.indices.map { -Float($0) }            // descending
                    case 4: values = [Float](repeating: 1, count: n)              // all equal
                    case 5:                                                       // ±0, ±∞ and NaN
                        for i in stride(from: 0, to: n, by: 5) { values[i] = .nan }
                        for i in stride(from: 1, to: n, by: 11) { values[i] = i % 2 == 0 ? .infinity : -.infinity }
                        for i in stride(from: 2, to: n, by: 13) { values[i] = i % 3 == 0 ? 0 : -0.0 }
                    default: break
                    }
                    check(values, k: k)
                }
            }
            // A block of only NaN admits every other value.
            var values = [Float](repeating: .nan, count: 512)
            for i in 300..<512 { values[i] = Float(i % 17) }
            check(values, k: 8)
            check([Float](repeating: .nan, count: 256), k: 4)
        }
    }
}
