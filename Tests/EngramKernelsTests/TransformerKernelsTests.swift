import CEngramKernels
import Foundation
import Testing
@testable import EngramKernels

/// The encoder's attention and LayerNorm kernels (the dispatching one and the portable loop that
/// other processors run) against double-precision references, on sequence lengths that leave
/// remainders after the eight-lane blocks and head sizes that take either path.
@Suite("Transformer kernels")
struct TransformerKernelsTests {
    /// Softmax attention of one sequence in `Double`: the reference.
    static func referenceAttention(_ qkv: [Float], length: Int, heads: Int, headSize d: Int, scale: Double) -> [Double] {
        let h = heads * d, stride = 3 * h
        var context = [Double](repeating: 0, count: length * h)
        for head in 0..<heads {
            for i in 0..<length {
                let scores = (0..<length).map { j in
                    (0..<d).reduce(0.0) { $0 + Double(qkv[i * stride + head * d + $1]) * Double(qkv[j * stride + h + head * d + $1]) } * scale
                }
                let top = scores.max()!
                let weights = scores.map { Foundation.exp($0 - top) }
                let total = weights.reduce(0, +)
                for c in 0..<d {
                    context[i * h + head * d + c] = (0..<length).reduce(0.0) { $0 + weights[$1] * Double(qkv[$1 * stride + 2 * h + head * d + c]) } / total
                }
            }
        }
        return context
    }

    @Test(arguments: [(1, 1, 8), (2, 7, 8), (12, 37, 32), (3, 9, 16), (2, 130, 32), (2, 11, 12)])
    func attentionMatchesTheReference(heads: Int, length: Int, headSize: Int) {
        var generator = SeededGenerator(seed: UInt64(heads * 1000 + length))
        let h = heads * headSize
        // Scores of a few units, as in BERT, and a sharper case where one key dominates.
        for spread: Float in [1, 6] {
            let qkv = (0..<length * 3 * h).map { _ in Float.random(in: -spread...spread, using: &generator) }
            let scale = 1 / Float(headSize).squareRoot()
            let expected = Self.referenceAttention(qkv, length: length, heads: heads, headSize: headSize, scale: Double(scale))
            var dispatched = [Float](repeating: .nan, count: length * h)
            var scratch: [Float] = []
            qkv.withUnsafeBufferPointer { qkv in
                dispatched.withUnsafeMutableBufferPointer {
                    Kernels.attention(qkv, length: length, heads: heads, headSize: headSize, scale: scale, into: $0, scratch: &scratch)
                }
            }
            var portable = [Float](repeating: .nan, count: length * h)
            var portableScratch = [Float](repeating: 0, count: engram_attention_scratch_count(length, headSize))
            engram_attention_portable(qkv, length, heads, headSize, scale, &portable, &portableScratch)
            // A score's rounding error is about an ulp of the largest score (scale·d·spread²) and moves
            // the output by that fraction of a value (spread); plus the sums' own rounding.
            let largestScore = Double(scale) * Double(headSize) * Double(spread * spread)
            let bound = (largestScore * Double(Float.ulpOfOne) + 2e-6) * Double(spread)
            for (name, result) in [("dispatched", dispatched), ("portable", portable)] {
                let worst = zip(result, expected).map { abs(Double($0) - $1) }.max()!
                #expect(worst <= bound, "\(name), spread \(spread): worst error \(worst), bound \(bound)")
            }
        }
    }

    @Test(arguments: [8, 384, 13])
    func layerNormMatchesTheReference(width: Int) {
        var generator = SeededGenerator(seed: UInt64(width))
        let count = 5
        let rows = (0..<count * width).map { _ in Float.random(in: -3...5, using: &generator) }
        let residual = (0..<count * width).map { _ in Float.random(in: -1...1, using: &generator) }
        let gamma = (0..<width).map { _ in Float.random(in: 0.5...1.5, using: &generator) }
        let beta = (0..<width).map { _ in Float.random(in: -0.2...0.2, using: &generator) }
        for withResidual in [false, true] {
            let inputs = withResidual ? zip(rows, residual).map { Double($0) + Double($1) } : rows.map(Double.init)
            var expected: [Double] = []
            for r in 0..<count {
                let x = inputs[r * width..<(r + 1) * width]
                let mean = x.reduce(0, +) / Double(width)
                let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(width)
                expected += x.enumerated().map { i, v in (v - mean) / (variance + 1e-12).squareRoot() * Double(gamma[i]) + Double(beta[i]) }
            }
            var dispatched = rows
            dispatched.withUnsafeMutableBufferPointer { out in
                residual.withUnsafeBufferPointer { res in
                    gamma.withUnsafeBufferPointer { g in
                        beta.withUnsafeBufferPointer { b in
                            Kernels.addLayerNorm(out, residual: withResidual ? res : nil, width: width, gamma: g, beta: b, epsilon: 1e-12)
                        }
                    }
                }
            }
            var portable = rows
            if withResidual {
                engram_add_layer_norm_portable(&portable, residual, count, width, gamma, beta, 1e-12)
            } else {
                engram_add_layer_norm_portable(&portable, nil, count, width, gamma, beta, 1e-12)
            }
            for (name, result) in [("dispatched", dispatched), ("portable", portable)] {
                let worst = zip(result, expected).map { abs(Double($0) - $1) }.max()!
                #expect(worst <= 5e-6, "\(name), residual \(withResidual): worst error \(worst)")
            }
        }
    }
}
