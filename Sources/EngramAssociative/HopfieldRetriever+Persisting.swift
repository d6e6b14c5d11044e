/// An `.int8` retriever's state as plain arrays, so that a caller can persist it and restore it
/// without re-quantising every pattern (the memory store keeps its scope indexes this way).
extension HopfieldRetriever {
    /// The stored patterns of an `.int8` retriever, in row order.
    public struct Codes: Sendable, Equatable {
        /// The key of each row.
        public var keys: [Int]
        /// `keys.count × stride` biased bytes (`stride` = the dimension rounded up to 16).
        public var bytes: [UInt8]
        /// The scale `sᵢ` of each row's code.
        public var scales: [Float]
        /// The bound on each row's code error `‖xᵢ − sᵢ·aᵢ‖`.
        public var errors: [Float]

        public init(keys: [Int], bytes: [UInt8], scales: [Float], errors: [Float]) {
            self.keys = keys
            self.bytes = bytes
            self.scales = scales
            self.errors = errors
        }
    }

    /// The stored codes; empty for a `.float32` retriever (whose float rows are the patterns).
    public var storedCodes: Codes {
        precision == .int8 ? Codes(keys: rowKeys, bytes: codes, scales: codeScales, errors: codeErrors)
            : Codes(keys: [], bytes: [], scales: [], errors: [])
    }

    /// An `.int8` retriever holding `codes`, as ``storedCodes`` returned them.
    /// - Throws: ``AssociativeError/invalidParameter(name:requirement:)`` when the arrays' lengths
    ///   disagree with each other or with the dimension, a scale or error bound is negative or not
    ///   finite, or a padding byte is not the code of 0; ``AssociativeError/duplicateKey(_:)``;
    ///   and the errors of ``init(dimension:beta:steps:candidates:precision:)``.
    public init(dimension: Int, beta: Float = 20, steps: Int = 1, candidates: Int? = 20, codes: Codes) throws {
        try self.init(dimension: dimension, beta: beta, steps: steps, candidates: candidates, precision: .int8)
        let n = codes.keys.count, stride = codeStride
        guard codes.bytes.count == n * stride, codes.scales.count == n, codes.errors.count == n else {
            throw AssociativeError.invalidParameter(
                name: "codes", requirement: "must hold \(stride) bytes, a scale and an error per key; got \(codes.bytes.count) bytes, "
                    + "\(codes.scales.count) scales, \(codes.errors.count) errors for \(n) keys")
        }
        guard codes.scales.allSatisfy({ $0.isFinite && $0 >= 0 }), codes.errors.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw AssociativeError.invalidParameter(name: "codes", requirement: "scales and errors must be finite and non-negative")
        }
        if stride > dimension {
            let bias = UInt8(Self.codeBias)
            for row in 0..<n where codes.bytes[row * stride + dimension ..< (row + 1) * stride].contains(where: { $0 != bias }) {
                throw AssociativeError.invalidParameter(name: "codes", requirement: "row \(row)'s padding must code 0")
            }
        }
        var rowOfKey = [Int: Int](minimumCapacity: n)
        for (row, key) in codes.keys.enumerated() {
            guard rowOfKey.updateValue(row, forKey: key) == nil else { throw AssociativeError.duplicateKey(key) }
        }
        self.rowKeys = codes.keys
        self.rowOfKey = rowOfKey
        self.codes = codes.bytes
        self.codeScales = codes.scales
        self.codeErrors = codes.errors
        self.largestCodeError = codes.errors.max() ?? 0
    }
}
