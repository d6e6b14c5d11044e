extension SafeTensorsHeader {
    /// Checks every entry and returns them keyed by name.
    ///
    /// Each entry must have a dtype, a shape of non-negative dimensions whose product fits in an
    /// `Int`, and `data_offsets` `[begin, end]` with `0 ≤ begin ≤ end ≤ dataSize`. When the dtype is
    /// one of the format's, `elements × byteSize` must equal `end − begin`; an entry of an unknown
    /// dtype is kept (so the rest of the file stays readable) and rejected only when read.
    /// - Parameters:
    ///   - dataSize: the length of the data section that follows the header, in bytes.
    ///   - path: the file, for error messages.
    /// - Returns: the validated entries by tensor name.
    /// - Throws: `TextError.malformedHeader` for a missing or malformed field or a repeated name,
    ///   `TextError.tensorOutOfBounds` for a byte range outside the data section or one that
    ///   disagrees with the shape and dtype. Every error names the tensor.
    func validated(dataSize: Int, path: String) throws -> [String: SafeTensorInfo] {
        var tensors: [String: SafeTensorInfo] = [:]
        tensors.reserveCapacity(entries.count)
        for (name, entry) in entries.sorted(by: { $0.name < $1.name }) {
            guard tensors[name] == nil else {
                throw TextError.malformedHeader(path: path, detail: "tensor \(name) appears twice")
            }
            tensors[name] = try Self.validate(entry, name: name, dataSize: dataSize, path: path)
        }
        return tensors
    }

    /// Checks one entry; see `validated(dataSize:path:)`.
    private static func validate(_ entry: Entry, name: String, dataSize: Int, path: String) throws -> SafeTensorInfo {
        guard let dtype = entry.dtype else {
            throw TextError.malformedHeader(path: path, detail: "tensor \(name) has no dtype")
        }
        guard let shape = entry.shape else {
            throw TextError.malformedHeader(path: path, detail: "tensor \(name) has no shape")
        }
        guard let offsets = entry.dataOffsets else {
            throw TextError.malformedHeader(path: path, detail: "tensor \(name) has no data_offsets")
        }
        guard offsets.count == 2 else {
            throw TextError.malformedHeader(
                path: path, detail: "tensor \(name) has data_offsets \(offsets); expected [begin, end]")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TextError.malformedHeader(path: path, detail: "tensor \(name) has a negative dimension in shape \(shape)")
        }
        var elements = 1
        for dimension in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw TextError.tensorOutOfBounds(tensor: name, detail: "shape \(shape) has more elements than an Int holds")
            }
            elements = product
        }

        let begin = offsets[0], end = offsets[1]
        guard begin >= 0, begin <= end else {
            throw TextError.tensorOutOfBounds(
                tensor: name, detail: "data_offsets \(offsets) are not an ascending pair of non-negative offsets")
        }
        guard end <= dataSize else {
            throw TextError.tensorOutOfBounds(
                tensor: name,
                detail: "data_offsets \(offsets) end past the \(dataSize)-byte data section of \(path)")
        }
        if let known = SafeTensorsDType(rawValue: dtype) {
            let (bytes, overflow) = elements.multipliedReportingOverflow(by: known.byteSize)
            guard !overflow, bytes == end - begin else {
                let needed = overflow ? "more bytes than an Int holds" : "\(bytes) bytes"
                throw TextError.tensorOutOfBounds(
                    tensor: name,
                    detail: "shape \(shape) of \(dtype) needs \(needed) but data_offsets \(offsets) hold \(end - begin)")
            }
        }
        return SafeTensorInfo(name: name, dtype: dtype, shape: shape, byteRange: begin..<end)
    }
}
