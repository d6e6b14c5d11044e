/// The serialised form keeps the hyperplanes themselves, not only the seed.
extension RandomProjectionLSH: Codable {
    static let formatVersion = 1

    private enum CodingKeys: String, CodingKey {
        case formatVersion, inputDimension, bitCount, seed, hyperplanes
    }

    /// - Throws: ``AssociativeError/malformedData(_:)`` for an unknown version, non-positive sizes,
    ///   or hyperplanes of the wrong size or holding non-finite values.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .formatVersion)
        guard version == Self.formatVersion else {
            throw AssociativeError.malformedData("RandomProjectionLSH: unknown format version \(version)")
        }
        let inputDimension = try container.decode(Int.self, forKey: .inputDimension)
        let bitCount = try container.decode(Int.self, forKey: .bitCount)
        let seed = try container.decode(UInt64.self, forKey: .seed)
        let hyperplanes = try container.decode([Float].self, forKey: .hyperplanes)
        do {
            try Self.validate(inputDimension: inputDimension, bits: bitCount)
        } catch let error as AssociativeError {
            throw AssociativeError.malformedData("RandomProjectionLSH: \(error)")
        }
        guard hyperplanes.count == inputDimension * bitCount, hyperplanes.allSatisfy(\.isFinite) else {
            throw AssociativeError.malformedData(
                "RandomProjectionLSH: expected \(bitCount) × \(inputDimension) finite hyperplane entries, got \(hyperplanes.count)")
        }
        self.init(inputDimension: inputDimension, bitCount: bitCount, seed: seed, hyperplanes: hyperplanes)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.formatVersion, forKey: .formatVersion)
        try container.encode(inputDimension, forKey: .inputDimension)
        try container.encode(bitCount, forKey: .bitCount)
        try container.encode(seed, forKey: .seed)
        try container.encode(hyperplanes, forKey: .hyperplanes)
    }
}
