import EngramFewShot
import EngramKernels
import EngramSpiking
import Foundation

/// `engram bench stdp-features`: do features learnt without labels by competitive STDP (Diehl &
/// Cook 2015) on base classes help few-shot learning of novel classes?
///
/// A ``CompetitiveLayer`` learns from every example of the base classes (shuffled, `epochs`
/// passes, no labels). Each example of the novel classes is then shown to the layer without
/// learning and described by its spike counts. The few-shot learners run N-way K-shot episodes on
/// the novel classes twice, on those features and on the raw rates, with the same sampler seed,
/// hence the same episodes (the two data sets have the same rows and labels).
public enum STDPFeaturesExperiment {
    public struct Settings: Sendable {
        public var layer = CompetitiveLayer.Configuration()
        public var epochs = 1
        public var baseClasses: Set<Int> = [0, 1, 2, 3, 4]
        public var way = 5
        public var shots = [1, 5]
        public var queriesPerClass = 15
        public var episodes = 600
        public var seed: UInt64 = 0
        public init() {}
    }

    public struct Result: Sendable {
        /// Accuracy on the spike-count features, per shot.
        public var features: [Int: [FewShotLearner: AccuracySummary]]
        /// Accuracy on the raw rates, per shot, on the same episodes.
        public var pixels: [Int: [FewShotLearner: AccuracySummary]]
        public var trainingExamples: Int
        public var novelExamples: Int
        public var trainingSeconds: Double
        /// Mean spikes of the layer per training presentation.
        public var meanTrainingSpikes: Double
        /// Layer neurons that fired for at least one novel example.
        public var neuronsResponding: Int
    }

    /// Runs the experiment on `dataset` (rates in [0, 1], e.g. pixels / 16).
    ///
    /// - Throws: `SpikingError` for a bad layer configuration, a feature count that differs from
    ///   the layer's inputs or base classes the data set lacks; `FewShotError` when the novel
    ///   classes cannot fill the episodes.
    public static func run(_ dataset: LabelledDataset, _ settings: Settings, progress: (String) -> Void = { _ in }) throws -> Result {
        var configuration = settings.layer
        configuration.inputs = dataset.featureCount
        var layer = try CompetitiveLayer(configuration, seed: settings.seed)
        var generator = SeededGenerator(seed: settings.seed &+ 1)
        let base = (0..<dataset.count).filter { settings.baseClasses.contains(dataset.labels[$0]) }
        let novel = (0..<dataset.count).filter { !settings.baseClasses.contains(dataset.labels[$0]) }
        let classes = Set(dataset.labels)
        guard !settings.baseClasses.isEmpty, settings.baseClasses.isSubset(of: classes) else {
            throw SpikingError.invalidParameter(
                name: "baseClasses",
                requirement: "must be classes of the data set (its labels are \(classes.sorted())), got \(settings.baseClasses.sorted())")
        }
        let clock = ContinuousClock()
        let start = clock.now
        var spikes = 0.0
        for epoch in 0..<max(1, settings.epochs) {
            progress("training epoch \(epoch + 1) on \(base.count) examples…")
            var order = base
            order.shuffle(using: &generator)
            for row in order { spikes += try layer.train(on: Array(dataset.example(row)), using: &generator).reduce(0, +) }
        }
        let trainingSeconds = (clock.now - start).seconds
        progress("describing \(novel.count) novel examples…")
        var features: [Double] = [], pixels: [Double] = [], labels: [Int] = []
        var responding = Set<Int>()
        for row in novel {
            let counts = try layer.response(to: Array(dataset.example(row)), using: &generator)
            for (j, count) in counts.enumerated() where count > 0 { responding.insert(j) }
            features += counts
            pixels += dataset.example(row)
            labels.append(dataset.labels[row])
        }
        let featureSet = try LabelledDataset(featureCount: configuration.neurons, features: features, labels: labels)
        let pixelSet = try LabelledDataset(featureCount: dataset.featureCount, features: pixels, labels: labels)
        var result = Result(
            features: [:], pixels: [:], trainingExamples: base.count * max(1, settings.epochs), novelExamples: novel.count,
            trainingSeconds: trainingSeconds, meanTrainingSpikes: spikes / Double(max(1, base.count * max(1, settings.epochs))),
            neuronsResponding: responding.count)
        for shot in settings.shots {
            progress("\(settings.way)-way \(shot)-shot episodes…")
            let evaluation = FewShotEvaluation(
                way: settings.way, shot: shot, queriesPerClass: settings.queriesPerClass, episodes: settings.episodes, seed: settings.seed)
            result.features[shot] = try evaluation.run(on: featureSet)
            result.pixels[shot] = try evaluation.run(on: pixelSet)
        }
        return result
    }
}
