import EngramText

/// What the store needs from a sentence encoder: unit-length embeddings of texts, in order.
///
/// ``SentenceEncoder`` (all-MiniLM-L6-v2) is the one Engram ships; tests may give a small
/// deterministic stand-in so that storage behaviour can be checked without the model.
public protocol TextEmbedder: Sendable {
    /// The embedding dimension.
    var dimension: Int { get }
    /// A name recorded in the store: embeddings from different encoders are not comparable, so a
    /// store refuses to open with an encoder of another name.
    var embedderName: String { get }
    /// What exactly produced the embeddings: the name plus any setting that changes them a little
    /// without making them incomparable (the encoder's precision). Caches of embeddings key on it.
    var embeddingSignature: String { get }
    /// The unit-length embeddings of `texts`, in order.
    func embed(_ texts: [String]) -> [[Float]]
}

extension TextEmbedder {
    public var embeddingSignature: String { embedderName }
}

extension SentenceEncoder: TextEmbedder {
    public var embedderName: String {
        "bert-\(configuration.layerCount)x\(configuration.hiddenSize)-vocab\(configuration.vocabularySize)"
    }

    /// Int8 and float32 embeddings are comparable (cosine ≥ 0.99), so a store opens with either;
    /// the signature tells them apart.
    public var embeddingSignature: String { "\(embedderName)-\(precision)" }

    public func embed(_ texts: [String]) -> [[Float]] { encode(texts) }
}
