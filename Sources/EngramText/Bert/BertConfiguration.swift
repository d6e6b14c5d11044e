import Foundation

/// The fields of a Hugging Face BERT `config.json` that the encoder uses, under their checkpoint names.
public struct BertConfiguration: Decodable, Sendable, Equatable {
    public var hiddenSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var vocabularySize: Int
    public var layerNormEpsilon: Float
    public var hiddenActivation: String
    public var positionEmbeddingType: String?

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case layerCount = "num_hidden_layers"
        case headCount = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case maxPositions = "max_position_embeddings"
        case typeVocabularySize = "type_vocab_size"
        case vocabularySize = "vocab_size"
        case layerNormEpsilon = "layer_norm_eps"
        case hiddenActivation = "hidden_act"
        case positionEmbeddingType = "position_embedding_type"
    }

    /// The dimension of each attention head.
    public var headSize: Int { hiddenSize / headCount }

    /// Reads and checks `config.json`.
    /// - Throws: ``TextError/malformedConfig(path:detail:)`` when it cannot be decoded, or
    ///   ``TextError/unsupportedConfig(_:)`` for an architecture this encoder does not implement.
    public static func load(from url: URL) throws -> BertConfiguration {
        let configuration: BertConfiguration
        do {
            configuration = try JSONDecoder().decode(BertConfiguration.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw TextError.malformedConfig(path: url.path, detail: "\(error)")
        } catch {
            throw TextError.malformedConfig(path: url.path, detail: error.localizedDescription)
        }
        try configuration.validate()
        return configuration
    }

    func validate() throws {
        let sizes = [hiddenSize, layerCount, headCount, intermediateSize, maxPositions, typeVocabularySize, vocabularySize]
        guard sizes.allSatisfy({ $0 > 0 }) else { throw TextError.unsupportedConfig("every size must be positive: \(self)") }
        guard hiddenSize % headCount == 0 else {
            throw TextError.unsupportedConfig("hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(headCount)")
        }
        guard hiddenActivation == "gelu" else {
            throw TextError.unsupportedConfig("hidden_act \"\(hiddenActivation)\"; only the exact (erf) \"gelu\" is implemented")
        }
        guard positionEmbeddingType == nil || positionEmbeddingType == "absolute" else {
            throw TextError.unsupportedConfig("position_embedding_type \"\(positionEmbeddingType ?? "")\"; only \"absolute\" is implemented")
        }
        guard layerNormEpsilon.isFinite, layerNormEpsilon >= 0 else {
            throw TextError.unsupportedConfig("layer_norm_eps \(layerNormEpsilon)")
        }
    }
}
