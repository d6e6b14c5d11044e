/// Why a few-shot learner rejected its configuration or input.
///
/// Each description starts with the message of the documented reference (sc_neurocore
/// `few_shot.haam`) word for word, followed by the context that makes it actionable.
public enum FewShotError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A size such as `n_features` or `n_classes` was zero or negative.
    case nonPositiveSize(name: String, value: Int)
    /// The Hebbian learning rate was negative, infinite or NaN.
    case invalidLearningRate(Double)
    /// A Hebbian label outside `0..<classCount`.
    case labelOutOfRange(label: Int, classCount: Int)
    /// A pattern that is neither a rate vector `(n)` nor a spike train `(T, n)`.
    case wrongShape(name: String, shape: [Int], featureCount: Int)
    /// A pattern that resolves to a vector of the wrong length.
    case wrongFeatureCount(name: String, resolved: Int, featureCount: Int)
    /// A pattern whose resolved vector holds NaN or an infinity (`feature` is the first such index).
    case nonFinite(name: String, feature: Int, value: Double)
    /// A Hebbian query before any support example was stored.
    case queryBeforeStore
    /// Support patterns and labels of different lengths.
    case lengthMismatch(patterns: Int, labels: Int)
    /// A prototype episode with no support patterns.
    case emptySupport
    /// A prototype metric other than cosine, euclidean or hamming.
    case unknownMetric(String)
    /// A nested array whose rows differ in length, so it has no shape.
    case raggedPattern(name: String, detail: String)
    /// An episode sampler asked for more classes than have enough examples.
    case notEnoughClasses(way: Int, eligible: Int, examplesNeeded: Int)

    public var description: String {
        switch self {
        case let .nonPositiveSize(name, value):
            "\(name) must be a positive integer (got \(value))"
        case let .invalidLearningRate(rate):
            "lr_hebbian must be finite and non-negative (got \(rate))"
        case let .labelOutOfRange(label, classCount):
            "label must be an integer in [0, \(classCount)) (got \(label))"
        case let .wrongShape(name, shape, featureCount):
            "\(name) must have shape (\(featureCount),) or (T, \(featureCount)) (got shape \(Self.format(shape)))"
        case let .wrongFeatureCount(name, resolved, featureCount):
            "\(name) must resolve to \(featureCount) features (got \(resolved))"
        case let .nonFinite(name, feature, value):
            "\(name) must contain only finite values (feature \(feature) is \(value))"
        case .queryBeforeStore:
            "at least one support example must be stored before query"
        case let .lengthMismatch(patterns, labels):
            "support_x and support_y must have the same length (got \(patterns) patterns and \(labels) labels)"
        case .emptySupport:
            "support_x must contain at least one support pattern"
        case let .unknownMetric(metric):
            "metric must be one of: cosine, euclidean, hamming (got \"\(metric)\")"
        case let .raggedPattern(name, detail):
            "\(name) must be a rectangular array (\(detail))"
        case let .notEnoughClasses(way, eligible, examplesNeeded):
            "a \(way)-way episode needs \(way) classes with at least \(examplesNeeded) examples each; the data set has \(eligible)"
        }
    }

    /// NumPy's shape notation: `(4,)`, `(3, 4)`.
    private static func format(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
