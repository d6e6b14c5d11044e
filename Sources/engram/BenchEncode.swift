import ArgumentParser
import EngramBenchmarks
import EngramData
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
    @Flag(help: "Also run the peers (NumPy sgemm; sentence-transformers with --peer-python) and report ratios.")
    var peer = false
    @Option(help: "The Python that has sentence-transformers installed (see the peer script's docstring).")
    var peerPython = "python3"
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
        let numpy = peer ? try PeerScript(path: "Benchmarks/peers/sgemm_numpy.py").run()["gemm_gflops"] as? [String: Double] : nil
        let sentenceTransformers = peer
            ? try PeerScript(path: "Benchmarks/peers/encode_sentence_transformers.py", python: peerPython).run() : nil
        if json {
            var object: [String: Any] = [
                "turns": result.turns, "tokens": result.tokens, "turns_per_s": result.turnsPerSecond,
                "query_p50_ms": result.queryP50Milliseconds, "query_p99_ms": result.queryP99Milliseconds,
                "queries": result.queries, "load_ms": result.loadMilliseconds, "gemm_gflops": result.gemmGigaflops,
            ]
            if let numpy { object["numpy_gemm_gflops"] = numpy }
            if let sentenceTransformers { object["sentence_transformers"] = sentenceTransformers }
            printJSON(object)
            return
        }
        func peerValue(_ key: String, scale: Double = 1) -> String {
            (sentenceTransformers?[key] as? Double).map { String(format: "%.2f", $0 * scale) } ?? "-"
        }
        var rows = [
            ["throughput (turns/s)", String(format: "%.1f", result.turnsPerSecond), peerValue("turns_per_s"),
             "\(result.turns) turns, \(result.tokens) tokens"],
            ["query p50 (ms)", String(format: "%.2f", result.queryP50Milliseconds), peerValue("query_p50_ms"),
             "\(result.queries) questions ≤ 16 tokens, one at a time"],
            ["query p99 (ms)", String(format: "%.2f", result.queryP99Milliseconds), peerValue("query_p99_ms"), ""],
            ["model load (ms)", String(format: "%.0f", result.loadMilliseconds), peerValue("load_s", scale: 1000), "cached files"],
        ]
        for (shape, gflops) in result.gemmGigaflops.sorted(by: { $0.key < $1.key }) {
            let peerFigure = numpy?[shape].map { String(format: "%.1f", $0) } ?? "-"
            rows.append(["gemm \(shape) (GFLOP/s)", String(format: "%.1f", gflops), peerFigure, "one thread; peer: NumPy/OpenBLAS"])
        }
        printTable(header: ["measure", "engram", "peer", "notes"], rows: rows)
    }
}
