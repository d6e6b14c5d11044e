/// The serialised form holds the learned weights and the training-run count, so a decoded BioHash
/// codes identically and a further `train` call continues the same seeded sequence.
extension BioHash: Codable {
    static let formatVersion = 1

    private enum CodingKeys: String, CodingKey {
        case formatVersion, inputDimension, units, activeUnits, seed, trainingRuns, epochsTrained, weights
    }

    /// - Throws: ``AssociativeError/malformedData(_:)`` for an unknown version, parameters out of
    ///   range, or weights of the wrong size or holding non-finite values.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .formatVersion)
        guard version == Self.formatVersion else {
            throw AssociativeError.malformedData("BioHash: unknown format version \(version)")
        }
        let inputDimension = try container.decode(Int.self, forKey: .inputDimension)
        let units = try container.decode(Int.self, forKey: .units)
        let activeUnits = try container.decode(Int.self, forKey: .activeUnits)
        let seed = try container.decode(UInt64.self, forKey: .seed)
        let trainingRuns = try container.decode(Int.self, forKey: .trainingRuns)
        let epochsTrained = try container.decode(Int.self, forKey: .epochsTrained)
        let weights = try container.decode([Float].self, forKey: .weights)
        do {
            try Self.validate(inputDimension: inputDimension, units: units, activeUnits: activeUnits)
        } catch let error as AssociativeError {
            throw AssociativeError.malformedData("BioHash: \(error)")
        }
        guard trainingRuns >= 0 && epochsTrained >= 0 else {
            throw AssociativeError.malformedData("BioHash: negative training counts")
        }
        guard weights.count == units * inputDimension, weights.allSatisfy(\.isFinite) else {
            throw AssociativeError.malformedData(
                "BioHash: expected \(units) × \(inputDimension) finite weights, got \(weights.count)")
        }
        self.init(inputDimension: inputDimension, units: units, activeUnits: activeUnits, seed: seed,
                  weights: weights, trainingRuns: trainingRuns, epochsTrained: epochsTrained)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.formatVersion, forKey: .formatVersion)
        try container.encode(inputDimension, forKey: .inputDimension)
        try container.encode(units, forKey: .units)
        try container.encode(activeUnits, forKey: .activeUnits)
        try container.encode(seed, forKey: .seed)
        try container.encode(trainingRuns, forKey: .trainingRuns)
        try container.encode(epochsTrained, forKey: .epochsTrained)
        try container.encode(weights, forKey: .weights)
    }
}
