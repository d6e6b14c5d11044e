/// The arithmetic of the encoder's linear layers (attention, layer norm and GELU stay float32).
///
/// `float32` is the reference: it reproduces sentence-transformers' embeddings within the golden
/// tolerances. `int8` quantises each weight column and each token's activations to 8 bits (the
/// dynamic quantisation of ONNX Runtime and PyTorch) and multiplies with AVX-512 VNNI where the
/// processor has it: a quarter of the weight bytes, embeddings within the bounds its tests state.
public enum EncoderPrecision: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32
    case int8

    public var description: String { rawValue }
}
