import EngramKernels
import Testing
@testable import EngramFewShot

@Suite("Episode sampler and evaluation")
struct EpisodeSamplerTests {
    /// 6 classes with 10, 10, 10, 10, 10 and 3 examples; each feature holds its example's index.
    static func dataset() throws -> LabelledDataset {
        let labels = (0..<5).flatMap { Array(repeating: $0, count: 10) } + [7, 7, 7]
        return try LabelledDataset(featureCount: 2, features: labels.indices.flatMap { [Double($0), Double($0)] }, labels: labels)
    }

    @Test("an N-way K-shot Q-query draw has distinct classes and disjoint, correctly labelled examples")
    func drawShape() throws {
        let data = try Self.dataset()
        var sampler = try EpisodeSampler(dataset: data, way: 3, shot: 2, queriesPerClass: 4)
        var generator = SeededGenerator(seed: 1)
        var draw = EpisodeDraw()
        for _ in 0..<100 {
            sampler.sample(into: &draw, using: &generator)
            #expect(Set(draw.classes).count == 3)
            #expect(!draw.classes.contains(7), "class 7 has too few examples for 2 + 4")
            #expect(draw.supportRows.count == 6 && draw.queryRows.count == 12)
            #expect(Set(draw.supportRows + draw.queryRows).count == 18)
            for (row, label) in zip(draw.supportRows + draw.queryRows, draw.supportLabels + draw.queryLabels) {
                #expect(data.labels[row] == draw.classes[label])
            }
        }
    }

    @Test("draws are reproducible from the seed and cover every eligible class")
    func reproducible() throws {
        let data = try Self.dataset()
        func draws(seed: UInt64) throws -> [EpisodeDraw] {
            var sampler = try EpisodeSampler(dataset: data, way: 2, shot: 1, queriesPerClass: 1)
            var generator = SeededGenerator(seed: seed)
            return (0..<50).map { _ in
                var draw = EpisodeDraw()
                sampler.sample(into: &draw, using: &generator)
                return draw
            }
        }
        #expect(try draws(seed: 5) == draws(seed: 5))
        #expect(try draws(seed: 5) != draws(seed: 6))
        #expect(Set(try draws(seed: 5).flatMap(\.classes)) == [0, 1, 2, 3, 4, 7])
    }

    @Test("a sampler that cannot be satisfied is rejected")
    func rejected() throws {
        let data = try Self.dataset()
        #expect(throws: FewShotError.notEnoughClasses(way: 6, eligible: 5, examplesNeeded: 5)) {
            try EpisodeSampler(dataset: data, way: 6, shot: 1, queriesPerClass: 4)
        }
        #expect(throws: FewShotError.self) { try EpisodeSampler(dataset: data, way: 0, shot: 1, queriesPerClass: 1) }
        #expect(throws: FewShotError.self) {
            try LabelledDataset(featureCount: 2, features: [1, .nan], labels: [0])
        }
    }

    @Test("accuracy summary: mean and 1.96 standard errors")
    func summary() {
        let summary = AccuracySummary(accuracies: [0.5, 0.7, 0.9, 0.7])
        #expect(abs(summary.mean - 0.7) < 1e-12)
        // Sample standard deviation √(0.08 / 3); standard error over 4 episodes.
        #expect(abs(summary.halfWidth95 - 1.96 * (0.08 / 3).squareRoot() / 2) < 1e-12)
        #expect(summary.description == "70.0 ± 16.0")
    }

    @Test("evaluation separates well-separated classes and is reproducible")
    func evaluation() throws {
        // Four classes, each firing on its own quarter of the neurons and silent elsewhere (so that
        // even the sign-based Hamming metric separates them): every learner should be near perfect.
        var features: [Double] = []
        var labels: [Int] = []
        var generator = SeededGenerator(seed: 3)
        for label in 0..<4 {
            for _ in 0..<20 {
                features += (0..<16).map { $0 / 4 == label ? 0.85 + 0.1 * generator.nextUnitDouble() : 0 }
                labels.append(label)
            }
        }
        let data = try LabelledDataset(featureCount: 16, features: features, labels: labels)
        let evaluation = FewShotEvaluation(way: 4, shot: 1, queriesPerClass: 5, episodes: 30, spikeSteps: 50, seed: 9)
        let first = try evaluation.run(on: data)
        #expect(first == (try evaluation.run(on: data)))
        for learner in FewShotLearner.allCases {
            let accuracy = try #require(first[learner]).mean
            #expect(accuracy > 0.95, "\(learner): \(accuracy)")
        }
    }
}
