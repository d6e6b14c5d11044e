/// One few-shot episode in the golden fixture's file format: a learner configuration, a support
/// set and queries. Expected outputs in the file are ignored.
///
/// ```json
/// {"name": "rate-0", "n_features": 8, "n_classes": 3, "lr_hebbian": 1.0,
///  "support_x": [[...], ...], "support_y": [2, 1, ...], "query_x": [[...], ...]}
/// ```
public struct FewShotCase: Sendable, Decodable {
    public var name: String
    public var featureCount: Int
    public var classCount: Int
    public var learningRate: Double
    public var support: [SpikePattern]
    public var labels: [Int]
    public var queries: [SpikePattern]

    public init(
        name: String, featureCount: Int, classCount: Int, learningRate: Double = 0.1,
        support: [SpikePattern], labels: [Int], queries: [SpikePattern]
    ) {
        self.name = name
        self.featureCount = featureCount
        self.classCount = classCount
        self.learningRate = learningRate
        self.support = support
        self.labels = labels
        self.queries = queries
    }

    enum CodingKeys: String, CodingKey {
        case name
        case featureCount = "n_features"
        case classCount = "n_classes"
        case learningRate = "lr_hebbian"
        case support = "support_x"
        case labels = "support_y"
        case queries = "query_x"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        featureCount = try Self.integer(try container.decode(Double.self, forKey: .featureCount), .featureCount, container)
        classCount = try Self.integer(try container.decode(Double.self, forKey: .classCount), .classCount, container)
        learningRate = try container.decodeIfPresent(Double.self, forKey: .learningRate) ?? 0.1
        support = try container.decode([SpikePattern].self, forKey: .support)
        var labelList = try container.nestedUnkeyedContainer(forKey: .labels)
        var labels: [Int] = []
        while !labelList.isAtEnd {
            let value = try labelList.decode(Double.self)
            guard value.rounded() == value, let label = Int(exactly: value) else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: labelList.codingPath + [AnyIndexKey(labelList.currentIndex - 1)],
                    debugDescription: "\(value) is not an integer"))
            }
            labels.append(label)
        }
        self.labels = labels
        queries = try container.decode([SpikePattern].self, forKey: .queries)
    }

    /// A coding key for an array position, to name the element in an error.
    private struct AnyIndexKey: CodingKey {
        var intValue: Int?
        var stringValue: String { "Index \(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    /// An integer field read as a number first, so that `2.5` or `1e30` is reported with its field
    /// rather than as a file-level error without a path.
    private static func integer(_ value: Double, _ key: CodingKeys, _ container: KeyedDecodingContainer<CodingKeys>) throws -> Int {
        guard value.rounded() == value, let integer = Int(exactly: value) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\(value) is not an integer")
        }
        return integer
    }
}

/// What both learners make of one ``FewShotCase``: the outputs the golden fixture records.
public struct FewShotCaseResult: Sendable, Equatable {
    public var name: String
    public var hebbianPredictions: [Int]
    public var hebbianScores: [[Double]]
    public var hebbianWeights: [[Double]]
    /// Predictions per metric.
    public var prototypePredictions: [PrototypeMetric: [Int]]
    /// The prototypes of the hamming run (the last run, as the reference's fixture records them).
    public var prototypes: [Int: [Double]]
}

extension FewShotCase {
    /// Runs the Hebbian learner and the prototype network under every metric on this case.
    /// - Throws: ``FewShotError`` when the case's configuration or input is invalid.
    public func run() throws -> FewShotCaseResult {
        var hebbian = try HebbianFewShot(featureCount: featureCount, classCount: classCount, learningRate: learningRate)
        let hebbianPredictions = try hebbian.episode(support: support, labels: labels, queries: queries)
        let hebbianScores = try queries.map { try hebbian.scores($0) }

        var predictions: [PrototypeMetric: [Int]] = [:]
        var prototypes: [Int: [Double]] = [:]
        for metric in PrototypeMetric.allCases {
            var net = try SpikePrototypeNet(featureCount: featureCount, metric: metric)
            predictions[metric] = try net.classify(support: support, labels: labels, queries: queries)
            prototypes = net.prototypes
        }
        return FewShotCaseResult(
            name: name, hebbianPredictions: hebbianPredictions, hebbianScores: hebbianScores,
            hebbianWeights: hebbian.weights, prototypePredictions: predictions, prototypes: prototypes)
    }
}
