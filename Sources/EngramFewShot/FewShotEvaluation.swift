import EngramKernels
import EngramSpiking

/// Mean accuracy over episodes with a 95% confidence interval.
public struct AccuracySummary: Sendable, Equatable, CustomStringConvertible {
    /// Mean of the per-episode accuracies, as a fraction.
    public let mean: Double
    /// Half-width of the 95% interval: 1.96 · s / √E with the sample standard deviation s.
    public let halfWidth95: Double
    /// The number of episodes E.
    public let episodes: Int

    /// Summarises per-episode accuracies (fractions in 0…1).
    public init(accuracies: [Double]) {
        episodes = accuracies.count
        guard !accuracies.isEmpty else {
            mean = .nan
            halfWidth95 = .nan
            return
        }
        let average = accuracies.reduce(0, +) / Double(accuracies.count)
        mean = average
        guard accuracies.count > 1 else {
            halfWidth95 = .nan
            return
        }
        let variance = accuracies.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(accuracies.count - 1)
        halfWidth95 = 1.96 * (variance / Double(accuracies.count)).squareRoot()
    }

    /// `73.4 ± 0.8` (percent).
    public var description: String {
        "\(Self.percent(mean)) ± \(Self.percent(halfWidth95))"
    }

    private static func percent(_ fraction: Double) -> String {
        let tenths = (fraction * 1000).rounded()
        return "\(Int(tenths) / 10).\(abs(Int(tenths)) % 10)"
    }
}

/// The learners an evaluation compares, in the order of the reference's table.
public enum FewShotLearner: String, Sendable, CaseIterable {
    case hebbian
    case prototypeCosine = "prototype-cosine"
    case prototypeEuclidean = "prototype-euclidean"
    case prototypeHamming = "prototype-hamming"
}

/// Evaluates every learner on the same random N-way K-shot episodes of a data set.
///
/// Each episode is drawn by an ``EpisodeSampler``; with `spikeSteps` set, every pattern is turned
/// into a Bernoulli spike train of that many steps (``RateEncoder``, rates clamped to [0, 1]) that
/// the learners average over time. The exact float64 learners are used, so the figures are those
/// of the reference's semantics; the Hebbian learner uses the reference's default rate of 0.1.
public struct FewShotEvaluation: Sendable {
    public var way: Int
    public var shot: Int
    public var queriesPerClass: Int
    public var episodes: Int
    public var spikeSteps: Int?
    public var seed: UInt64

    public init(way: Int, shot: Int, queriesPerClass: Int, episodes: Int, spikeSteps: Int? = nil, seed: UInt64 = 0) {
        self.way = way
        self.shot = shot
        self.queriesPerClass = queriesPerClass
        self.episodes = episodes
        self.spikeSteps = spikeSteps
        self.seed = seed
    }

    /// Runs the evaluation.
    /// - Returns: the accuracy of each learner.
    /// - Throws: ``FewShotError`` when the data set cannot supply such episodes, or a
    ///   `SpikingError` for a bad number of spike steps.
    public func run(on dataset: LabelledDataset) throws -> [FewShotLearner: AccuracySummary] {
        guard episodes > 0 else { throw FewShotError.nonPositiveSize(name: "episodes", value: episodes) }
        var sampler = try EpisodeSampler(dataset: dataset, way: way, shot: shot, queriesPerClass: queriesPerClass)
        let encoder = try spikeSteps.map { try RateEncoder(numSteps: $0) }
        var generator = SeededGenerator(seed: seed)
        var draw = EpisodeDraw()
        var hebbian = try HebbianFewShot(featureCount: dataset.featureCount, classCount: way)
        var nets = try [PrototypeMetric.cosine, .euclidean, .hamming].map {
            try SpikePrototypeNet(featureCount: dataset.featureCount, metric: $0)
        }
        var accuracies: [FewShotLearner: [Double]] = [:]

        func pattern(_ row: Int) throws -> SpikePattern {
            let rates = Array(dataset.example(row))
            guard let encoder else { return SpikePattern(rates: rates) }
            return SpikePattern(try encoder.encode(rates, using: &generator))
        }

        for _ in 0..<episodes {
            sampler.sample(into: &draw, using: &generator)
            let support = try draw.supportRows.map(pattern)
            let queries = try draw.queryRows.map(pattern)
            func accuracy(_ predictions: [Int]) -> Double {
                Double(zip(predictions, draw.queryLabels).filter { $0 == $1 }.count) / Double(max(queries.count, 1))
            }
            accuracies[.hebbian, default: []].append(
                accuracy(try hebbian.episode(support: support, labels: draw.supportLabels, queries: queries)))
            for (learner, index) in [(FewShotLearner.prototypeCosine, 0), (.prototypeEuclidean, 1), (.prototypeHamming, 2)] {
                accuracies[learner, default: []].append(
                    accuracy(try nets[index].classify(support: support, labels: draw.supportLabels, queries: queries)))
            }
        }
        return accuracies.mapValues(AccuracySummary.init)
    }
}
