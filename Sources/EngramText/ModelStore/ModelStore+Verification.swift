import Foundation

/// The size and modification date of a file when it was last hashed, with the hash it had.
///
/// A file whose size and modification date still match its entry is taken as verified without
/// reading it again: this is what brings a cached start from ~0.3 s of hashing down to a few
/// `stat` calls.
struct VerifiedEntry: Codable, Equatable, Sendable {
    var name: String
    var size: UInt64
    /// Seconds since 1970; compared exactly (JSON round-trips a `Double` exactly).
    var modified: Double
    var sha256: String
}

/// The `.verified` marker: one entry per file of a directory that matched its pinned SHA-256.
struct VerifiedMarker: Codable, Equatable, Sendable {
    var version = 1
    var model: String
    var files: [VerifiedEntry]
}

/// What checking one model file found.
enum FileState: Sendable {
    /// Present with the pinned SHA-256.
    case valid(VerifiedEntry)
    /// Not there.
    case missing
    /// Present with another SHA-256.
    case mismatch(actual: String)
    /// Present but not a readable regular file.
    case unreadable(String)

    var entry: VerifiedEntry? {
        if case let .valid(entry) = self { entry } else { nil }
    }
}

/// Every file of a spec checked in one directory, in the spec's order.
struct DirectoryCheck: Sendable {
    var results: [(file: ModelFile, state: FileState)]

    var isComplete: Bool { results.allSatisfy { $0.state.entry != nil } }
    var validEntries: [String: VerifiedEntry] {
        Dictionary(uniqueKeysWithValues: results.compactMap { result in result.state.entry.map { (result.file.name, $0) } })
    }
}

extension ModelStore {
    /// Checks each file of the spec in `directory` against its pinned SHA-256, trusting the
    /// marker for files whose size and modification date are unchanged, and rewrites the marker
    /// when every file is valid and any had to be hashed.
    ///
    /// - Parameters:
    ///   - directory: The model directory.
    ///   - marker: Where the verified marker of this directory lives; `nil` for none.
    /// - Returns: One state per file.
    func check(_ directory: URL, marker: URL?) -> DirectoryCheck {
        let known = marker.flatMap(Self.readMarker(at:))
        let trusted = Dictionary(
            (known?.files ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var hashedAny = false
        var results: [(file: ModelFile, state: FileState)] = []
        for file in spec.files {
            let url = directory.appendingPathComponent(file.name)
            let state: FileState
            // The stat comes before the hash: a file changed while being hashed gets a newer
            // date than the one recorded, so it is hashed again next time.
            switch Self.stat(url) {
            case .none:
                state = .missing
            case .some(.failure(let reason)):
                state = .unreadable(reason.description)
            case .some(.success(let (size, modified))):
                if let entry = trusted[file.name], entry.size == size, entry.modified == modified,
                   entry.sha256 == file.sha256 {
                    state = .valid(entry)
                } else {
                    hashedAny = true
                    do {
                        let actual = try FileDigest.sha256(of: url)
                        state = actual == file.sha256
                            ? .valid(VerifiedEntry(name: file.name, size: size, modified: modified, sha256: actual))
                            : .mismatch(actual: actual)
                    } catch {
                        state = .unreadable("\(error)")
                    }
                }
            }
            results.append((file, state))
        }
        let result = DirectoryCheck(results: results)
        if let marker, result.isComplete, hashedAny || known == nil {
            writeMarker(result.results.compactMap(\.state.entry), to: marker)
        }
        return result
    }

    /// Writes the marker atomically; a failure (a read-only directory) only costs a re-hash later.
    func writeMarker(_ entries: [VerifiedEntry], to url: URL) {
        let marker = VerifiedMarker(model: spec.name, files: entries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(marker) else { return }
        try? FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: url, options: .atomic)
    }

    static func readMarker(at url: URL) -> VerifiedMarker? {
        guard let data = try? Data(contentsOf: url),
              let marker = try? JSONDecoder().decode(VerifiedMarker.self, from: data),
              marker.version == 1 else { return nil }
        return marker
    }

    /// Size and modification date of a regular file, following symbolic links (a Hugging Face
    /// cache snapshot is a folder of links); `nil` when nothing is there.
    static func stat(_ link: URL) -> Result<(size: UInt64, modified: Double), StatFailure>? {
        let url = link.resolvingSymlinksInPath()
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        } catch {
            return FileManager.default.fileExists(atPath: url.path) ? .failure(StatFailure("\(error)")) : nil
        }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
            return .failure(StatFailure("not a regular file"))
        }
        guard let size = (attributes[.size] as? NSNumber)?.uint64Value,
              let date = attributes[.modificationDate] as? Date else {
            return .failure(StatFailure("size or modification date unavailable"))
        }
        return .success((size, date.timeIntervalSince1970))
    }
}

/// Why a file could not be examined.
struct StatFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
