import Foundation
import Testing
@testable import EngramText

@Suite("SafeTensors reading")
struct SafeTensorsReadingTests {
    typealias Fixture = SafeTensorsFixture

    @Test("F32 tensors, shapes, names and metadata round-trip")
    func float32RoundTrip() throws {
        let matrix: [Float] = [1, -2.5, 3.25, .pi, -0.0, 1e-30]
        let vector: [Float] = [42, .greatestFiniteMagnitude]
        let bytes = Fixture.image(
            [
                .init(name: "layer.weight", dtype: "F32", shape: [2, 3], bytes: Fixture.f32(matrix)),
                .init(name: "bias", dtype: "F32", shape: [2], bytes: Fixture.f32(vector)),
            ],
            metadata: ["format": "pt", "note": "test"])
        try Fixture.withFile(bytes) { url in
            let file = try SafeTensorsFile(contentsOf: url)
            #expect(file.tensorNames == ["bias", "layer.weight"])
            #expect(file.metadata == ["format": "pt", "note": "test"])
            #expect(file.info("layer.weight") == SafeTensorInfo(name: "layer.weight", dtype: "F32", shape: [2, 3], byteRange: 0..<24))
            #expect(file.info("bias") == SafeTensorInfo(name: "bias", dtype: "F32", shape: [2], byteRange: 24..<32))
            #expect(file.info("bias")?.knownDType == .f32)
            #expect(file.info("layer.weight")?.elementCount == 6)
            #expect(file.info("absent") == nil)
            let read = try file.floats("layer.weight", shape: [2, 3])
            #expect(read.map(\.bitPattern) == matrix.map(\.bitPattern))
            #expect(try file.floats("bias") == vector)
        }
    }

    @Test("F32 data at an unaligned offset, after an unpadded header, is read exactly")
    func unalignedFloat32() throws {
        let values: [Float] = [0.1, 0.2, 0.3, -7]
        let bytes = Fixture.image(
            [
                .init(name: "flags", dtype: "U8", shape: [3], bytes: [1, 2, 3]),
                .init(name: "w", dtype: "F32", shape: [4], bytes: Fixture.f32(values)),
            ],
            pad: false)
        try Fixture.withFile(bytes) { url in
            let file = try SafeTensorsFile(contentsOf: url)
            #expect(file.info("w")?.byteRange == 3..<19)
            #expect(try file.floats("w") == values)
            #expect(try file.withUnsafeBytes(of: "flags") { Array($0) } == [1, 2, 3])
        }
    }

    @Test("withFloats passes aligned F32 in place and converts or copies everything else")
    func withFloatsInPlace() throws {
        let values: [Float] = [1, 2, 3, 4]
        let bytes = Fixture.image([
            .init(name: "aligned", dtype: "F32", shape: [2, 2], bytes: Fixture.f32(values)),
            .init(name: "pad", dtype: "U8", shape: [1], bytes: [0]),
            .init(name: "unaligned", dtype: "F32", shape: [4], bytes: Fixture.f32(values)),
            .init(name: "half", dtype: "F16", shape: [2], bytes: Fixture.u16([0x3C00, 0xC000])),
        ])
        try Fixture.withFile(bytes) { url in
            let file = try SafeTensorsFile(contentsOf: url)
            let stored = try file.withUnsafeBytes(of: "aligned") { Int(bitPattern: $0.baseAddress) }
            let passed = try file.withFloats("aligned", shape: [2, 2]) { Int(bitPattern: $0.baseAddress) }
            #expect(stored % MemoryLayout<Float>.alignment == 0)
            #if _endian(little)
            #expect(passed == stored, "an aligned F32 tensor was copied")
            #endif
            #expect(try file.withFloats("aligned") { Array($0) } == values)
            #expect(try file.withFloats("unaligned") { Array($0) } == values)
            #expect(try file.withFloats("half") { Array($0) } == [1, -2])
            #expect(throws: TextError.shapeMismatch(tensor: "aligned", expected: [4], actual: [2, 2])) {
                try file.withFloats("aligned", shape: [4]) { $0.count }
            }
            #expect(throws: TextError.unsupportedDType(tensor: "pad", dtype: "U8")) {
                try file.withFloats("pad") { $0.count }
            }
        }
    }

    @Test("F16 values widen exactly: normal, largest, subnormal, signed zero, infinities, NaN")
    func float16Values() throws {
        let bits: [UInt16] = [0x3E00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x8000, 0x7C00, 0xFC00, 0x0400, 0x7E00]
        let expected: [Float] = [1.5, -2, 65504, 0x1p-24, 1023 * 0x1p-24, -0.0, .infinity, -.infinity, 0x1p-14]
        let bytes = Fixture.image([.init(name: "h", dtype: "F16", shape: [2, 5], bytes: Fixture.u16(bits))])
        try Fixture.withFile(bytes) { url in
            let read = try SafeTensorsFile(contentsOf: url).floats("h", shape: [2, 5])
            #expect(read.count == 10)
            #expect(read.prefix(9).map(\.bitPattern) == expected.map(\.bitPattern))
            #expect(read[9].isNaN)
        }
    }

    @Test("F16 widening matches the binary16 definition for all 65,536 bit patterns")
    func float16Exhaustive() {
        var mismatches: [String] = []
        for pattern in 0...UInt16.max {
            let sign: Double = pattern & 0x8000 == 0 ? 1 : -1
            let exponent = Int(pattern >> 10) & 0x1F
            let mantissa = Int(pattern & 0x3FF)
            let widened = Float(float16Bits: pattern)
            if exponent == 0x1F {
                let nanOrInfinity = UInt32(pattern & 0x8000) << 16 | 0x7F80_0000 | UInt32(mantissa) << 13
                if widened.bitPattern != nanOrInfinity { mismatches.append("\(pattern): \(widened)") }
            } else {
                let magnitude = exponent == 0
                    ? Double(mantissa) * 0x1p-24
                    : Double(1024 + mantissa) * Double(sign: .plus, exponent: exponent - 25, significand: 1)
                let reference = Float(sign * magnitude)
                if widened.bitPattern != reference.bitPattern { mismatches.append("\(pattern): \(widened) ≠ \(reference)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first \(mismatches.prefix(5))")
    }

    @Test("BF16 values are the top half of a binary32")
    func bfloat16Values() throws {
        let expected: [Float] = [1, -2.5, 3.140625, .infinity, -0.0, 0x1p-133]
        let bits = expected.map { UInt16($0.bitPattern >> 16) }
        let bytes = Fixture.image([.init(name: "b", dtype: "BF16", shape: [3, 2], bytes: Fixture.u16(bits))])
        try Fixture.withFile(bytes) { url in
            let read = try SafeTensorsFile(contentsOf: url).floats("b")
            #expect(read.map(\.bitPattern) == expected.map(\.bitPattern))
        }
    }

    @Test("Scalars, empty tensors and other dtypes are described; only float dtypes read as Float")
    func scalarsEmptyAndOtherDTypes() throws {
        let bytes = Fixture.image([
            .init(name: "scale", dtype: "F32", shape: [], bytes: Fixture.f32([0.5])),
            .init(name: "empty", dtype: "F16", shape: [0, 4], bytes: []),
            .init(name: "position_ids", dtype: "I64", shape: [1, 3], bytes: Fixture.i64([0, 1, 2])),
        ])
        try Fixture.withFile(bytes) { url in
            let file = try SafeTensorsFile(contentsOf: url)
            #expect(file.metadata.isEmpty)
            #expect(try file.floats("scale", shape: []) == [0.5])
            #expect(try file.floats("empty", shape: [0, 4]).isEmpty)
            #expect(file.info("position_ids")?.knownDType == .i64)
            #expect(file.info("position_ids")?.shape == [1, 3])
            let ids = try file.withUnsafeBytes(of: "position_ids") { raw in
                (0..<3).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
            }
            #expect(ids == [0, 1, 2])
            #expect(throws: TextError.unsupportedDType(tensor: "position_ids", dtype: "I64")) {
                try file.floats("position_ids")
            }
        }
    }
}

@Suite("SafeTensors errors")
struct SafeTensorsErrorTests {
    typealias Fixture = SafeTensorsFixture

    /// A file that opening must reject, the case it must throw, and what its message must mention.
    struct Rejected: Sendable, CustomTestStringConvertible {
        let label: String
        let bytes: [UInt8]
        let caseName: String
        let mentions: [String]
        var testDescription: String { label }

        init(_ label: String, _ bytes: [UInt8], _ caseName: String, mentions: [String]) {
            self.label = label
            self.bytes = bytes
            self.caseName = caseName
            self.mentions = mentions
        }

        init(_ label: String, header: String, data: [UInt8] = [], _ caseName: String, mentions: [String]) {
            self.init(label, Fixture.image(header: header, data: data), caseName, mentions: mentions)
        }
    }

    static let rejected: [Rejected] = [
        Rejected("shorter than the length field", [1, 0, 0, 0, 0], "truncatedFile", mentions: ["5 bytes", "header length"]),
        Rejected("header length beyond the file", Fixture.littleEndianBytes(UInt64(1000)) + Array("{}".utf8),
                 "truncatedFile", mentions: ["header length 1000", "2 bytes"]),
        Rejected("header length over the limit", Fixture.littleEndianBytes(UInt64.max) + Array("{}".utf8),
                 "malformedHeader", mentions: ["header length \(UInt64.max)", "limit"]),
        Rejected("header not JSON", header: "not json at all", "malformedHeader", mentions: ["JSON"]),
        Rejected("header a JSON array", header: "[1, 2]", "malformedHeader", mentions: ["object"]),
        Rejected("entry without data_offsets", header: #"{"w":{"dtype":"F32","shape":[1]}}"#, data: [0, 0, 0, 0],
                 "malformedHeader", mentions: ["w", "data_offsets"]),
        Rejected("entry without dtype", header: #"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0],
                 "malformedHeader", mentions: ["w", "dtype"]),
        Rejected("entry without shape", header: #"{"w":{"dtype":"F32","data_offsets":[0,4]}}"#, data: [0, 0, 0, 0],
                 "malformedHeader", mentions: ["w", "shape"]),
        Rejected("shape not a list", header: #"{"w":{"dtype":"F32","shape":"4","data_offsets":[0,4]}}"#,
                 data: [0, 0, 0, 0], "malformedHeader", mentions: ["w.shape"]),
        Rejected("three data_offsets", header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#,
                 data: [0, 0, 0, 0], "malformedHeader", mentions: ["w", "[0, 4, 8]"]),
        Rejected("metadata not strings", header: #"{"__metadata__":{"n":1}}"#, "malformedHeader",
                 mentions: ["__metadata__"]),
        Rejected("offsets past the data section", header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                 data: [0, 0, 0, 0], "tensorOutOfBounds", mentions: ["tensor w", "[0, 8]", "4-byte data section"]),
        Rejected("offsets descending", header: #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#,
                 data: [0, 0, 0, 0], "tensorOutOfBounds", mentions: ["tensor w", "[4, 0]"]),
        Rejected("negative offset", header: #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[-4,0]}}"#,
                 data: [0, 0, 0, 0], "tensorOutOfBounds", mentions: ["tensor w", "[-4, 0]"]),
        Rejected("shape disagreeing with the byte range",
                 header: #"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#, data: Array(repeating: 0, count: 20),
                 "tensorOutOfBounds", mentions: ["tensor w", "[2, 3]", "needs 24 bytes", "hold 20"]),
        Rejected("negative dimension", header: #"{"w":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,0]}}"#,
                 "malformedHeader", mentions: ["tensor w", "negative"]),
        Rejected("shape overflowing Int",
                 header: #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}"#,
                 "tensorOutOfBounds", mentions: ["tensor w", "more elements"]),
        Rejected("byte count overflowing Int",
                 header: #"{"w":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,0]}}"#,
                 "tensorOutOfBounds", mentions: ["tensor w", "more bytes"]),
    ]

    @Test("Opening rejects a malformed file, naming the tensor or the problem", arguments: rejected)
    func openingRejects(_ rejected: Rejected) throws {
        let error = try #require(try Fixture.openingError(rejected.bytes), "\(rejected.label) was accepted")
        #expect(error.caseName == rejected.caseName, "\(error)")
        for fragment in rejected.mentions {
            #expect(error.description.contains(fragment), "\(error.description) lacks \(fragment)")
        }
    }

    @Test("A file that cannot be read is reported with its path")
    func unreadableFile() {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("SafeTensorsTests-absent-\(UUID().uuidString)")
        do {
            _ = try SafeTensorsFile(contentsOf: url)
            Issue.record("opening a missing file succeeded")
        } catch let error as TextError {
            #expect(error.caseName == "unreadableFile")
            #expect(error.description.contains(url.lastPathComponent))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("An unknown dtype opens but is rejected when read; other tensors stay readable")
    func unknownDType() throws {
        let bytes = Fixture.image([
            .init(name: "quantised", dtype: "Q4_K", shape: [7], bytes: [1, 2, 3]),
            .init(name: "w", dtype: "F32", shape: [1], bytes: Fixture.f32([2])),
        ])
        try Fixture.withFile(bytes) { url in
            let file = try SafeTensorsFile(contentsOf: url)
            #expect(file.info("quantised")?.knownDType == nil)
            #expect(throws: TextError.unsupportedDType(tensor: "quantised", dtype: "Q4_K")) {
                try file.floats("quantised")
            }
            #expect(TextError.unsupportedDType(tensor: "quantised", dtype: "Q4_K").description.contains("quantised"))
            #expect(try file.floats("w") == [2])
        }
    }

    @Test("A missing tensor and a shape mismatch name the tensor")
    func missingTensorAndShapeMismatch() throws {
        let bytes = Fixture.image([.init(name: "w", dtype: "F32", shape: [2, 2], bytes: Fixture.f32([1, 2, 3, 4]))])
        try Fixture.withFile(bytes) { url in
            let file = try SafeTensorsFile(contentsOf: url)
            #expect(throws: TextError.missingTensor("encoder.w")) { try file.floats("encoder.w") }
            #expect(throws: TextError.missingTensor("encoder.w")) { try file.withUnsafeBytes(of: "encoder.w") { $0.count } }
            #expect(throws: TextError.shapeMismatch(tensor: "w", expected: [4], actual: [2, 2])) {
                try file.floats("w", shape: [4])
            }
            #expect(TextError.missingTensor("encoder.w").description.contains("encoder.w"))
            #expect(TextError.shapeMismatch(tensor: "w", expected: [4], actual: [2, 2]).description
                        .contains("tensor w has shape [2, 2], expected [4]"))
        }
    }
}
