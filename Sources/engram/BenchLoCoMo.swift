import ArgumentParser
import EngramBenchmarks
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
    @Option(help: "Recall setting to try on the development split: lexical weight.") var lexicalWeight: Double?
    @Option(help: "Recall setting to try on the development split: spreading.") var spreading: Double?
    @OptionGroup var model: ModelOptions

    func run() async throws {
        let locomo: LoCoMo
        do { locomo = try LoCoMo.load(path: data) } catch { throw CommandFailure("\(error)") }
        let encoder = try await model.loadEncoder()
        var options = RecallOptions(k: 20)
        if let lexicalWeight { options.lexicalWeight = lexicalWeight }
        if let spreading { options.spreading = spreading }
        let result: LoCoMoBenchmark.Result
        do {
            result = try LoCoMoBenchmark.run(locomo, encoder: encoder, options: options, ablation: !noAblation) { message in
                FileHandle.standardError.write(Data("\(message)\n".utf8))
            }
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
            printTables(result)
        }
    }

    private func printTables(_ r: LoCoMoBenchmark.Result) {
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
