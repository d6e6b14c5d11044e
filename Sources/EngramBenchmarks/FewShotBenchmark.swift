import EngramFewShot
import EngramKernels

/// `engram bench fewshot`: Hebbian episodes and prototype classifications per second, single
/// thread, for the exact float64 learners and the batched float32 ones.
///
/// One Hebbian episode is one reset-store-query call (``HebbianFewShot/episode(support:labels:queries:)``);
/// one prototype classification is one ``SpikePrototypeNet/classify(support:labels:queries:)`` call
/// (cosine) with all of the episode's queries, the units of the reference's own benchmark.
/// `Benchmarks/peers/fewshot_reference.py` builds the same configurations for the NumPy peer.
public enum FewShotBenchmark {
    /// One benchmark configuration: an N-way K-shot episode with random uniform [0, 1) rates.
    public struct Configuration: Sendable {
        public var name: String
        public var way: Int
        public var shot: Int
        public var featureCount: Int
        /// Queries in total (not per class).
        public var queryCount: Int
        /// With a value, every pattern is a Bernoulli spike train of that many steps.
        public var spikeSteps: Int?

        /// The reference's own configuration: 5-way 1-shot, 64 features, 10 queries.
        public static let reference = Configuration(name: "reference", way: 5, shot: 1, featureCount: 64, queryCount: 10)
        /// A larger episode: 20-way 5-shot, 1,024 features, 20 queries.
        public static let large = Configuration(name: "large", way: 20, shot: 5, featureCount: 1024, queryCount: 20)
        /// The reference configuration with spike trains of 100 steps.
        public static let spikes = Configuration(name: "spikes", way: 5, shot: 1, featureCount: 64, queryCount: 10, spikeSteps: 100)
        public static let all = [reference, large, spikes]

        var supportCount: Int { way * shot }
    }

    /// Calls per second of each path on one configuration.
    public struct Result: Sendable {
        public var configuration: Configuration
        public var exactHebbian: Throughput
        public var exactPrototype: Throughput
        public var batchedHebbian: Throughput
        public var batchedPrototype: Throughput
    }

    /// Measures every path on `configuration`.
    public static func run(_ configuration: Configuration, seed: UInt64 = 0, targetSeconds: Double = 0.2) throws -> Result {
        let data = EpisodeData(configuration, seed: seed)

        var hebbian = try HebbianFewShot(featureCount: configuration.featureCount, classCount: configuration.way)
        let exactHebbian = Throughput.measure(targetSeconds: targetSeconds) {
            (try? hebbian.episode(support: data.support, labels: data.labels, queries: data.queries))?.first ?? -1
        }
        var net = try SpikePrototypeNet(featureCount: configuration.featureCount, metric: .cosine)
        let exactPrototype = Throughput.measure(targetSeconds: targetSeconds) {
            (try? net.classify(support: data.support, labels: data.labels, queries: data.queries))?.first ?? -1
        }

        var episode = Episode(
            featureCount: configuration.featureCount, classCount: configuration.way,
            supportCount: configuration.supportCount, queryCount: configuration.queryCount)
        var predictions = [Int](repeating: 0, count: configuration.queryCount)
        data.loadRates(into: &episode)
        var batchedHebbian = BatchedHebbian(featureCount: configuration.featureCount, classCount: configuration.way)
        let hebbianRate = Throughput.measure(targetSeconds: targetSeconds) {
            data.averageSpikes(into: &episode)
            batchedHebbian.predict(episode, into: &predictions)
            return predictions[0]
        }
        var batchedNet = BatchedPrototypeNet(featureCount: configuration.featureCount, classCount: configuration.way)
        let prototypeRate = Throughput.measure(targetSeconds: targetSeconds) {
            data.averageSpikes(into: &episode)
            batchedNet.predict(episode, into: &predictions)
            return predictions[0]
        }
        return Result(
            configuration: configuration, exactHebbian: exactHebbian, exactPrototype: exactPrototype,
            batchedHebbian: hebbianRate, batchedPrototype: prototypeRate)
    }
}

/// The episode a configuration times, in both the exact learners' and the batched learners' form.
private struct EpisodeData {
    let configuration: FewShotBenchmark.Configuration
    let support: [SpikePattern]
    let labels: [Int]
    let queries: [SpikePattern]

    init(_ configuration: FewShotBenchmark.Configuration, seed: UInt64) {
        self.configuration = configuration
        var generator = SeededGenerator(seed: seed)
        func pattern() -> SpikePattern {
            let rates = (0..<configuration.featureCount).map { _ in generator.nextUnitDouble() }
            guard let steps = configuration.spikeSteps else { return SpikePattern(rates: rates) }
            let spikes = (0..<steps * configuration.featureCount).map { index in
                generator.nextUnitDouble() < rates[index % configuration.featureCount] ? 1.0 : 0.0
            }
            return SpikePattern(shape: [steps, configuration.featureCount], values: spikes)
        }
        support = (0..<configuration.supportCount).map { _ in pattern() }
        labels = (0..<configuration.supportCount).map { $0 / configuration.shot }
        queries = (0..<configuration.queryCount).map { _ in pattern() }
        spikeValues = (support + queries).map { $0.values.map(Float.init) }
    }

    /// Float32 copies of every pattern's values, support first, for the batched path.
    private let spikeValues: [[Float]]

    /// Writes the labels, and rate vectors when the configuration has no spike trains, into the
    /// batched learners' buffers (once, before timing).
    func loadRates(into episode: inout Episode) {
        episode.supportLabels = labels
        guard configuration.spikeSteps == nil else { return }
        episode.support = spikeValues[..<support.count].flatMap { $0 }
        episode.queries = spikeValues[support.count...].flatMap { $0 }
    }

    /// Averages every spike train over time into the episode's rows: part of each timed episode,
    /// as the reference averages trains on every call. Does nothing for rate-vector configurations.
    func averageSpikes(into episode: inout Episode) {
        let n = configuration.featureCount
        guard let steps = configuration.spikeSteps else { return }
        let stepCount = Float(steps)
        for (index, train) in spikeValues.enumerated() {
            let isSupport = index < support.count
            let row = isSupport ? index : index - support.count
            train.withUnsafeBufferPointer { train in
                func average(_ out: UnsafeMutableBufferPointer<Float>) {
                    let target = UnsafeMutableBufferPointer(rebasing: out[row * n..<(row + 1) * n])
                    target.update(repeating: 0)
                    for t in 0..<steps {
                        Kernels.axpy(1, UnsafeBufferPointer(rebasing: train[t * n..<(t + 1) * n]), target)
                    }
                    for f in target.indices { target[f] /= stepCount }
                }
                if isSupport {
                    episode.support.withUnsafeMutableBufferPointer { average($0) }
                } else {
                    episode.queries.withUnsafeMutableBufferPointer { average($0) }
                }
            }
        }
    }
}
