/// A labelled data set of feature vectors to draw few-shot episodes from.
public struct LabelledDataset: Sendable {
    /// Features per example.
    public let featureCount: Int
    /// Row-major `count × featureCount` features.
    public let features: [Double]
    /// The class of each example.
    public let labels: [Int]
    /// The distinct classes, ascending.
    public let classes: [Int]
    /// The example indices of each class, in ``classes`` order.
    let examplesByClass: [[Int]]

    /// - Throws: ``FewShotError`` for a non-positive feature count, a feature array that does not
    ///   match the labels, or a non-finite feature.
    public init(featureCount: Int, features: [Double], labels: [Int]) throws {
        guard featureCount > 0 else { throw FewShotError.nonPositiveSize(name: "n_features", value: featureCount) }
        guard features.count == labels.count * featureCount else {
            throw FewShotError.wrongFeatureCount(
                name: "data set", resolved: features.count, featureCount: labels.count * featureCount)
        }
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            throw FewShotError.nonFinite(name: "data set example \(bad / featureCount)", feature: bad % featureCount, value: features[bad])
        }
        self.featureCount = featureCount
        self.features = features
        self.labels = labels
        let grouped = Dictionary(grouping: labels.indices, by: { labels[$0] })
        classes = grouped.keys.sorted()
        examplesByClass = classes.map { grouped[$0] ?? [] }
    }

    /// The number of examples.
    public var count: Int { labels.count }

    /// The features of example `index`.
    public func example(_ index: Int) -> ArraySlice<Double> {
        features[index * featureCount..<(index + 1) * featureCount]
    }

    /// A copy with every feature multiplied by `factor` (e.g. pixels 0…16 to rates with 1/16).
    public func scaled(by factor: Double) throws -> LabelledDataset {
        try LabelledDataset(featureCount: featureCount, features: features.map { $0 * factor }, labels: labels)
    }
}
