import ArgumentParser
import EngramBenchmarks
import EngramData
import EngramFewShot

/// `engram fewshot eval`: mean accuracy ± 95% interval of every learner over random episodes.
struct FewShotEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate the learners on random N-way K-shot episodes of a labelled data set.",
        discussion: """
            --data takes a CSV (or .csv.gz) with numeric features and the class in the last column, \
            such as ../shared/data/digits/digits.csv.gz (pixels 0-16, scaled to rates with --scale). \
            Without --data a built-in synthetic spike-rate data set is used.
            """
    )

    @Option(help: "A labelled CSV or CSV.gz file; a built-in synthetic data set when omitted.")
    var data: String?

    @Option(help: "Factor applied to every feature of --data (default: 1/16 for 0-16 pixel data).")
    var scale: Double = 1.0 / 16

    @Option(help: "Classes per episode (N).") var way = 5
    @Option(help: "Support examples per class (K).") var shot = 1
    @Option(help: "Query examples per class (Q).") var query = 15
    @Option(help: "Number of episodes.") var episodes = 600
    @Option(help: "Turn each pattern into a Bernoulli spike train of this many steps.") var spikes: Int?
    @Option(help: "Seed of the episode sampler and the spike encoder.") var seed: UInt64 = 0
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        guard way > 0, shot > 0, query > 0, episodes > 0 else {
            throw ValidationError("--way, --shot, --query and --episodes must be positive")
        }
        if let spikes, spikes <= 0 { throw ValidationError("--spikes must be positive, got \(spikes)") }
        guard scale.isFinite, scale > 0 else { throw ValidationError("--scale must be a positive number") }
    }

    func run() throws {
        let dataset: LabelledDataset
        let source: String
        do {
            if let data {
                dataset = try LabelledCSV.load(path: data, scale: scale)
                source = data
            } else {
                dataset = try SyntheticSpikeData.make()
                source = "built-in synthetic spike rates"
            }
        } catch {
            throw CommandFailure("\(error)")
        }
        let evaluation = FewShotEvaluation(
            way: way, shot: shot, queriesPerClass: query, episodes: episodes, spikeSteps: spikes, seed: seed)
        let summaries: [FewShotLearner: AccuracySummary]
        do {
            summaries = try evaluation.run(on: dataset)
        } catch {
            throw CommandFailure("\(error)")
        }

        if json {
            var object: [String: Any] = [
                "data": source, "way": way, "shot": shot, "query": query, "episodes": episodes, "seed": seed,
            ]
            if let spikes { object["spike_steps"] = spikes }
            for learner in FewShotLearner.allCases {
                guard let summary = summaries[learner] else { continue }
                object[learner.rawValue] = ["accuracy": summary.mean * 100, "ci95": summary.halfWidth95 * 100]
            }
            printJSON(object)
            return
        }
        print("data: \(source) (\(dataset.count) examples, \(dataset.classes.count) classes, \(dataset.featureCount) features)")
        print("\(way)-way \(shot)-shot, \(query) queries per class, \(episodes) episodes, "
              + (spikes.map { "Bernoulli spike trains of \($0) steps" } ?? "rate vectors") + ", seed \(seed)")
        print("")
        let rows = FewShotLearner.allCases.compactMap { learner in
            summaries[learner].map { [learner.rawValue, $0.description] }
        }
        printTable(header: ["learner", "accuracy % (± 95% CI)"], rows: rows)
    }
}
