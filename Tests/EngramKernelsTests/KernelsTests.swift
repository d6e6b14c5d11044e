import Foundation
import Testing
@testable import EngramKernels

/// Each SIMD kernel against a plain scalar loop in higher precision.
///
/// The bound for a reduction of n products in any order is γₙ·Σ|aᵢbᵢ| with γₙ ≈ n·u (Higham,
/// *Accuracy and Stability of Numerical Algorithms*, §3.1); the tests use `n · ulp(1) · Σ|aᵢbᵢ|`,
/// where ulp(1) = 2u, so they hold for any summation order but catch a wrong element or lane.
@Suite("Kernels against scalar loops")
struct KernelsTests {
    static let lengths = [0, 1, 7, 8, 9, 31, 32, 33, 64, 100, 384, 1031]

    static func randomVector<T: KernelScalar>(_ n: Int, _ generator: inout SeededGenerator, as: T.Type) -> [T] {
        (0..<n).map { _ in T(generator.nextUnitDouble() * 2 - 1) }
    }

    func checkReductions<T: KernelScalar>(_ type: T.Type) {
        var generator = SeededGenerator(seed: 7)
        for n in Self.lengths {
            let a = Self.randomVector(n, &generator, as: T.self)
            let b = Self.randomVector(n, &generator, as: T.self)
            var exact = 0.0, magnitude = 0.0, exactDistance = 0.0, distanceMagnitude = 0.0
            for i in 0..<n {
                exact += Double(a[i]) * Double(b[i])
                magnitude += abs(Double(a[i]) * Double(b[i]))
                let d = Double(a[i] - b[i])
                exactDistance += d * d
                distanceMagnitude += d * d
            }
            let ulp = Double(T.ulpOfOne)
            let bound = Double(max(n, 1)) * ulp * magnitude
            #expect(abs(Double(Kernels.dot(a, b)) - exact) <= bound, "dot, n = \(n)")
            #expect(abs(Double(Kernels.squaredDistance(a, b)) - exactDistance)
                    <= Double(max(n, 1)) * ulp * distanceMagnitude * 2, "squaredDistance, n = \(n)")

            let normA = Double(Kernels.norm(a))
            var squares = 0.0
            for x in a { squares += Double(x) * Double(x) }
            #expect(abs(normA - squares.squareRoot()) <= Double(max(n, 1)) * ulp * squares.squareRoot() + 1e-300)

            if n > 0 {
                let cosine = Double(Kernels.cosine(a, b))
                let expected = exact / (squares.squareRoot() * Kernels.norm(b.map(Double.init)))
                #expect(abs(cosine - expected) <= 4 * Double(n) * ulp, "cosine, n = \(n)")
            }
        }
    }

    @Test func reductionsFloat() { checkReductions(Float.self) }
    @Test func reductionsDouble() { checkReductions(Double.self) }

    @Test("cosine of a zero vector is 0, not NaN")
    func cosineOfZero() {
        #expect(Kernels.cosine([0.0, 0, 0], [1.0, 2, 3]) == 0)
        #expect(Kernels.cosine([Float](repeating: 0, count: 9), [Float](repeating: 1, count: 9)) == 0)
    }

    func checkAxpyExact<T: KernelScalar>(_ type: T.Type) {
        var generator = SeededGenerator(seed: 3)
        for n in Self.lengths {
            let x = Self.randomVector(n, &generator, as: T.self)
            var y = Self.randomVector(n, &generator, as: T.self)
            let alpha = T(0.3)
            let expected = zip(x, y).map { x, y in
                let product = alpha * x
                return y + product
            }
            Kernels.axpy(alpha, x, &y)
            #expect(y == expected, "n = \(n)")
        }
    }

    @Test("axpy rounds like y + (a·x), bit for bit, with no fused multiply-add")
    func axpyExact() {
        checkAxpyExact(Float.self)
        checkAxpyExact(Double.self)
    }

    @Test("the portable SIMD dot agrees with the dispatched one (AVX2 + FMA where present)")
    func portableAgreesWithDispatched() {
        var generator = SeededGenerator(seed: 13)
        for n in Self.lengths where n > 0 {
            let a = Self.randomVector(n, &generator, as: Float.self)
            let b = Self.randomVector(n, &generator, as: Float.self)
            let magnitude = zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
            let portable = a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in Kernels.portableDot(pa.baseAddress!, pb.baseAddress!, count: n) }
            }
            #expect(abs(Double(portable) - Double(Kernels.dot(a, b))) <= 2 * Double(n) * Double(Float.ulpOfOne) * magnitude)
        }
    }

    func checkGemv<T: KernelScalar>(_ type: T.Type, rows: Int, columns: Int) {
        var generator = SeededGenerator(seed: 11)
        let matrix = Self.randomVector(rows * columns, &generator, as: T.self)
        let x = Self.randomVector(columns, &generator, as: T.self)
        let y = Kernels.gemv(matrix, rows: rows, columns: columns, x)
        for r in 0..<rows {
            var exact = 0.0, magnitude = 0.0
            for c in 0..<columns {
                exact += Double(matrix[r * columns + c]) * Double(x[c])
                magnitude += abs(Double(matrix[r * columns + c]) * Double(x[c]))
            }
            #expect(abs(Double(y[r]) - exact) <= Double(columns) * Double(T.ulpOfOne) * magnitude, "\(T.self) row \(r)")
        }
    }

    @Test("gemv against row-by-row scalar loops (Float: AVX2 where present; Double: portable)",
          arguments: [(13, 67), (4, 64), (5, 8), (3, 7), (1, 1)])
    func gemvMatchesRowDots(rows: Int, columns: Int) {
        checkGemv(Float.self, rows: rows, columns: columns)
        checkGemv(Double.self, rows: rows, columns: columns)
    }

    @Test("argmax: the first maximum wins, NaN never does")
    func argmax() {
        #expect(Kernels.argmax([Double]()) == nil)
        #expect(Kernels.argmax([1.0, 3, 3, 2]) == 1)
        #expect(Kernels.argmax([0.0, 0, 0]) == 0)
        #expect(Kernels.argmax([-1.0, -0.5, -0.5]) == 1)
        #expect(Kernels.argmax([Double.nan, 1, 2]) == 2)
    }

    @Test("topK against a full sort")
    func topK() {
        var generator = SeededGenerator(seed: 5)
        for n in [0, 1, 5, 100, 1000] {
            // Few distinct values, so ties are common.
            let values = (0..<n).map { _ in Float(Int(generator.next() % 17)) }
            let reference = values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
            for k in [0, 1, 3, 20, n] {
                #expect(Kernels.topK(values, k: k) == Array(reference.prefix(k)), "n = \(n), k = \(k)")
            }
        }
        #expect(Kernels.topK([1.0, .nan, 3], k: 3) == [2, 0])
    }

    @Test("topK's block-skipping scan against a full sort: ties, NaN, ascending input")
    func topKBlockScan() {
        var generator = SeededGenerator(seed: 23)
        func reference(_ values: [Float], _ k: Int) -> [Int] {
            Array(values.indices.filter { !values[$0].isNaN }
                .sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }.prefix(k))
        }
        for n in [0, 1, 7, 31, 32, 33, 64, 65, 100, 1000, 5003] {
            for levels in [3, 50, 1 << 20] {
                var values = (0..<n).map { _ in Float(generator.next() % UInt64(levels)) - Float(levels / 2) }
                if n > 10 { values[n / 3] = .nan; values[n - 1] = .nan }
                for k in [0, 1, 2, 5, 20, 40, n, n + 3] {
                    #expect(Kernels.topK(values, k: k) == reference(values, k), "n = \(n), levels = \(levels), k = \(k)")
                }
            }
            // An ascending input makes every element enter the window.
            let ascending = (0..<n).map(Float.init)
            #expect(Kernels.topK(ascending, k: 20) == reference(ascending, 20))
        }
    }

    @Test("winner-take-all keeps the k largest, reported in index order")
    func winnerTakeAll() {
        #expect(Kernels.winnerTakeAll([0.1, 0.9, 0.5, 0.7], k: 2) == [1, 3])
        var values: [Double] = [0.1, 0.9, 0.5, 0.7]
        values.withUnsafeMutableBufferPointer { Kernels.winnerTakeAll(inPlace: $0, k: 2) }
        #expect(values == [0, 0.9, 0, 0.7])
    }

    @Test("softmax against the definition, stable for large logits")
    func softmax() {
        let logits: [Double] = [1, 2, 3, -1]
        let total = logits.map { exp($0 * 2) }.reduce(0, +)
        let expected = logits.map { exp($0 * 2) / total }
        for (got, want) in zip(Kernels.softmax(logits, beta: 2), expected) {
            #expect(abs(got - want) <= 8 * Double.ulpOfOne)
        }
        let large = Kernels.softmax([Float(1000), 1000, 0])
        #expect(large[0] == 0.5 && large[1] == 0.5 && large[2] == 0)
        #expect(abs(Kernels.softmax([Float](repeating: 3, count: 100)).reduce(0, +) - 1) <= 100 * Float.ulpOfOne)
    }

    @Test("GELU against 0.5·x·(1 + erf(x/√2)) in double precision")
    func gelu() {
        let inputs = stride(from: -9.0, through: 9.0, by: 0.001).map { Float($0) } + [0, -0, 1e-30, .greatestFiniteMagnitude / 4]
        var values = inputs
        let expected = values.map { x in 0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot())) }
        values.withUnsafeMutableBufferPointer { Kernels.gelu($0) }
        // The documented bound: 2.5e-7·|x| from erf, plus float rounding of the result.
        for (x, (got, want)) in zip(inputs, zip(values, expected)) where want.isFinite {
            let bound = 2.5e-7 * Double(abs(x)) + 2 * Double(Float(want).ulp)
            #expect(abs(Double(got) - want) <= bound, "gelu(\(x)): \(got) vs \(want)")
        }
    }

    @Test("the seeded generator is reproducible and uniform")
    func generator() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        var mean = 0.0
        for _ in 0..<100_000 { mean += a.nextUnitDouble() }
        mean /= 100_000
        // The standard error of the mean of U(0,1) over 1e5 draws is 0.0009; 5 σ.
        #expect(abs(mean - 0.5) < 0.0046)
    }
}
