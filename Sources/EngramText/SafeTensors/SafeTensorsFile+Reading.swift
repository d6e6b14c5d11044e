import Foundation

extension SafeTensorsFile {
    /// A tensor's elements as `Float`, row-major, widening F16 and BF16 exactly.
    ///
    /// F32 is copied from the mapping into the array in one `memcpy` (the data need not be
    /// aligned); F16 and BF16 are widened element by element in one pass.
    /// - Parameters:
    ///   - name: the tensor's name.
    ///   - shape: the shape the caller expects, or `nil` to accept any.
    /// - Returns: the tensor's `elementCount` values.
    /// - Throws: `TextError.missingTensor` when the file has no such tensor,
    ///   `TextError.shapeMismatch` when `shape` is given and differs from the tensor's,
    ///   `TextError.unsupportedDType` when the dtype is not F32, F16 or BF16.
    /// - Complexity: O(n) in the tensor's elements; faulting in the mapping's pages on first touch.
    public func floats(_ name: String, shape: [Int]? = nil) throws -> [Float] {
        let info = try checkedInfo(name, shape: shape)
        let count = info.elementCount
        switch info.knownDType {
        case .f32:
            return withBytes(of: info) { Self.copyFloat32(from: $0, count: count) }
        case .f16:
            return withBytes(of: info) { Self.widen(from: $0, count: count) { Float(float16Bits: $0) } }
        case .bf16:
            return withBytes(of: info) { Self.widen(from: $0, count: count) { Float(bfloat16Bits: $0) } }
        default:
            throw TextError.unsupportedDType(tensor: name, dtype: info.dtype)
        }
    }

    /// Calls `body` with a tensor's elements as `Float`, without copying them when it can.
    ///
    /// An F32 tensor whose bytes are 4-byte aligned in the mapping (as in files written by the
    /// reference implementation, whose header is padded to 8 bytes) is passed in place, on a
    /// little-endian host; anything else is passed as the array `floats(_:shape:)` returns. Use this
    /// to pack or reduce a tensor without keeping a copy of it. The pointer must not escape `body`.
    /// - Parameters:
    ///   - name: the tensor's name.
    ///   - shape: the shape the caller expects, or `nil` to accept any.
    ///   - body: receives the tensor's `elementCount` values.
    /// - Returns: what `body` returns.
    /// - Throws: as `floats(_:shape:)`, or what `body` throws.
    public func withFloats<R>(
        _ name: String, shape: [Int]? = nil, _ body: (UnsafeBufferPointer<Float>) throws -> R
    ) throws -> R {
        let info = try checkedInfo(name, shape: shape)
        #if _endian(little)
        if info.knownDType == .f32 {
            let inPlace: R? = try withBytes(of: info) { bytes in
                guard Int(bitPattern: bytes.baseAddress) % MemoryLayout<Float>.alignment == 0 else { return nil }
                return try bytes.withMemoryRebound(to: Float.self, body)
            }
            if let inPlace { return inPlace }
        }
        #endif
        return try floats(name, shape: shape).withUnsafeBufferPointer(body)
    }

    /// Calls `body` with a tensor's raw bytes, as stored (little-endian, possibly unaligned), without
    /// copying them. The pointer must not escape `body`.
    /// - Parameters:
    ///   - name: the tensor's name.
    ///   - body: receives the bytes of the tensor's `byteRange` in the data section.
    /// - Returns: what `body` returns.
    /// - Throws: `TextError.missingTensor` when the file has no such tensor, or what `body` throws.
    public func withUnsafeBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try withBytes(of: try checkedInfo(name, shape: nil), body)
    }

    /// The entry of `name`, checked against an expected shape.
    /// - Throws: `TextError.missingTensor`, or `TextError.shapeMismatch` when `shape` differs.
    func checkedInfo(_ name: String, shape: [Int]?) throws -> SafeTensorInfo {
        guard let info = tensors[name] else { throw TextError.missingTensor(name) }
        if let shape, shape != info.shape {
            throw TextError.shapeMismatch(tensor: name, expected: shape, actual: info.shape)
        }
        return info
    }

    /// Calls `body` with the bytes of a validated entry inside the mapping.
    func withBytes<R>(of info: SafeTensorInfo, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let range = (dataStart + info.byteRange.lowerBound)..<(dataStart + info.byteRange.upperBound)
        return try storage.withUnsafeBytes { file in
            try body(UnsafeRawBufferPointer(rebasing: file[range]))
        }
    }

    /// Copies little-endian binary32 values into a new array with one `memcpy`.
    private static func copyFloat32(from bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        assert(bytes.count == count * MemoryLayout<Float>.size)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: bytes)
            #if _endian(big)
            for i in 0..<count {
                buffer[i] = Float(bitPattern: UInt32(littleEndian: buffer[i].bitPattern))
            }
            #endif
            initialized = count
        }
    }

    /// Widens little-endian 16-bit values into a new array.
    private static func widen(
        from bytes: UnsafeRawBufferPointer, count: Int, _ convert: (UInt16) -> Float
    ) -> [Float] {
        assert(bytes.count == count * MemoryLayout<UInt16>.size)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                buffer.initializeElement(at: i, to: convert(bits))
            }
            initialized = count
        }
    }
}
