import EngramKernels
import Foundation

/// The weights of a BERT encoder, read from a safetensors checkpoint through one table of names.
///
/// Linear layers are packed for the matrix-multiply kernel as they load; the query, key and value
/// projections of each layer are fused into one 3·hidden-column product.
struct BertWeights: Sendable {
    struct LayerNorm: Sendable {
        var gamma: [Float]
        var beta: [Float]
    }

    struct Linear: Sendable {
        var weight: PackedMatrix
        var bias: [Float]
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
    init(file: SafeTensorsFile, configuration c: BertConfiguration) throws {
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
            let weight = try file.withFloats(prefix + ".weight", shape: [outputs, inputs]) {
                PackedMatrix($0, columns: outputs, depth: inputs, transposed: true)
            }
            return Linear(weight: weight, bias: try tensor(prefix + ".bias", [outputs]))
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
            return Layer(
                queryKeyValue: Linear(weight: PackedMatrix(stacked, columns: 3 * h, depth: h, transposed: true), bias: stackedBias),
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
