import Foundation
import Testing
import EngramKernels
@testable import EngramAssociative

private enum Geometry {
    static func gaussian(_ dimension: Int, _ generator: inout SeededGenerator) -> [Float] {
        var v = [Float](repeating: 0, count: dimension)
        SeededSampling.fillNormal(&v, using: &generator)
        return v
    }

    static func unit(_ v: [Float]) -> [Float] {
        let n = Kernels.norm(v)
        return v.map { $0 / n }
    }

    /// A pair of unit vectors at exactly `angle` radians (up to rounding).
    static func pair(angle: Double, dimension: Int, _ generator: inout SeededGenerator) -> ([Float], [Float]) {
        let u = unit(gaussian(dimension, &generator))
        let r = gaussian(dimension, &generator)
        let along = Kernels.dot(r, u)
        let w = unit(zip(r, u).map { $0 - along * $1 })
        let c = Float(cos(angle)), s = Float(sin(angle))
        return (u, zip(u, w).map { c * $0 + s * $1 })
    }
}

@Suite("RandomProjectionLSH")
struct LSHTests {
    @Test func rejectsBadParametersAndInput() throws {
        #expect(throws: AssociativeError.self) { try RandomProjectionLSH(inputDimension: 0, bits: 8) }
        #expect(throws: AssociativeError.self) { try RandomProjectionLSH(inputDimension: 8, bits: 0) }
        let lsh = try RandomProjectionLSH(inputDimension: 8, bits: 70, seed: 1)
        #expect(throws: AssociativeError.dimensionMismatch(expected: 8, actual: 9)) { try lsh.code([Float](repeating: 0, count: 9)) }
        var x = [Float](repeating: 0, count: 8)
        x[5] = -.infinity
        #expect(throws: AssociativeError.nonFinite(index: 5)) { try lsh.code(x) }
        #expect(throws: AssociativeError.self) { try RandomProjectionLSH.Code(words: [0], bitCount: 65) }
        #expect(throws: AssociativeError.self) { try RandomProjectionLSH.Code(words: [1 << 10], bitCount: 10) }
        #expect(throws: AssociativeError.self) { try RandomProjectionLSH.Code(words: [], bitCount: 0) }
    }

    @Test func bitsAreTheSignsOfTheProjections() throws {
        let lsh = try RandomProjectionLSH(inputDimension: 20, bits: 100, seed: 2)
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<10 {
            let x = Geometry.gaussian(20, &generator)
            let code = try lsh.code(x)
            let projections = try lsh.projections(x)
            #expect(code.words.count == 2 && code.bitCount == 100)
            for bit in 0..<100 {
                #expect(code[bit] == (projections[bit] >= 0))
                #expect(abs(projections[bit] - Kernels.dot(lsh.hyperplane(bit), x)) <= 1e-4)
            }
            #expect(code.words[1] >> 36 == 0, "bits past bitCount stay clear")
            #expect(code.setBitCount == projections.filter { $0 >= 0 }.count)
        }
    }

    @Test func hyperplanesAreStandardNormal() throws {
        let lsh = try RandomProjectionLSH(inputDimension: 100, bits: 100, seed: 4)
        let entries = lsh.hyperplanes.map(Double.init)
        let mean = entries.reduce(0, +) / Double(entries.count)
        let variance = entries.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(entries.count)
        #expect(abs(mean) < 0.05)
        #expect(abs(variance - 1) < 0.05)
    }

    @Test func reproducibleFromTheSeed() throws {
        let a = try RandomProjectionLSH(inputDimension: 16, bits: 64, seed: 9)
        let b = try RandomProjectionLSH(inputDimension: 16, bits: 64, seed: 9)
        let c = try RandomProjectionLSH(inputDimension: 16, bits: 64, seed: 10)
        #expect(a == b)
        #expect(a.hyperplanes != c.hyperplanes)
        var generator = SeededGenerator(seed: 5)
        let xs = (0..<10).map { _ in Geometry.gaussian(16, &generator) }
        #expect(try a.codes(xs) == b.codes(xs))
        #expect(try a.codes(xs) != c.codes(xs))
    }

    @Test func hammingDistanceGrowsWithTheAngle() throws {
        let d = 64, bits = 256
        let lsh = try RandomProjectionLSH(inputDimension: d, bits: bits, seed: 6)
        var generator = SeededGenerator(seed: 7)
        var means = [Double]()
        for angle in [0.05, 0.3, 0.8, 1.57] {
            var total = 0
            for _ in 0..<20 {
                let (x, y) = Geometry.pair(angle: angle, dimension: d, &generator)
                total += try lsh.code(x).hammingDistance(to: lsh.code(y))
            }
            means.append(Double(total) / 20)
        }
        #expect(zip(means, means.dropFirst()).allSatisfy { $0 < $1 }, "\(means)")
        // Expected θ/π · 256: about 4 for near-duplicates, 128 for orthogonal vectors.
        #expect(means[0] < 15)
        #expect(means[3] > 100)
    }

    @Test func hammingDistanceEstimatesTheAngle() throws {
        let d = 32
        let lsh = try RandomProjectionLSH(inputDimension: d, bits: 2048, seed: 8)
        var generator = SeededGenerator(seed: 9)
        for angle in [0.2, 1.0, 2.0] {
            let (x, y) = Geometry.pair(angle: angle, dimension: d, &generator)
            let a = try lsh.code(x), b = try lsh.code(y)
            // The estimate's standard deviation is π·√(q(1 − q)/2048) ≤ 0.035 rad for q = θ/π.
            #expect(abs(a.estimatedAngle(to: b) - angle) < 0.15)
            #expect(abs(a.estimatedCosine(to: b) - cos(angle)) < 0.15)
            #expect(a.hammingDistance(to: a) == 0)
        }
    }

    @Test func codableRoundTripGivesIdenticalCodes() throws {
        let lsh = try RandomProjectionLSH(inputDimension: 24, bits: 130, seed: 10)
        let decoded = try JSONDecoder().decode(RandomProjectionLSH.self, from: JSONEncoder().encode(lsh))
        #expect(decoded == lsh)
        var generator = SeededGenerator(seed: 11)
        let xs = (0..<10).map { _ in Geometry.gaussian(24, &generator) }
        let codes = try lsh.codes(xs)
        #expect(try decoded.codes(xs) == codes)
        let decodedCode = try JSONDecoder().decode(RandomProjectionLSH.Code.self, from: JSONEncoder().encode(codes[0]))
        #expect(decodedCode == codes[0])
        let bad = Data(#"{"words":[1024],"bitCount":10}"#.utf8)
        #expect(throws: AssociativeError.self) { try JSONDecoder().decode(RandomProjectionLSH.Code.self, from: bad) }
    }
}
