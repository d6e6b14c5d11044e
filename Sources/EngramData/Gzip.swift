import CEngramZlib
import Foundation

/// Reading files that may be gzip-compressed (the data sets ship as `.csv.gz`).
enum Gzip {
    /// The file's bytes, inflated when they start with the gzip magic number.
    static func readPossiblyCompressed(path: String) throws -> Data {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DataFileError.unreadable(path: path, reason: error.localizedDescription)
        }
        guard data.count >= 2, data[data.startIndex] == 0x1F, data[data.startIndex + 1] == 0x8B else { return data }
        return try inflate(data, path: path)
    }

    /// Inflates a gzip stream (possibly several concatenated members) with zlib.
    static func inflate(_ compressed: Data, path: String) throws -> Data {
        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip header rather than a zlib one.
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataFileError.corruptGzip(path: path, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }

        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try compressed.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { buffer -> Int32 in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    return CEngramZlib.inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                switch status {
                case Z_STREAM_END:
                    guard stream.avail_in > 0 else { return }
                    inflateReset(&stream)  // another gzip member follows
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw DataFileError.corruptGzip(path: path, reason: "the stream is truncated")
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw DataFileError.corruptGzip(path: path, reason: message)
                }
            }
        }
        return output
    }
}
