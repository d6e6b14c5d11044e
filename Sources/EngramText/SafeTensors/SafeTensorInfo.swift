/// One tensor's entry in a safetensors header, validated when the file was opened.
public struct SafeTensorInfo: Sendable, Equatable {
    /// The tensor's name in the checkpoint, such as `embeddings.word_embeddings.weight`.
    public let name: String
    /// The dtype as spelled in the header (`F32`, `F16`, …); possibly one Engram does not know.
    public let dtype: String
    /// The dimensions, outermost first; `[]` for a scalar.
    public let shape: [Int]
    /// The tensor's bytes, as offsets into the data section that follows the header.
    public let byteRange: Range<Int>

    /// The dtype, or `nil` when the header names one outside the safetensors format.
    public var knownDType: SafeTensorsDType? { SafeTensorsDType(rawValue: dtype) }

    /// The number of elements: the product of the shape (1 for a scalar).
    ///
    /// The product was checked not to overflow when the file was opened.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Creates an entry; `SafeTensorsFile` makes these after validating the header.
    public init(name: String, dtype: String, shape: [Int], byteRange: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.byteRange = byteRange
    }
}
