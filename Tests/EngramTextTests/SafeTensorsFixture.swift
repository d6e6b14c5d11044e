import Foundation
@testable import EngramText

/// Builds small safetensors files for the tests: header JSON, the 8-byte length, the data.
enum SafeTensorsFixture {
    /// One tensor to write: its entry and its bytes, laid out one after another.
    struct Tensor {
        var name: String
        var dtype: String
        var shape: [Int]
        var bytes: [UInt8]
    }

    /// The header JSON and data section for `tensors`, with offsets computed in order.
    static func layout(_ tensors: [Tensor], metadata: [String: String]? = nil) -> (header: String, data: [UInt8]) {
        var entries: [String] = []
        var data: [UInt8] = []
        if let metadata {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        for tensor in tensors {
            let begin = data.count
            data += tensor.bytes
            entries.append(
                "\"\(tensor.name)\":{\"dtype\":\"\(tensor.dtype)\",\"shape\":\(tensor.shape),"
                    + "\"data_offsets\":[\(begin),\(data.count)]}")
        }
        return ("{\(entries.joined(separator: ","))}", data)
    }

    /// A whole file: the little-endian header length, the header (padded with spaces to a multiple
    /// of 8 when `pad`, as the reference writer does), then the data.
    static func image(header: String, data: [UInt8], pad: Bool = true) -> [UInt8] {
        var json = Array(header.utf8)
        if pad {
            while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        }
        return littleEndianBytes(UInt64(json.count)) + json + data
    }

    /// A whole file of `tensors`.
    static func image(_ tensors: [Tensor], metadata: [String: String]? = nil, pad: Bool = true) -> [UInt8] {
        let (header, data) = layout(tensors, metadata: metadata)
        return image(header: header, data: data, pad: pad)
    }

    /// Writes `bytes` to a fresh temporary file, calls `body` with its URL, and removes it.
    static func withFile<R>(_ bytes: [UInt8], _ body: (URL) throws -> R) throws -> R {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("SafeTensorsTests-\(UUID().uuidString).safetensors")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url)
    }

    /// Opens `bytes` as a file and returns the error opening threw, or `nil` when it opened.
    static func openingError(_ bytes: [UInt8]) throws -> TextError? {
        try withFile(bytes) { url in
            do {
                _ = try SafeTensorsFile(contentsOf: url)
                return nil
            } catch let error as TextError {
                return error
            }
        }
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    static func f32(_ values: [Float]) -> [UInt8] { values.flatMap { littleEndianBytes($0.bitPattern) } }
    static func u16(_ bits: [UInt16]) -> [UInt8] { bits.flatMap { littleEndianBytes($0) } }
    static func i64(_ values: [Int64]) -> [UInt8] { values.flatMap { littleEndianBytes($0) } }
}

extension TextError {
    /// The case's name, such as `truncatedFile`, to check which case was thrown.
    var caseName: String {
        Mirror(reflecting: self).children.first?.label ?? String(describing: self)
    }
}
