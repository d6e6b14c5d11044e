import Crypto
import Foundation

/// SHA-256 of files, read in chunks so a 90 MB model never sits in memory at once.
enum FileDigest {
    /// The SHA-256 of a file's contents as 64 lowercase hexadecimal digits.
    ///
    /// - Parameters:
    ///   - url: The file.
    ///   - chunkSize: Bytes read per step; 1 MiB by default.
    /// - Returns: The digest in lowercase hexadecimal.
    /// - Throws: When the file cannot be opened or read.
    static func sha256(of url: URL, chunkSize: Int = 1 << 20) throws -> String {
        precondition(chunkSize > 0, "chunkSize must be positive")
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hexadecimal(hasher.finalize())
    }

    /// The SHA-256 of bytes in memory as 64 lowercase hexadecimal digits.
    static func sha256(of data: some DataProtocol) -> String {
        hexadecimal(SHA256.hash(data: data))
    }

    private static func hexadecimal(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
