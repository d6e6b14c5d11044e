import ArgumentParser
import EngramBenchmarks
import EngramData
import EngramFewShot
import Foundation

/// `engram bench stdp-features`: few-shot accuracy on novel digits with features learnt by
/// competitive STDP on the base digits, against raw pixels on the same episodes.
struct BenchSTDPFeatures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stdp-features",
        abstract: "Unsupervised competitive STDP features (Diehl & Cook) for few-shot learning of novel classes, against raw pixels.",
        discussion: """
            A CompetitiveLayer (homeostatic LIF neurons, lateral inhibition, multiplicative pair \
            STDP, weight normalisation) learns from the base classes of --data (--base, 0-4 by \
            default) without labels; the other (novel) classes are then described by the layer's \
            spike counts, and the few-shot \
            learners run 5-way 1-shot and 5-shot episodes on those features and on the raw pixels \
            (same episodes). Mean accuracy ± 95% interval.
            """
    )

    @Option(help: "A labelled CSV or CSV.gz of 0-16 pixels (scaled by 1/16).") var data = "../shared/data/digits/digits.csv.gz"
    @Option(help: "Neurons of the competitive layer.") var neurons = 100
    @Option(help: "Passes over the base classes.") var epochs = 1
    @Option(help: "Episodes per shot.") var episodes = 600
    @Option(help: "Seed of the layer, the input spikes and the episodes.") var seed: UInt64 = 0
    @Option(help: "The base classes the layer learns from (comma-separated); the others are the novel ones.") var base = "0,1,2,3,4"
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        guard neurons > 0, epochs > 0, episodes > 0 else { throw ValidationError("--neurons, --epochs and --episodes must be positive") }
        guard baseClasses.count == base.split(separator: ",", omittingEmptySubsequences: false).count, !baseClasses.isEmpty else {
            throw ValidationError("--base must list class labels separated by commas, got \"\(base)\"")
        }
    }

    /// The labels of `--base`; fewer than its items when one is not an integer.
    private var baseClasses: [Int] {
        base.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    func run() throws {
        var settings = STDPFeaturesExperiment.Settings()
        settings.layer.neurons = neurons
        settings.epochs = epochs
        settings.episodes = episodes
        settings.seed = seed
        settings.baseClasses = Set(baseClasses)
        let result: STDPFeaturesExperiment.Result
        do {
            let dataset = try LabelledCSV.load(path: data, scale: 1.0 / 16)
            result = try STDPFeaturesExperiment.run(dataset, settings) { message in
                if !json { FileHandle.standardError.write(Data("\(message)\n".utf8)) }
            }
        } catch {
            throw CommandFailure("\(error)")
        }
        let learners = FewShotLearner.allCases
        if json {
            func summaries(_ table: [Int: [FewShotLearner: AccuracySummary]]) -> [String: Any] {
                Dictionary(uniqueKeysWithValues: table.map { shot, byLearner in
                    ("\(shot)-shot", Dictionary(uniqueKeysWithValues: byLearner.map {
                        ($0.key.rawValue, ["mean": $0.value.mean, "half_width_95": $0.value.halfWidth95, "episodes": $0.value.episodes])
                    }))
                })
            }
            printJSON([
                "features": summaries(result.features), "pixels": summaries(result.pixels),
                "neurons": neurons, "epochs": epochs, "training_examples": result.trainingExamples,
                "novel_examples": result.novelExamples, "training_seconds": result.trainingSeconds,
                "mean_training_spikes": result.meanTrainingSpikes, "neurons_responding": result.neuronsResponding,
            ])
            return
        }
        var rows: [[String]] = []
        for shot in settings.shots {
            for (name, table) in [("STDP features", result.features), ("raw pixels", result.pixels)] {
                rows.append(["5-way \(shot)-shot", name] + learners.map { table[shot]?[$0]?.description ?? "-" })
            }
        }
        printTable(header: ["episode", "input"] + learners.map(\.rawValue), rows: rows)
        print(String(format: "trained on %d examples in %.1f s (%.1f spikes per presentation); %d of %d neurons respond to novel digits",
                     result.trainingExamples, result.trainingSeconds, result.meanTrainingSpikes, result.neuronsResponding, neurons))
    }
}
