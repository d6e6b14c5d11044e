import ArgumentParser
import EngramBenchmarks
import EngramData
import EngramMemory
import Foundation

/// `engram bench recall`: every recall suite in one run, beside the flat baselines.
struct BenchRecall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall",
        abstract: "Recall quality on every suite (LoCoMo, memory-dev alone and among LoCoMo's turns, the demo) beside dense, BM25 and hybrid baselines.",
        discussion: """
            One run, one set of embeddings: Engram, its ablations (each stage switched off) and the \
            flat baselines. LoCoMo as `bench locomo` reports it (dev and test split, per category); \
            memory-dev's paraphrase questions (top-1, top-5 of their fact) and updates (the newer \
            fact above the older), alone and among LoCoMo's 5,882 turns; the demo's five questions. \
            --tune prints a grid of settings on the development suites only.
            """
    )

    @Option(help: "LoCoMo's locomo10.json.") var locomo = "../shared/data/locomo/locomo10.json"
    @Option(name: .customLong("memory-dev"), help: "memory-dev's cases.json.") var memoryDev = "../shared/data/memory-dev/cases.json"
    @Option(help: "NuoNuo's experiment-6 triples (nuonuo-exp06.json).") var nuonuo = "../shared/data/memory-dev/nuonuo-exp06.json"
    @Option(help: "Keep the embeddings in this file between runs (read if it exists, written after encoding).")
    var embeddingCache: String?
    @Option(help: "The store's supersession threshold (whole-text cosine that links two versions of a subject).")
    var supersessionThreshold: Float = MemoryStore.Configuration().supersessionThreshold ?? 1
    @Flag(help: "Print JSON instead of tables.") var json = false
    @Flag(help: "Skip the ablation.") var noAblation = false
    @Flag(help: "Tune: print the development suites' figures for a grid of recall settings.") var tune = false
    @OptionGroup var model: ModelOptions

    func run() async throws {
        let locomoData: LoCoMo, memoryDevData: MemoryDevSet
        let triples: (recall: [NuoNuoExperiment6.Triple], scale: [NuoNuoExperiment6.Triple])
        do {
            locomoData = try LoCoMo.load(path: locomo)
            memoryDevData = try MemoryDevSet.load(path: memoryDev)
            triples = try NuoNuoExperiment6.load(path: nuonuo)
        } catch {
            throw CommandFailure("\(error) (give the data sets with --locomo, --memory-dev and --nuonuo)")
        }
        let encoder = try await model.loadEncoder()
        let progress: (String) -> Void = { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        do {
            if tune {
                return try printTuning(locomoData, memoryDevData, encoder: encoder, progress: progress)
            }
            let result = try RecallBenchmark.run(
                locomo: locomoData, memoryDev: memoryDevData, encoder: encoder,
                variants: LoCoMoBenchmark.variants(ablation: !noAblation), nuonuo: triples,
                embeddingFile: embeddingCache,
                configuration: storeConfiguration, progress: progress)
            if json {
                printJSON([
                    "locomo": [
                        "engram": result.locomo.engram, "baselines": result.locomo.baselines,
                        "ablation": result.locomo.ablation, "questions": result.locomo.questions,
                    ] as [String: Any],
                    "suites": Dictionary(uniqueKeysWithValues: result.suites.map { suite in
                        (suite.name, ["memories": suite.memories, "questions": suite.questions, "retrievers": suite.figures] as [String: Any])
                    }),
                    "nuonuo_exp06": Dictionary(uniqueKeysWithValues: (result.nuonuo ?? []).map { r in
                        (r.coder, [
                            "positive_overlap": r.positiveOverlap, "negative_overlap": r.negativeOverlap,
                            "exact_of_10": r.exact, "paraphrase_of_10": r.paraphrase,
                            "scale_of_5": Dictionary(uniqueKeysWithValues: r.scale.map { ("\($0.key)", $0.value) }),
                        ] as [String: Any])
                    }),
                ])
            } else {
                BenchLoCoMo.printTables(result.locomo)
                Self.printSuites(result.suites)
                if let nuonuo = result.nuonuo { Self.printExperiment6(nuonuo) }
            }
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    var storeConfiguration: MemoryStore.Configuration {
        var configuration = MemoryStore.Configuration()
        configuration.supersessionThreshold = supersessionThreshold
        return configuration
    }

    static let metrics = [("top1", "top-1"), ("top5", "top-5"), ("new_above_old", "new > old"), ("new_top1", "new top-1")]

    static func printSuites(_ suites: [RecallBenchmark.SuiteResult]) {
        print("\nmemory-dev and demo, % of questions (answer questions: top-1, top-5; updates: newer above older, newer first)")
        var rows: [[String]] = []
        for suite in suites {
            let order = ["engram", "dense", "bm25", "hybrid"] + suite.figures.keys.filter { $0.hasPrefix("without") }.sorted()
            for name in order {
                guard let figures = suite.figures[name] else { continue }
                rows.append(["\(suite.name) (\(suite.memories))", name] + metrics.map { key, _ in
                    figures[key].map { String(format: "%.1f", $0) } ?? "-"
                })
            }
        }
        printTable(header: ["suite (memories)", "retriever"] + metrics.map(\.1), rows: rows)
    }

    static func printExperiment6(_ results: [NuoNuoExperiment6.CoderResult]) {
        print("\nNuoNuo's experiment 6 (16,384 units, 50 active, Hebbian W over cue → target codes); NuoNuo's published random / BioHash in the last rows")
        var rows = results.map { r in
            [r.coder, String(format: "%.3f", r.positiveOverlap), String(format: "%.3f", r.negativeOverlap), "\(r.exact)/10", "\(r.paraphrase)/10"]
                + NuoNuoExperiment6.backgroundSizes.map { "\(r.scale[$0] ?? 0)/5" }
        }
        let p = NuoNuoExperiment6.published
        rows.append(["NuoNuo random", String(format: "%.3f", p.positiveOverlap.0), String(format: "%.3f", p.negativeOverlap.0),
                     "\(p.exact.0)/10", "\(p.paraphrase.0)/10"] + NuoNuoExperiment6.backgroundSizes.map { "\(Int(p.scale[$0]!.0 / 20))/5" })
        rows.append(["NuoNuo BioHash", String(format: "%.3f", p.positiveOverlap.1), String(format: "%.3f", p.negativeOverlap.1),
                     "\(p.exact.1)/10", "\(p.paraphrase.1)/10"] + NuoNuoExperiment6.backgroundSizes.map { "\(Int(p.scale[$0]!.1 / 20))/5" })
        printTable(header: ["coder", "overlap cue-paraphrase", "overlap cue-other", "exact", "paraphrase"]
                   + NuoNuoExperiment6.backgroundSizes.map { "paraphrase, \($0) bg" }, rows: rows)
    }

    /// The development suites for a grid of settings.
    private func printTuning(
        _ locomo: LoCoMo, _ memoryDev: MemoryDevSet, encoder: any TextEmbedder, progress: (String) -> Void
    ) throws {
        var grid: [(String, RecallOptions)] = []
        // The last grid explored (clause weight 0.5, margin 2 fixed); the earlier ones varied the
        // lexical weight (6–10), clause weight (0–0.5), supersession margin (0–5), spreading
        // (0–0.1) and context (0–0.2); see BENCHMARKS.md.
        for completion in [0.0, 0.1, 0.25] {
            for (spreading, context) in [(0.1, 0.2), (0.05, 0.1), (0.1, 0.1)] {
                var options = RecallOptions(k: 20)
                options.completionWeight = completion
                options.spreading = spreading
                options.sessionContext = context
                grid.append(("completion \(completion) spreading \(spreading) context \(context)", options))
            }
        }
        let (tables, suites) = try RecallBenchmark.tune(locomo: locomo, memoryDev: memoryDev, encoder: encoder,
                                                        variants: grid, embeddingFile: embeddingCache,
                configuration: storeConfiguration, progress: progress)
        let header = ["setting", "LoCoMo dev turn_all@10", "multi-hop", "sess_all@10"]
            + suites.flatMap { suite in ["\(suite.name) top-1", "\(suite.name) new>old"] }
        printTable(header: header, rows: grid.indices.map { i in
            let overall = tables[i]["dev"]?["overall"], multi = tables[i]["dev"]?["multi-hop"]
            return [grid[i].0] + [overall?["turn_all@10"], multi?["turn_all@10"], overall?["sess_all@10"]]
                .map { String(format: "%.1f", $0 ?? .nan) }
                + suites.flatMap { suite in
                    [suite.figures[grid[i].0]?["top1"], suite.figures[grid[i].0]?["new_above_old"]]
                        .map { $0.map { String(format: "%.1f", $0) } ?? "-" }
                }
        })
    }
}
