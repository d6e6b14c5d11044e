import Foundation

/// The byte layout of a scope index snapshot (``ScopeIndex/snapshot()``): little-endian numbers,
/// and arrays as a UInt64 count followed by their elements, so that the large arrays (the cue
/// codes) are copied in one piece on little-endian hosts.
struct SnapshotWriter {
    private(set) var data = Data()

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    mutating func write<T: FixedWidthInteger>(_ values: [T]) {
        write(UInt64(values.count))
        #if _endian(little)
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        #else
        for value in values { write(value) }
        #endif
    }

    mutating func write(_ values: [Float]) {
        write(values.map(\.bitPattern))
    }

    /// Strings as their UTF-8 bytes joined, after their lengths.
    mutating func write(_ strings: [String]) {
        write(strings.map { UInt32($0.utf8.count) })
        write(strings.flatMap(\.utf8))
    }
}

/// Reads what ``SnapshotWriter`` wrote, checking every length against the bytes that remain.
struct SnapshotReader {
    /// The snapshot does not have the layout this code writes.
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    private let data: Data
    private var offset: Int

    init(_ data: Data) {
        self.data = data
        offset = data.startIndex
    }

    var isAtEnd: Bool { offset == data.endIndex }

    mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws -> T {
        let size = MemoryLayout<T>.size
        guard data.endIndex - offset >= size else { throw Malformed(description: "it ends inside a number at byte \(offset)") }
        let value = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset - data.startIndex, as: T.self) }
        offset += size
        return T(littleEndian: value)
    }

    mutating func readArray<T: FixedWidthInteger>(_: T.Type = T.self) throws -> [T] {
        let count = try read(UInt64.self)
        let size = MemoryLayout<T>.size
        guard count <= UInt64(data.endIndex - offset) / UInt64(size) else {
            throw Malformed(description: "an array of \(count) elements at byte \(offset) is longer than the snapshot")
        }
        let n = Int(count)
        let start = offset - data.startIndex
        let values = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            data.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start ..< start + n * size]))
            }
            initialized = n
        }
        offset += n * size
        #if _endian(little)
        return values
        #else
        return values.map { T(littleEndian: $0) }
        #endif
    }

    mutating func readFloats() throws -> [Float] {
        try readArray(UInt32.self).map(Float.init(bitPattern:))
    }

    mutating func readStrings() throws -> [String] {
        let lengths = try readArray(UInt32.self)
        let bytes = try readArray(UInt8.self)
        guard lengths.reduce(0, { $0 + Int($1) }) == bytes.count else {
            throw Malformed(description: "its string lengths do not add up to their bytes")
        }
        var strings: [String] = []
        strings.reserveCapacity(lengths.count)
        var start = 0
        for length in lengths {
            let end = start + Int(length)
            guard let string = String(validating: bytes[start..<end], as: UTF8.self) else {
                throw Malformed(description: "a string is not UTF-8")
            }
            strings.append(string)
            start = end
        }
        return strings
    }
}
