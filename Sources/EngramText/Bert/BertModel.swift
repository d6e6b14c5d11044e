import Dispatch
import EngramKernels
import Foundation

/// The BERT encoder: embeddings, `layerCount` transformer layers, and masked mean pooling.
///
/// Sequences are packed end to end rather than padded: the linear layers run on all tokens of a
/// group at once (one matrix product per layer and projection), attention runs within each
/// sequence, so no padding is computed and no mask is needed. The result equals that of a padded
/// batch with an attention mask, where padded keys get zero weight.
struct BertModel: Sendable {
    let configuration: BertConfiguration
    let weights: BertWeights

    /// The mean-pooled last hidden state of each sequence (not normalised).
    /// - Parameters:
    ///   - sequences: token ids, each at most `maxPositions` long and non-empty.
    ///   - threads: threads to split each matrix product's columns over (more than one for a lone
    ///     short input, where there are not several sequences to spread over the cores).
    func pooledStates(_ sequences: [[Int32]], threads: Int) -> [[Float]] {
        let h = configuration.hiddenSize
        let tokenCount = sequences.reduce(0) { $0 + $1.count }
        var workspace = Workspace(tokens: tokenCount, configuration: configuration)
        let starts = sequences.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        embed(sequences, into: &workspace.hidden)
        for layer in weights.layers {
            encode(layer, starts: starts, workspace: &workspace, threads: threads)
        }
        return sequences.indices.map { s in
            var pooled = [Float](repeating: 0, count: h)
            workspace.hidden.withUnsafeBufferPointer { hidden in
                pooled.withUnsafeMutableBufferPointer { pooled in
                    for t in starts[s]..<starts[s + 1] {
                        Kernels.axpy(1, UnsafeBufferPointer(rebasing: hidden[t * h..<(t + 1) * h]), pooled)
                    }
                }
            }
            let count = Float(starts[s + 1] - starts[s])
            return pooled.map { $0 / count }
        }
    }

    /// Scratch activations for a group of `tokens` tokens.
    struct Workspace {
        var hidden: [Float]
        var queryKeyValue: [Float]
        var context: [Float]
        var projected: [Float]
        var intermediate: [Float]

        init(tokens: Int, configuration c: BertConfiguration) {
            hidden = [Float](repeating: 0, count: tokens * c.hiddenSize)
            queryKeyValue = [Float](repeating: 0, count: tokens * 3 * c.hiddenSize)
            context = [Float](repeating: 0, count: tokens * c.hiddenSize)
            projected = [Float](repeating: 0, count: tokens * c.hiddenSize)
            intermediate = [Float](repeating: 0, count: tokens * c.intermediateSize)
        }
    }

    /// Word + position + token-type (0) embeddings, then LayerNorm.
    private func embed(_ sequences: [[Int32]], into hidden: inout [Float]) {
        let h = configuration.hiddenSize
        hidden.withUnsafeMutableBufferPointer { hidden in
            var row = 0
            for sequence in sequences {
                for (position, id) in sequence.enumerated() {
                    let out = UnsafeMutableBufferPointer(rebasing: hidden[row * h..<(row + 1) * h])
                    let word = Int(id) * h, place = position * h
                    for i in 0..<h {
                        out[i] = weights.wordEmbeddings[word + i] + weights.positionEmbeddings[place + i]
                            + weights.tokenTypeEmbeddings[i]
                    }
                    row += 1
                }
            }
            Self.layerNorm(hidden, width: h, weights.embeddingNorm, epsilon: configuration.layerNormEpsilon)
        }
    }

    /// One transformer layer, in place on `workspace.hidden`.
    private func encode(_ layer: BertWeights.Layer, starts: [Int], workspace w: inout Workspace, threads: Int) {
        let h = configuration.hiddenSize, tokens = starts.last ?? 0
        let epsilon = configuration.layerNormEpsilon
        Self.linear(w.hidden, rows: tokens, layer.queryKeyValue, into: &w.queryKeyValue, threads: threads)
        attention(w.queryKeyValue, starts: starts, into: &w.context)
        Self.linear(w.context, rows: tokens, layer.attentionOutput, into: &w.projected, threads: threads)
        Self.addAndNorm(&w.hidden, w.projected, width: h, layer.attentionNorm, epsilon: epsilon)
        Self.linear(w.hidden, rows: tokens, layer.intermediate, into: &w.intermediate, threads: threads)
        w.intermediate.withUnsafeMutableBufferPointer { Kernels.gelu($0) }
        Self.linear(w.intermediate, rows: tokens, layer.output, into: &w.projected, threads: threads)
        Self.addAndNorm(&w.hidden, w.projected, width: h, layer.outputNorm, epsilon: epsilon)
    }

    /// Scaled dot-product attention within each sequence, every head, into `context`.
    private func attention(_ qkv: [Float], starts: [Int], into context: inout [Float]) {
        let h = configuration.hiddenSize, d = configuration.headSize, stride = 3 * h
        let scale = 1 / Float(d).squareRoot()
        var scratch: [Float] = []
        qkv.withUnsafeBufferPointer { qkv in
            context.withUnsafeMutableBufferPointer { context in
                for (start, end) in zip(starts, starts.dropFirst()) {
                    Kernels.attention(UnsafeBufferPointer(rebasing: qkv[start * stride..<end * stride]), length: end - start,
                                      heads: configuration.headCount, headSize: d, scale: scale,
                                      into: UnsafeMutableBufferPointer(rebasing: context[start * h..<end * h]), scratch: &scratch)
                }
            }
        }
    }

    /// Float32 multiply-adds (``BertWeights/Linear/costPerRow``) a part of a split product must
    /// have for the split to pay: about 40 µs of work on one core, well above the tens of
    /// microseconds that waking a pool thread costs. A lone short query's int8 products stay on
    /// one thread with VNNI (measured faster there, 0.7–0.8 ms against 1.4–1.6 ms split in two);
    /// its float32 products, and its int8 ones without VNNI, split from a few tokens (the
    /// 384 × 384 ones from about 14).
    static let minimumPartCost = 2_000_000

    /// `output ← input · Wᵀ + b`, with the columns split over up to `threads` threads.
    private static func linear(_ input: [Float], rows: Int, _ layer: BertWeights.Linear, into output: inout [Float], threads: Int) {
        let columns = layer.columns
        // At least 128 columns and `minimumPartCost` per thread: below that, waking a thread
        // costs more than it saves.
        let parts = max(1, min(threads, columns / 128, rows * layer.costPerRow / minimumPartCost))
        let width = (columns + parts - 1) / parts
        let partWidth = (width + 15) / 16 * 16
        let ranges = stride(from: 0, to: columns, by: partWidth).map { $0..<min($0 + partWidth, columns) }
        input.withUnsafeBufferPointer { input in
            layer.bias.withUnsafeBufferPointer { bias in
                output.withUnsafeMutableBufferPointer { output in
                    // The parts write disjoint columns of `output` and only read the rest.
                    switch layer.weight {
                    case let .float32(weight):
                        let buffers = UncheckedSendable((input, bias, output))
                        forEach(ranges) { range in
                            let (input, bias, output) = buffers.value
                            Kernels.gemm(input, rows: rows, weight, bias: bias, into: output, columnRange: range)
                        }
                    case let .int8(weight):
                        // Each token's activations are quantised once, for all the parts.
                        let codes = QuantizedRows(input, rows: rows, width: weight.depth)
                        let buffers = UncheckedSendable((bias, output))
                        forEach(ranges) { range in
                            let (bias, output) = buffers.value
                            Kernels.gemm(codes, weight, bias: bias, into: output, columnRange: range)
                        }
                    }
                }
            }
        }
    }

    /// Runs `body` on every range, concurrently when there are several.
    private static func forEach(_ ranges: [Range<Int>], _ body: @Sendable (Range<Int>) -> Void) {
        guard ranges.count > 1 else {
            ranges.forEach(body)
            return
        }
        DispatchQueue.concurrentPerform(iterations: ranges.count) { body(ranges[$0]) }
    }

    /// `hidden ← LayerNorm(hidden + residual)`, row by row.
    private static func addAndNorm(_ hidden: inout [Float], _ residual: [Float], width: Int, _ norm: BertWeights.LayerNorm, epsilon: Float) {
        hidden.withUnsafeMutableBufferPointer { hidden in
            residual.withUnsafeBufferPointer { residual in
                layerNorm(hidden, residual: residual, width: width, norm, epsilon: epsilon)
            }
        }
    }

    /// LayerNorm of every `width`-wide row (after adding `residual`, when given).
    private static func layerNorm(
        _ rows: UnsafeMutableBufferPointer<Float>, residual: UnsafeBufferPointer<Float>? = nil, width: Int,
        _ norm: BertWeights.LayerNorm, epsilon: Float
    ) {
        norm.gamma.withUnsafeBufferPointer { gamma in
            norm.beta.withUnsafeBufferPointer { beta in
                Kernels.addLayerNorm(rows, residual: residual, width: width, gamma: gamma, beta: beta, epsilon: epsilon)
            }
        }
    }
}

/// Buffers handed to the parts of a split product, valid for the duration of the split.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
