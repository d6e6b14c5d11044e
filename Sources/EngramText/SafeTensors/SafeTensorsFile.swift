import Foundation

/// A memory-mapped safetensors file: its header validated on opening, its tensors read on demand.
///
/// The layout is an 8-byte little-endian `UInt64` header length N, N bytes of UTF-8 JSON mapping
/// each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (plus an optional
/// `__metadata__` string map), then the data section, which the offsets index.
///
/// Opening maps the file rather than reading it, so it costs the header's parse whatever the
/// file's size; a tensor's pages are touched only when it is read. The mapping is shared by copies
/// of the value and released with the last of them. As with any mapping, the file must not be
/// truncated while it is open.
public struct SafeTensorsFile: Sendable {
    /// The largest header length accepted, as in the reference implementation.
    public static let maximumHeaderLength = 100_000_000

    /// The file's path, for error messages.
    public let path: String
    /// The tensor names, sorted.
    public let tensorNames: [String]
    /// The header's `__metadata__` map, empty when absent.
    public let metadata: [String: String]

    /// The whole file, memory-mapped.
    let storage: Data
    /// The offset of the data section in `storage`.
    let dataStart: Int
    /// The validated entries by name.
    let tensors: [String: SafeTensorInfo]

    /// Maps a safetensors file and validates its header.
    /// - Parameter url: a file URL.
    /// - Throws: `TextError.unreadableFile` when the file cannot be opened or mapped;
    ///   `TextError.truncatedFile` when it is shorter than the 8-byte length or the header length
    ///   runs past its end; `TextError.malformedHeader` when the header length is 100 MB or more,
    ///   the header is not JSON of the expected form, or an entry lacks a field or has a malformed
    ///   one; `TextError.tensorOutOfBounds` when an entry's byte range lies outside the data section
    ///   or disagrees with its shape and dtype. Entry errors name the tensor.
    public init(contentsOf url: URL) throws {
        let path = url.path
        let storage: Data
        do {
            storage = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw TextError.unreadableFile(path: path, detail: error.localizedDescription)
        }
        try self.init(storage: storage, path: path)
    }

    /// Validates a safetensors image already in memory (mapped or not).
    /// - Parameters:
    ///   - storage: the file's bytes.
    ///   - path: where they came from, for error messages.
    /// - Throws: as `init(contentsOf:)`, except `unreadableFile`.
    init(storage: Data, path: String) throws {
        let lengthSize = MemoryLayout<UInt64>.size
        guard storage.count >= lengthSize else {
            throw TextError.truncatedFile(
                path: path,
                detail: "it has \(storage.count) bytes, fewer than the \(lengthSize)-byte header length")
        }
        let declared = storage.withUnsafeBytes { bytes in
            UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        }
        guard declared < UInt64(Self.maximumHeaderLength) else {
            throw TextError.malformedHeader(
                path: path,
                detail: "header length \(declared) is not below the \(Self.maximumHeaderLength)-byte limit")
        }
        let headerLength = Int(declared)
        guard headerLength <= storage.count - lengthSize else {
            throw TextError.truncatedFile(
                path: path,
                detail: "header length \(headerLength) exceeds the \(storage.count - lengthSize) bytes after the length field")
        }
        let dataStart = lengthSize + headerLength
        let header = try SafeTensorsHeader.decode(storage.subdata(in: lengthSize..<dataStart), path: path)
        let tensors = try header.validated(dataSize: storage.count - dataStart, path: path)

        self.path = path
        self.storage = storage
        self.dataStart = dataStart
        self.tensors = tensors
        self.tensorNames = tensors.keys.sorted()
        self.metadata = header.metadata
    }

    /// The entry of a tensor.
    /// - Parameter name: the tensor's name.
    /// - Returns: its dtype, shape and byte range, or `nil` when the file has no such tensor.
    public func info(_ name: String) -> SafeTensorInfo? {
        tensors[name]
    }
}
