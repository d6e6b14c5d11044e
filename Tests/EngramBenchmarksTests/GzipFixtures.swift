/// Gzip inputs for the loader tests, made without any external tool.
enum GzipFixtures {
    /// `printf '1,2,0\n3,4,1\n' | gzip -n`: a real (Huffman-coded) deflate stream from GNU gzip 1.12.
    static let twoRows: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x33, 0xd4,
        0x31, 0xd2, 0x31, 0xe0, 0x32, 0xd6, 0x31, 0xd1, 0x31, 0xe4, 0x02, 0x00,
        0x4d, 0x07, 0xe8, 0xbf, 0x0c, 0x00, 0x00, 0x00,
    ]
    /// The text `twoRows` inflates to.
    static let twoRowsText = "1,2,0\n3,4,1\n"

    /// `printf '5,6,1\n' | gzip -n`, to append to `twoRows` as a second gzip member.
    static let oneRow: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x33, 0xd5,
        0x31, 0xd3, 0x31, 0xe4, 0x02, 0x00, 0xed, 0x03, 0xdb, 0x23, 0x06, 0x00,
        0x00, 0x00,
    ]

    /// A valid gzip member holding `bytes` in uncompressed ("stored") deflate blocks of at most
    /// 65,535 bytes (RFC 1951 §3.2.4, RFC 1952), for inputs of any size.
    static func stored(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]
        var start = 0
        repeat {
            let end = min(start + 0xFFFF, bytes.count)
            let length = UInt16(end - start)
            out.append(end == bytes.count ? 0x01 : 0x00)  // BFINAL, BTYPE = 00 (stored)
            out += littleEndian(UInt32(length), bytes: 2) + littleEndian(UInt32(~length), bytes: 2)
            out += bytes[start..<end]
            start = end
        } while start < bytes.count
        out += littleEndian(crc32(bytes), bytes: 4) + littleEndian(UInt32(truncatingIfNeeded: bytes.count), bytes: 4)
        return out
    }

    private static func littleEndian(_ value: UInt32, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// The CRC-32 of gzip's trailer (reflected polynomial 0xEDB88320).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
