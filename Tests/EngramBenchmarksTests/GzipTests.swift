@testable import EngramData
import Foundation
import Testing
@testable import EngramBenchmarks

@Suite("Gzip.readPossiblyCompressed")
struct GzipTests {
    /// Writes `bytes` to a temporary file and reads it back through the loader's gzip layer.
    static func read(_ bytes: [UInt8]) throws -> [UInt8] {
        try TemporaryDirectory.with { directory in
            [UInt8](try Gzip.readPossiblyCompressed(path: directory.write(bytes, to: "file.gz")))
        }
    }

    @Test("the test encoder's CRC-32 has the standard check value")
    func crcCheckValue() {
        #expect(GzipFixtures.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test("a real gzip stream inflates to its text")
    func realStream() throws {
        #expect(try Self.read(GzipFixtures.twoRows) == Array(GzipFixtures.twoRowsText.utf8))
    }

    @Test("bytes without the gzip magic number come back unchanged", arguments: [[], [0x1f], [0x1f, 0x8c, 0x00], Array("1,2,0\n".utf8)] as [[UInt8]])
    func plainBytes(_ bytes: [UInt8]) throws {
        #expect(try Self.read(bytes) == bytes)
    }

    @Test("stored blocks of any size inflate exactly, across several output chunks", arguments: [0, 1, 65_535, 65_536, 200_003])
    func storedBlocks(size: Int) throws {
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        #expect(try Self.read(GzipFixtures.stored(bytes)) == bytes)
    }

    @Test("concatenated gzip members inflate to the concatenation of their contents")
    func multipleMembers() throws {
        let bytes = GzipFixtures.twoRows + GzipFixtures.stored(Array("7,8,2\n".utf8)) + GzipFixtures.oneRow
        #expect(try Self.read(bytes) == Array((GzipFixtures.twoRowsText + "7,8,2\n5,6,1\n").utf8))
    }

    @Test("a stream cut anywhere is reported as corrupt, never returned short")
    func everyTruncation() throws {
        let whole = GzipFixtures.twoRows
        try TemporaryDirectory.with { directory in
            for length in 2..<whole.count {
                let path = try directory.write(Array(whole.prefix(length)), to: "cut-\(length).gz")
                let error = #expect(throws: DataFileError.self, "cut at \(length) bytes") {
                    try Gzip.readPossiblyCompressed(path: path)
                }
                guard case let .corruptGzip(errorPath, _) = error else {
                    Issue.record("cut at \(length): expected corruptGzip, got \(String(describing: error))")
                    continue
                }
                #expect(errorPath == path)
            }
        }
    }

    @Test("a truncated stream says so")
    func truncatedReason() throws {
        try TemporaryDirectory.with { directory in
            let path = try directory.write(Array(GzipFixtures.twoRows.dropLast(4)), to: "short.gz")
            let error = #expect(throws: DataFileError.self) { try Gzip.readPossiblyCompressed(path: path) }
            guard case let .corruptGzip(_, reason) = error else {
                Issue.record("expected corruptGzip, got \(String(describing: error))")
                return
            }
            #expect(reason == "the stream is truncated")
        }
    }
}
