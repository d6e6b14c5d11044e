import ArgumentParser
import EngramBenchmarks
import Foundation

/// `engram bench encode`: sentence-encoder throughput and latency.
struct BenchEncode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encoder throughput over all LoCoMo turns, single-query latency, load time, GEMM GFLOP/s.",
        discussion: """
            Throughput encodes every LoCoMo turn (the protocol's turn text) in one batched call on \
            both cores; latency encodes 200 short questions (≤ 16 tokens) one at a time. The peers \
            are Benchmarks/peers/encode_sentence_transformers.py and Benchmarks/peers/sgemm_numpy.py.
            """
    )

    @Option(help: "LoCoMo's locomo10.json.") var data = "../shared/data/locomo/locomo10.json"
    @Option(help: "Timed passes over the turns (the best is reported).") var repeats = 1
    @Flag(help: "Print JSON instead of a table.") var json = false
    @OptionGroup var model: ModelOptions

    func run() async throws {
        let locomo: LoCoMo
        do {
            locomo = try LoCoMo.load(path: data)
        } catch {
            throw CommandFailure("\(error)")
        }
        let directory = try await model.resolveDirectory()
        let result: EncodeBenchmark.Result
        do {
            result = try EncodeBenchmark.run(modelDirectory: directory, locomo: locomo, repeats: repeats)
        } catch {
            throw CommandFailure("\(error)")
        }
        if json {
            printJSON([
                "turns": result.turns, "tokens": result.tokens, "turns_per_s": result.turnsPerSecond,
                "query_p50_ms": result.queryP50Milliseconds, "query_p99_ms": result.queryP99Milliseconds,
                "queries": result.queries, "load_ms": result.loadMilliseconds, "gemm_gflops": result.gemmGigaflops,
            ])
            return
        }
        var rows = [
            ["throughput", String(format: "%.1f turns/s", result.turnsPerSecond), "\(result.turns) turns, \(result.tokens) tokens, 2 threads"],
            ["query p50", String(format: "%.2f ms", result.queryP50Milliseconds), "\(result.queries) questions ≤ 16 tokens, one at a time"],
            ["query p99", String(format: "%.2f ms", result.queryP99Milliseconds), ""],
            ["model load", String(format: "%.0f ms", result.loadMilliseconds), "config, vocabulary, weights (cached files)"],
        ]
        for (shape, gflops) in result.gemmGigaflops.sorted(by: { $0.key < $1.key }) {
            rows.append(["gemm \(shape)", String(format: "%.1f GFLOP/s", gflops), "one thread"])
        }
        printTable(header: ["measure", "value", "notes"], rows: rows)
    }
}
