import Foundation

/// The BLOB layouts of the store: little-endian float32 embeddings and UInt16 unit lists, so a
/// store file reads the same on every platform.
enum BlobCoding {
    static func data(_ floats: [Float]) -> Data {
        var data = Data(capacity: floats.count * 4)
        for x in floats { withUnsafeBytes(of: x.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func floats(_ data: Data, expected count: Int) -> [Float]? {
        guard data.count == count * 4 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// Any whole number of float32 values (a neighbourhood's similarities).
    static func floats(_ data: Data) -> [Float]? {
        data.count % 4 == 0 ? floats(data, expected: data.count / 4) : nil
    }

    static func data(units: [Int]) -> Data {
        var data = Data(capacity: units.count * 2)
        for u in units { withUnsafeBytes(of: UInt16(truncatingIfNeeded: u).littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func units(_ data: Data) -> [Int]? {
        guard data.count % 2 == 0 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 2)).map { Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) }
        }
    }
}
