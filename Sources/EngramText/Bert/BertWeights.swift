import EngramKernels
import Foundation

/// The weights of a BERT encoder, read from a safetensors checkpoint through one table of names.
///
/// Linear layers are packed for the matrix-multiply kernel of the chosen precision as they load; the
/// query, key and value projections of each layer are fused into one 3·hidden-column product.
struct BertWeights: Sendable {
    struct LayerNorm: Sendable {
        var gamma: [Float]
        var beta: [Float]
    }

    struct Linear: Sendable {
        enum Weight: Sendable {
            case float32(PackedMatrix)
            case int8(QuantizedMatrix)
        }

        var weight: Weight
        var bias: [Float]

        /// Outputs of the layer.
        var columns: Int {
            switch weight {
            case let .float32(matrix): matrix.columns
            case let .int8(matrix): matrix.columns
            }
        }

        /// The cost of one row through the layer in float32 multiply-adds: `columns · depth`; in
        /// int8 an eighth of that with VNNI (`engram bench encode` measured its GEMM at about 7.5
        /// times float32's operations per second), the same with AVX2 (1.1–1.7 times float32's)
        /// or the portable loop (slower still).
        var costPerRow: Int {
            switch weight {
            case let .float32(matrix): matrix.columns * matrix.depth
            case let .int8(matrix): matrix.columns * matrix.depth / (QuantizedKernel.best == .vnni ? 8 : 1)
            }
        }

        /// Packs a `columns × depth` PyTorch weight for `precision`.
        init(_ weight: UnsafeBufferPointer<Float>, columns: Int, depth: Int, bias: [Float], precision: EncoderPrecision) {
            switch precision {
            case .float32: self.weight = .float32(PackedMatrix(weight, columns: columns, depth: depth, transposed: true))
            case .int8: self.weight = .int8(QuantizedMatrix(weight, columns: columns, depth: depth, transposed: true))
            }
            self.bias = bias
        }
    }

    struct Layer: Sendable {
        var queryKeyValue: Linear
        var attentionOutput: Linear
        var attentionNorm: LayerNorm
        var intermediate: Linear
        var output: Linear
        var outputNorm: LayerNorm
    }

    var wordEmbeddings: [Float]
    var positionEmbeddings: [Float]
    var tokenTypeEmbeddings: [Float]
    var embeddingNorm: LayerNorm
    var layers: [Layer]

    /// Checkpoint tensors that exist in sentence-transformers' BERT checkpoints but that mean-pooled
    /// sentence embeddings do not use: the pooler head and the position-id buffer.
    static let ignoredTensors: Set<String> = ["embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"]

    /// Loads every tensor the model needs, by the checkpoint's names.
    /// - Throws: ``TextError/missingTensor(_:)``, ``TextError/shapeMismatch(tensor:expected:actual:)`` or
    ///   ``TextError/unusedTensors(_:)`` for a checkpoint that does not match the configuration.
    init(file: SafeTensorsFile, configuration c: BertConfiguration, precision: EncoderPrecision) throws {
        var used: Set<String> = []
        func tensor(_ name: String, _ shape: [Int]) throws -> [Float] {
            used.insert(name)
            return try file.floats(name, shape: shape)
        }
        func norm(_ prefix: String) throws -> LayerNorm {
            LayerNorm(gamma: try tensor(prefix + ".weight", [c.hiddenSize]), beta: try tensor(prefix + ".bias", [c.hiddenSize]))
        }
        func linear(_ prefix: String, outputs: Int, inputs: Int) throws -> Linear {
            used.insert(prefix + ".weight")
            // Packed straight from the mapped file, without an intermediate copy.
            let bias = try tensor(prefix + ".bias", [outputs])
            return try file.withFloats(prefix + ".weight", shape: [outputs, inputs]) {
                Linear($0, columns: outputs, depth: inputs, bias: bias, precision: precision)
            }
        }

        let h = c.hiddenSize
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [c.vocabularySize, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [c.maxPositions, h])
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])
        embeddingNorm = try norm("embeddings.LayerNorm")
        layers = try (0..<c.layerCount).map { i in
            let prefix = "encoder.layer.\(i)"
            let attention = prefix + ".attention.self"
            // Q, K and V stacked as one 3h × h weight, so one product computes all three.
            let names = ["query", "key", "value"].map { "\(attention).\($0)" }
            let stacked = try names.flatMap { try tensor($0 + ".weight", [h, h]) }
            let stackedBias = try names.flatMap { try tensor($0 + ".bias", [h]) }
            let queryKeyValue = stacked.withUnsafeBufferPointer {
                Linear($0, columns: 3 * h, depth: h, bias: stackedBias, precision: precision)
            }
            return Layer(
                queryKeyValue: queryKeyValue,
                attentionOutput: try linear(prefix + ".attention.output.dense", outputs: h, inputs: h),
                attentionNorm: try norm(prefix + ".attention.output.LayerNorm"),
                intermediate: try linear(prefix + ".intermediate.dense", outputs: c.intermediateSize, inputs: h),
                output: try linear(prefix + ".output.dense", outputs: h, inputs: c.intermediateSize),
                outputNorm: try norm(prefix + ".output.LayerNorm"))
        }

        let unused = Set(file.tensorNames).subtracting(used).subtracting(Self.ignoredTensors)
        guard unused.isEmpty else { throw TextError.unusedTensors(unused.sorted()) }
    }
}
