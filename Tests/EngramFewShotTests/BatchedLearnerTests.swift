import EngramKernels
import Testing
@testable import EngramFewShot

/// The batched float32 learners against the exact float64 ones on random episodes.
///
/// They must agree on every prediction except where the exact scores of the two best classes lie
/// within float32 rounding of each other; such near-ties are counted and must be rare.
@Suite("Batched learners against the exact ones")
struct BatchedLearnerTests {
    /// A data set of 8 classes with distinct random profiles plus noise, signed when asked.
    static func dataset(featureCount: Int, signed: Bool, seed: UInt64) throws -> LabelledDataset {
        var generator = SeededGenerator(seed: seed)
        var features: [Double] = []
        var labels: [Int] = []
        for label in 0..<8 {
            let profile = (0..<featureCount).map { _ in generator.nextUnitDouble() * (signed ? 2 : 1) - (signed ? 1 : 0) }
            for _ in 0..<12 {
                features += profile.map { $0 + 0.4 * (generator.nextUnitDouble() - 0.5) }
                labels.append(label)
            }
        }
        return try LabelledDataset(featureCount: featureCount, features: features, labels: labels)
    }

    /// The gap between the best and the second-best score, by the reference's rule.
    static func margin(_ scores: [Double]) -> Double {
        let sorted = scores.sorted(by: >)
        return sorted.count > 1 ? sorted[0] - sorted[1] : .infinity
    }

    @Test("same predictions as the exact learners, but for float32 near-ties",
          arguments: [(64, false, 1), (64, true, 5), (33, false, 2), (1024, false, 3)])
    func agreement(featureCount: Int, signed: Bool, shot: Int) throws {
        let data = try Self.dataset(featureCount: featureCount, signed: signed, seed: UInt64(featureCount + shot))
        var sampler = try EpisodeSampler(dataset: data, way: 5, shot: shot, queriesPerClass: 4)
        var generator = SeededGenerator(seed: 99)
        var draw = EpisodeDraw()
        var episode = Episode(featureCount: featureCount, classCount: 5, supportCount: 5 * shot, queryCount: 20)
        var predictions = [Int](repeating: 0, count: 20)
        var batchedHebbian = BatchedHebbian(featureCount: featureCount, classCount: 5, learningRate: 0.1)
        var hebbian = try HebbianFewShot(featureCount: featureCount, classCount: 5, learningRate: 0.1)
        var nearTies = 0, compared = 0

        for _ in 0..<200 {
            sampler.sample(into: &draw, using: &generator)
            episode.fill(from: draw, of: data)
            // The exact learners see the same float32-rounded values, so only arithmetic differs.
            let n = featureCount
            let support = (0..<episode.supportCount).map { i in
                SpikePattern(rates: episode.support[i * n..<(i + 1) * n].map(Double.init))
            }
            let queries = (0..<episode.queryCount).map { i in
                SpikePattern(rates: episode.queries[i * n..<(i + 1) * n].map(Double.init))
            }

            batchedHebbian.predict(episode, into: &predictions)
            let exact = try hebbian.episode(support: support, labels: draw.supportLabels, queries: queries)
            for (q, query) in queries.enumerated() {
                compared += 1
                if predictions[q] != exact[q] {
                    let margin = Self.margin(try hebbian.scores(query))
                    #expect(margin < 1e-5, "Hebbian disagrees with margin \(margin)")
                    nearTies += 1
                }
            }

            for metric in PrototypeMetric.allCases {
                var batchedNet = BatchedPrototypeNet(featureCount: featureCount, classCount: 5, metric: metric)
                var net = try SpikePrototypeNet(featureCount: featureCount, metric: metric)
                batchedNet.predict(episode, into: &predictions)
                let exactNet = try net.classify(support: support, labels: draw.supportLabels, queries: queries)
                for (q, query) in queries.enumerated() {
                    compared += 1
                    if predictions[q] != exactNet[q] {
                        let resolved = try query.resolved(featureCount: n, name: "query")
                        let scores = net.prototypes.keys.sorted().map { label in
                            net.prototypes[label].map { prototype in
                                resolved.withUnsafeBufferPointer { q in prototype.withUnsafeBufferPointer { metric.score(q, $0) } }
                            } ?? -.infinity
                        }
                        let margin = Self.margin(scores)
                        #expect(metric != .hamming && margin < 1e-4, "\(metric) disagrees with margin \(margin)")
                        nearTies += 1
                    }
                }
            }
        }
        #expect(nearTies * 1000 <= compared, "\(nearTies) disagreements in \(compared) predictions")
    }

    @Test("degenerate episodes follow the reference: zero memory, zero queries, classes without support")
    func degenerate() throws {
        var episode = Episode(featureCount: 4, classCount: 3, supportCount: 2, queryCount: 3)
        episode.support = [0, 0, 0, 0, 1, 1, 0, 0]
        episode.supportLabels = [0, 2]
        episode.queries = [0, 0, 0, 0, 1, 0, 0, 0, -1, -1, 0, 0]
        var predictions = [0, 0, 0]

        var hebbian = BatchedHebbian(featureCount: 4, classCount: 3)
        hebbian.predict(episode, into: &predictions)
        var exact = try HebbianFewShot(featureCount: 4, classCount: 3)
        let rows = (0..<3).map { SpikePattern(rates: episode.queries[$0 * 4..<($0 + 1) * 4].map(Double.init)) }
        let support = (0..<2).map { SpikePattern(rates: episode.support[$0 * 4..<($0 + 1) * 4].map(Double.init)) }
        // A negative cosine loses to the 0 of a class without support, as in the reference.
        #expect(predictions == (try exact.episode(support: support, labels: [0, 2], queries: rows)))
        #expect(predictions == [0, 2, 0])

        for metric in PrototypeMetric.allCases {
            var batched = BatchedPrototypeNet(featureCount: 4, classCount: 3, metric: metric)
            var net = try SpikePrototypeNet(featureCount: 4, metric: metric)
            batched.predict(episode, into: &predictions)
            #expect(predictions == (try net.classify(support: support, labels: [0, 2], queries: rows)), "\(metric)")
        }
    }
}
