import ArgumentParser
import EngramBenchmarks
import Foundation

/// `engram bench fewshot`: single-thread throughput of the few-shot learners.
struct BenchFewShot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fewshot",
        abstract: "Hebbian episodes/s and prototype classifications/s, single thread.",
        discussion: """
            Configurations: reference (5-way 1-shot, 64 features, 10 queries: the reference's own \
            benchmark), large (20-way 5-shot, 1,024 features, 20 queries), spikes (reference with \
            spike trains of 100 steps). "exact" is the float64 API with the reference's semantics; \
            "batched" is the float32 path for sweeps. With --peer, the NumPy peer \
            (Benchmarks/peers/fewshot_reference.py) runs right after, on the same configurations, \
            and the ratios are printed.
            """
    )

    @Flag(help: "Print JSON instead of a table.") var json = false
    @Flag(help: "Also run the NumPy peer (python3 with numpy) and report ratios.") var peer = false
    @Option(help: "Seconds per timed repeat.") var seconds = 0.2

    func run() throws {
        var results: [FewShotBenchmark.Result] = []
        for configuration in FewShotBenchmark.Configuration.all {
            if !json { FileHandle.standardError.write(Data("measuring \(configuration.name)…\n".utf8)) }
            results.append(try FewShotBenchmark.run(configuration, targetSeconds: seconds))
        }
        let peerFigures = peer ? try runPeer() : nil

        if json {
            var configurations: [String: Any] = [:]
            for result in results {
                var entry: [String: Any] = [
                    "exact": ["hebbian_episodes_per_s": result.exactHebbian.best,
                              "prototype_classifications_per_s": result.exactPrototype.best],
                    "batched": ["hebbian_episodes_per_s": result.batchedHebbian.best,
                                "prototype_classifications_per_s": result.batchedPrototype.best],
                ]
                if let numpy = peerFigures?[result.configuration.name] { entry["numpy"] = numpy }
                configurations[result.configuration.name] = entry
            }
            var object: [String: Any] = ["configurations": configurations, "threads": 1]
            if let reference = results.first(where: { $0.configuration.name == "reference" }) {
                object["hebbian_episodes_per_s"] = reference.batchedHebbian.best
                object["prototype_classifications_per_s"] = reference.batchedPrototype.best
                object["exact_hebbian_episodes_per_s"] = reference.exactHebbian.best
                object["exact_prototype_classifications_per_s"] = reference.exactPrototype.best
            }
            printJSON(object)
            return
        }

        var rows: [[String]] = []
        for result in results {
            let numpy = peerFigures?[result.configuration.name]
            func row(_ measure: String, _ path: String, _ throughput: Throughput, _ peerKey: String) -> [String] {
                let peerRate = numpy?[peerKey]
                return [result.configuration.name, measure, path, format(throughput.best), format(throughput.median),
                        peerRate.map(format) ?? "-", peerRate.map { String(format: "%.0f×", throughput.best / $0) } ?? "-"]
            }
            rows.append(row("hebbian episodes/s", "exact", result.exactHebbian, "hebbian_episodes_per_s"))
            rows.append(row("hebbian episodes/s", "batched", result.batchedHebbian, "hebbian_episodes_per_s"))
            rows.append(row("prototype classifications/s", "exact", result.exactPrototype, "prototype_classifications_per_s"))
            rows.append(row("prototype classifications/s", "batched", result.batchedPrototype, "prototype_classifications_per_s"))
        }
        printTable(header: ["config", "measure", "path", "best", "median", "numpy", "ratio"], rows: rows)
    }

    /// Runs the NumPy peer and returns its best rates per configuration.
    private func runPeer() throws -> [String: [String: Double]] {
        if !json { FileHandle.standardError.write(Data("running the NumPy peer…\n".utf8)) }
        let object = try PeerScript(path: "Benchmarks/peers/fewshot_reference.py").run()
        guard let numpy = object["numpy"] as? [String: [String: Any]] else {
            throw CommandFailure("the NumPy peer printed no \"numpy\" figures")
        }
        return numpy.mapValues { $0.compactMapValues { $0 as? Double } }
    }

    private func format(_ rate: Double) -> String {
        rate >= 1e6 ? String(format: "%.2fM", rate / 1e6) : rate >= 1e4 ? String(format: "%.0fk", rate / 1e3) : String(format: "%.0f", rate)
    }
}
