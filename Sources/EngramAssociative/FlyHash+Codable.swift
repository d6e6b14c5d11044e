/// The serialised form keeps the connections themselves, not only the seed, so a stored hash keeps
/// giving the codes already written to a database whatever later versions do to the drawing.
extension FlyHash: Codable {
    static let formatVersion = 1

    private enum CodingKeys: String, CodingKey {
        case formatVersion, inputDimension, units, activeUnits, samplingFraction, samplesPerUnit, seed, connections
    }

    /// Decodes a fly hash and checks it.
    /// - Throws: ``AssociativeError/malformedData(_:)`` for an unknown format version, parameters out
    ///   of range, or connection rows of the wrong length, unsorted, repeated or out of range.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .formatVersion)
        guard version == Self.formatVersion else {
            throw AssociativeError.malformedData("FlyHash: unknown format version \(version)")
        }
        let inputDimension = try container.decode(Int.self, forKey: .inputDimension)
        let units = try container.decode(Int.self, forKey: .units)
        let activeUnits = try container.decode(Int.self, forKey: .activeUnits)
        let samplingFraction = try container.decode(Double.self, forKey: .samplingFraction)
        let samplesPerUnit = try container.decode(Int.self, forKey: .samplesPerUnit)
        let seed = try container.decode(UInt64.self, forKey: .seed)
        let connections = try container.decode([Int32].self, forKey: .connections)
        do {
            try Self.validate(inputDimension: inputDimension, units: units, activeUnits: activeUnits,
                              samplingFraction: samplingFraction)
        } catch let error as AssociativeError {
            throw AssociativeError.malformedData("FlyHash: \(error)")
        }
        guard samplesPerUnit >= 1 && samplesPerUnit <= inputDimension else {
            throw AssociativeError.malformedData("FlyHash: samplesPerUnit \(samplesPerUnit) outside 1...\(inputDimension)")
        }
        let expected = units.multipliedReportingOverflow(by: samplesPerUnit)
        guard !expected.overflow && connections.count == expected.partialValue else {
            throw AssociativeError.malformedData(
                "FlyHash: \(connections.count) connections for \(units) units × \(samplesPerUnit) samples")
        }
        for unit in 0..<units {
            var previous: Int32 = -1
            for index in connections[unit * samplesPerUnit..<(unit + 1) * samplesPerUnit] {
                guard index > previous && Int(index) < inputDimension else {
                    throw AssociativeError.malformedData(
                        "FlyHash: unit \(unit)'s inputs must be ascending, distinct and below \(inputDimension)")
                }
                previous = index
            }
        }
        self.init(inputDimension: inputDimension, units: units, activeUnits: activeUnits,
                  samplingFraction: samplingFraction, samplesPerUnit: samplesPerUnit, seed: seed,
                  connections: Self.padded(connections, units: units, samples: samplesPerUnit,
                                           inputDimension: inputDimension))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.formatVersion, forKey: .formatVersion)
        try container.encode(inputDimension, forKey: .inputDimension)
        try container.encode(units, forKey: .units)
        try container.encode(activeUnits, forKey: .activeUnits)
        try container.encode(samplingFraction, forKey: .samplingFraction)
        try container.encode(samplesPerUnit, forKey: .samplesPerUnit)
        try container.encode(seed, forKey: .seed)
        // The rows without their padding: `units × samplesPerUnit` indices.
        let stride = rowStride
        var rows = [Int32]()
        rows.reserveCapacity(units * samplesPerUnit)
        for unit in 0..<units { rows.append(contentsOf: connections[unit * stride..<unit * stride + samplesPerUnit]) }
        try container.encode(rows, forKey: .connections)
    }
}
