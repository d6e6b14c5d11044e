import ArgumentParser
import EngramBenchmarks
import EngramData
import EngramMemory
import Foundation

/// `engram bench locomo`: LoCoMo retrieval for Engram, its ablations and the flat baselines.
struct BenchLoCoMo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locomo",
        abstract: "LoCoMo retrieval (turn_all, turn_any, sess_all at 1/5/10/20) for Engram, its ablations and flat baselines.",
        discussion: """
            Follows the protocol of LoCoMo's README: one scope per conversation, each question \
            recalled against its own conversation; conversations 1-5 are the development split \
            (tune only there), 6-10 the test split. The baselines (dense cosine, BM25, hybrid \
            reciprocal-rank fusion) use the same embeddings in the same run.
            """
    )

    @Option(help: "LoCoMo's locomo10.json.") var data: String
    @Flag(help: "Print JSON instead of tables.") var json = false
    @Flag(help: "Skip the ablation (one recall per question instead of five).") var noAblation = false
    @Flag(help: "Tune on the development split only: print its figures for a grid of recall settings.") var tune = false
    @OptionGroup var model: ModelOptions

    func run() async throws {
        let locomo: LoCoMo
        do { locomo = try LoCoMo.load(path: data) } catch { throw CommandFailure("\(error)") }
        let encoder = try await model.loadEncoder()
        let progress: (String) -> Void = { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        let result: LoCoMoBenchmark.Result
        do {
            let prepared = try LoCoMoBenchmark.prepare(locomo, encoder: encoder, progress: progress)
            if tune { return try printTuning(prepared) }
            result = try LoCoMoBenchmark.run(prepared, variants: LoCoMoBenchmark.variants(ablation: !noAblation), progress: progress)
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("\(error)")
        }
        if json {
            printJSON([
                "engram": result.engram,
                "baselines": result.baselines,
                "ablation": result.ablation,
                "questions": result.questions,
            ])
        } else {
            Self.printTables(result)
        }
    }

    /// The development split's overall and multi-hop figures for a grid of settings.
    private func printTuning(_ prepared: LoCoMoBenchmark.Prepared) throws {
        var grid: [(String, RecallOptions)] = []
        // The last grid explored; the earlier ones varied the lexical (0.3–1.5) and completion
        // (0–1) weights, see RecallOptions.
        for sessionContext in [0.0, 0.1, 0.2, 0.3, 0.5] {
            for spreading in [0.0, 0.1, 0.3] {
                var options = RecallOptions(k: 20)
                options.sessionContext = sessionContext
                options.spreading = spreading
                grid.append(("session context \(sessionContext) spreading \(spreading)", options))
            }
        }
        let tables = try LoCoMoBenchmark.tune(prepared, settings: grid.map(\.1))
        printTable(header: ["setting (dev split)", "turn_all@10", "multi-hop turn_all@10", "sess_all@10", "turn_all@20"],
                   rows: zip(grid, tables).map { setting, table in
                       let overall = table["dev"]?["overall"], multi = table["dev"]?["multi-hop"]
                       return [setting.0] + [overall?["turn_all@10"], multi?["turn_all@10"], overall?["sess_all@10"], overall?["turn_all@20"]]
                           .map { String(format: "%.1f", $0 ?? .nan) }
                   })
    }

    static func printTables(_ r: LoCoMoBenchmark.Result) {
        let retrievers = [("Engram", r.engram), ("dense", r.baselines["dense"]), ("BM25", r.baselines["bm25"]),
                          ("hybrid RRF", r.baselines["hybrid"])].compactMap { name, table in table.map { (name, $0) } }
        let groups = ["overall", "multi-hop", "temporal", "open-domain", "single-hop", "adversarial"]
        for split in ["test", "dev", "all"] {
            print("\nLoCoMo \(split) split (\(split == "test" ? "conversations 6-10" : split == "dev" ? "conversations 1-5" : "all 10")), % of questions")
            var rows: [[String]] = []
            for group in groups {
                for (name, table) in retrievers {
                    guard let m = table[split]?[group] else { continue }
                    rows.append([group, name] + ["turn_all@10", "turn_any@10", "sess_all@10", "turn_all@1", "turn_all@5", "turn_all@20"]
                        .map { String(format: "%.1f", m[$0] ?? .nan) })
                }
            }
            printTable(header: ["group", "retriever", "turn_all@10", "turn_any@10", "sess_all@10", "turn_all@1", "turn_all@5", "turn_all@20"],
                       rows: rows)
        }
        guard !r.ablation.isEmpty else { return }
        print("\nAblation: Engram with one stage off (overall turn_all@10 / multi-hop turn_all@10 / sess_all@10)")
        var rows: [[String]] = []
        for (name, table) in [("all stages", r.engram)] + r.ablation.sorted(by: { $0.key < $1.key }) {
            var row = [name]
            for split in ["test", "dev"] {
                let overall = table[split]?["overall"], multi = table[split]?["multi-hop"]
                row.append(String(format: "%.1f / %.1f / %.1f", overall?["turn_all@10"] ?? .nan, multi?["turn_all@10"] ?? .nan,
                                  overall?["sess_all@10"] ?? .nan))
            }
            rows.append(row)
        }
        printTable(header: ["variant", "test", "dev"], rows: rows)
    }
}
