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
            Throughput encodes every LoCoMo turn (the protocol's turn text) in one batched call over \
            all cores; latency encodes 200 short questions (≤ 16 tokens) one at a time. Both run in \
            float32 (the reference) and in int8, whose embeddings are compared with float32's \
            (cosine over every turn). The peers are Benchmarks/peers/encode_sentence_transformers.py \
            (float32), Benchmarks/peers/encode_onnxruntime_int8.py (ONNX Runtime's dynamic int8) and \
            Benchmarks/peers/sgemm_numpy.py.
            """
    )

    @Option(help: "LoCoMo's locomo10.json.") var data = "../shared/data/locomo/locomo10.json"
    @Option(help: "Timed passes over the turns (the best is reported).") var repeats = 1
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Flag(help: "Also run the peers (NumPy sgemm; sentence-transformers and ONNX Runtime int8 with --peer-python).")
    var peer = false
    @Option(help: "The Python that has sentence-transformers and onnxruntime installed (see the peer scripts' docstrings).")
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
        let result: EncodeBenchmark.Result, int8: EncodeBenchmark.Result
        do {
            result = try EncodeBenchmark.run(modelDirectory: directory, locomo: locomo, repeats: repeats)
            int8 = try EncodeBenchmark.run(modelDirectory: directory, locomo: locomo, precision: .int8, repeats: repeats)
        } catch {
            throw CommandFailure("\(error)")
        }
        let agreement = EncodeBenchmark.agreement(result, int8)
        let numpy = peer ? try PeerScript(path: "Benchmarks/peers/sgemm_numpy.py").run()["gemm_gflops"] as? [String: Double] : nil
        let sentenceTransformers = peer
            ? try PeerScript(path: "Benchmarks/peers/encode_sentence_transformers.py", python: peerPython).run() : nil
        let onnxRuntime = peer ? try PeerScript(path: "Benchmarks/peers/encode_onnxruntime_int8.py", python: peerPython).run() : nil
        if json {
            var object: [String: Any] = [
                "turns": result.turns, "tokens": result.tokens, "turns_per_s": result.turnsPerSecond,
                "query_p50_ms": result.queryP50Milliseconds, "query_p99_ms": result.queryP99Milliseconds,
                "queries": result.queries, "load_ms": result.loadMilliseconds, "gemm_gflops": result.gemmGigaflops,
                "threads": result.threads,
                "int8": [
                    "turns_per_s": int8.turnsPerSecond, "query_p50_ms": int8.queryP50Milliseconds,
                    "query_p99_ms": int8.queryP99Milliseconds, "load_ms": int8.loadMilliseconds,
                    "gemm_gops": int8.gemmGigaflops, "vnni": EncodeBenchmark.int8Kernel == .vnni, "kernel": EncodeBenchmark.int8Kernel.name,
                    "mean_cosine_vs_float32": agreement.meanCosine, "worst_cosine_vs_float32": agreement.worstCosine,
                ] as [String: Any],
            ]
            if let numpy { object["numpy_gemm_gflops"] = numpy }
            if let sentenceTransformers { object["sentence_transformers"] = sentenceTransformers }
            if let onnxRuntime { object["onnxruntime_int8"] = onnxRuntime }
            printJSON(object)
            return
        }
        func peerValue(_ key: String, scale: Double = 1) -> String {
            (sentenceTransformers?[key] as? Double).map { String(format: "%.2f", $0 * scale) } ?? "-"
        }
        func ortValue(_ key: String, scale: Double = 1) -> String {
            (onnxRuntime?[key] as? Double).map { String(format: key.contains("cosine") ? "%.5f" : "%.2f", $0 * scale) } ?? "-"
        }
        func figure(_ value: Double, _ format: String) -> String { String(format: format, value) }
        var rows = [
            ["throughput (turns/s)", figure(result.turnsPerSecond, "%.1f"), figure(int8.turnsPerSecond, "%.1f"),
             peerValue("turns_per_s"), ortValue("turns_per_s"), "\(result.turns) turns, \(result.tokens) tokens, \(result.threads) threads"],
            ["query p50 (ms)", figure(result.queryP50Milliseconds, "%.2f"), figure(int8.queryP50Milliseconds, "%.2f"),
             peerValue("query_p50_ms"), ortValue("query_p50_ms"), "\(result.queries) questions ≤ 16 tokens, one at a time"],
            ["query p99 (ms)", figure(result.queryP99Milliseconds, "%.2f"), figure(int8.queryP99Milliseconds, "%.2f"),
             peerValue("query_p99_ms"), ortValue("query_p99_ms"), ""],
            ["model load (ms)", figure(result.loadMilliseconds, "%.0f"), figure(int8.loadMilliseconds, "%.0f"),
             peerValue("load_s", scale: 1000), ortValue("load_s", scale: 1000), "cached files"],
            ["cosine to float32, mean", "1", figure(agreement.meanCosine, "%.5f"), "1", ortValue("mean_cosine_vs_float32"),
             "every turn, each against its own float32"],
            ["cosine to float32, worst", "1", figure(agreement.worstCosine, "%.5f"), "1", ortValue("worst_cosine_vs_float32"),
             "engram: turn \(agreement.worstText)"],
        ]
        for (shape, gflops) in result.gemmGigaflops.sorted(by: { $0.key < $1.key }) {
            let peerFigure = numpy?[shape].map { String(format: "%.1f", $0) } ?? "-"
            let int8Figure = int8.gemmGigaflops[shape].map { String(format: "%.1f", $0) } ?? "-"
            rows.append(["gemm \(shape) (GFLOP/s)", figure(gflops, "%.1f"), int8Figure, peerFigure, "-",
                         "one thread; int8 \(EncodeBenchmark.int8Kernel.name); peer: NumPy/OpenBLAS"])
        }
        printTable(header: ["measure", "float32", "int8", "sentence-transformers", "ORT int8", "notes"], rows: rows)
    }
}
