/// A pattern is written as a nested array of numbers: `[0.1, 0.5]` for rates, `[[0, 1], [1, 1]]`
/// for a spike train. Decoding accepts any depth (so a wrong rank reaches the learner's own error)
/// but rejects ragged arrays and non-numbers with the coding path of the offending element.
extension SpikePattern: Codable {
    public init(from decoder: any Decoder) throws {
        var shape: [Int] = []
        var values: [Double] = []
        try Self.decodeLevel(from: decoder, depth: 0, shape: &shape, values: &values)
        self.init(shape: shape, values: values)
    }

    /// Decodes one nesting level, fixing the extent of each dimension the first time it is seen and
    /// requiring every later array at that depth to match it.
    private static func decodeLevel(from decoder: any Decoder, depth: Int, shape: inout [Int], values: inout [Double]) throws {
        if let single = try? decoder.singleValueContainer(), let number = try? single.decode(Double.self) {
            guard depth == shape.count else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath,
                    debugDescription: "expected an array at depth \(depth) (the first element has \(shape.count) levels), found a number"))
            }
            values.append(number)
            return
        }
        var container: any UnkeyedDecodingContainer
        do {
            container = try decoder.unkeyedContainer()
        } catch {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "expected a number or an array of numbers"))
        }
        let count = container.count ?? 0
        if depth == shape.count {
            if !values.isEmpty {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath,
                    debugDescription: "expected a number at depth \(depth), found an array (ragged nesting)"))
            }
            shape.append(count)
        } else if shape[depth] != count {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "ragged array: \(count) elements where earlier rows at this depth have \(shape[depth])"))
        }
        while !container.isAtEnd {
            let element = try container.superDecoder()
            try decodeLevel(from: element, depth: depth + 1, shape: &shape, values: &values)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch shape.count {
        case 0: try container.encode(values.first ?? 0)
        case 1: try container.encode(values)
        default:
            let inner = shape.dropFirst().reduce(1, *)
            let rows = (0..<shape[0]).map { row in
                SpikePattern(shape: Array(shape.dropFirst()), values: Array(values[row * inner..<(row + 1) * inner]))
            }
            try container.encode(rows)
        }
    }
}
