import ArgumentParser
import EngramBenchmarks
import Foundation

/// `engram bench spiking`: a 10,000-neuron LIF network with 1M delayed synapses for one simulated
/// second, with and without STDP, single thread, beside Brian2 and snntorch.
struct BenchSpiking: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spiking",
        abstract: "Neuron-steps/s and synaptic events/s of a 10,000-neuron, 1M-synapse LIF network, single thread.",
        discussion: """
            The network: 10,000 snntorch-style leaky neurons (beta = exp(-1/20), threshold 1, reset \
            to zero) driven by constant inputs, 100 random synapses each (80% excitatory, 20% \
            inhibitory) with delays of 1-5 steps; 1,000 steps of 1 ms, in float32 and float64; with \
            STDP the excitatory synapses learn by additive pair STDP. With --peer the network is \
            written to a temporary directory and Benchmarks/peers/spiking_peers.py runs it in Brian2 \
            (numpy, cython, C++ standalone) and snntorch (CPU) with .venv-peers/bin/python (make it \
            with Benchmarks/peers/setup_spiking_peers.sh); their spike counts are checked against \
            Engram's (float64 against Brian2, float32 against snntorch).
            """
    )

    @Flag(help: "Print JSON instead of a table.") var json = false
    @Flag(help: "Also run Brian2 and snntorch on the same network and report ratios.") var peer = false
    @Option(help: "Timed repeats of each Engram run (the best is kept).") var repeats = 3
    @Option(help: "Brian2 runtimes for --peer, comma-separated.") var runtimes = "numpy,cython,cpp_standalone"

    func run() throws {
        let configuration = SpikingBenchmark.Configuration.standard
        log("building the network…")
        let network = SpikingBenchmark.makeNetwork(configuration)
        var engram: [String: SpikingBenchmark.Run] = [:]
        for stdp in [false, true] {
            log("running Engram\(stdp ? " with STDP" : "")…")
            engram["float32_" + (stdp ? "stdp" : "plain")] = try SpikingBenchmark.run(network, stdp: stdp, repeats: repeats, as: Float.self)
            engram["float64_" + (stdp ? "stdp" : "plain")] = try SpikingBenchmark.run(network, stdp: stdp, repeats: repeats, as: Double.self)
        }
        let peers = peer ? try runPeers(network) : nil
        let report = Report(configuration: configuration, synapses: network.pre.count, engram: engram, peers: peers)
        if json {
            printJSON(report.json)
        } else {
            report.printTables()
        }
    }

    private func runPeers(_ network: SpikingBenchmark.Network) throws -> [String: Any] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-spiking-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try SpikingBenchmark.write(network, to: directory)
        let venv = ".venv-peers/bin/python"
        let python = FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
        log("running the peers with \(python) (Brian2 \(runtimes), snntorch)…")
        return try PeerScript(path: "Benchmarks/peers/spiking_peers.py", python: python,
                              arguments: ["--network", directory.path, "--runtimes", runtimes]).run()
    }

    private func log(_ message: String) {
        if !json { FileHandle.standardError.write(Data("\(message)\n".utf8)) }
    }
}

/// The figures of one `bench spiking` run and how they print.
private struct Report {
    var configuration: SpikingBenchmark.Configuration
    var synapses: Int
    var engram: [String: SpikingBenchmark.Run]
    var peers: [String: Any]?

    /// Each peer run's seconds and spikes, keyed "brian2_numpy_plain", "snntorch_plain", ….
    var peerRuns: [String: (seconds: Double, spikes: Int)] {
        var runs: [String: (Double, Int)] = [:]
        func add(_ prefix: String, _ entry: Any?) {
            for (key, value) in entry as? [String: [String: Any]] ?? [:] {
                if let seconds = value["seconds"] as? Double, let spikes = value["spikes"] as? Int { runs[prefix + "_" + key] = (seconds, spikes) }
            }
        }
        for (runtime, entry) in peers?["brian2"] as? [String: Any] ?? [:] { add("brian2_" + runtime, entry) }
        add("snntorch", peers?["snntorch"])
        return runs
    }

    /// The fastest run of a peer family without STDP.
    func fastest(_ prefix: String, _ suffix: String = "plain") -> (name: String, seconds: Double, spikes: Int)? {
        peerRuns.filter { $0.key.hasPrefix(prefix) && $0.key.hasSuffix(suffix) }
            .min { $0.value.seconds < $1.value.seconds }
            .map { ($0.key, $0.value.seconds, $0.value.spikes) }
    }

    var engramPlain: SpikingBenchmark.Run? { engram["float32_plain"] }

    var json: [String: Any] {
        var object: [String: Any] = [
            "neurons": configuration.neurons, "synapses": synapses, "steps": configuration.steps,
            "dt_ms": configuration.dtMs, "threads": 1,
        ]
        object["engram"] = engram.mapValues { run in
            ["seconds": run.seconds, "spikes": run.spikes, "synaptic_events": run.events,
             "neuron_steps_per_s": run.neuronStepsPerSecond, "synaptic_events_per_s": run.eventsPerSecond]
        }
        if let plain = engram["float32_plain"], let stdp = engram["float32_stdp"] { object["stdp_overhead"] = stdp.seconds / plain.seconds }
        object["brian2_ratio"] = NSNull()
        object["snntorch_ratio"] = NSNull()
        if let peers {
            object["peers"] = peers
            var runs: [String: Any] = [:]
            for (key, run) in peerRuns { runs[key] = ["seconds": run.seconds, "spikes": run.spikes, "spikes_match": countsMatch(key, run.spikes)] }
            object["peer_runs"] = runs
            if let engram = engramPlain {
                if let brian2 = fastest("brian2_") {
                    object["brian2_ratio"] = brian2.seconds / engram.seconds
                    object["brian2_fastest"] = brian2.name
                }
                if let snntorch = fastest("snntorch") { object["snntorch_ratio"] = snntorch.seconds / engram.seconds }
            }
        }
        return object
    }

    /// Whether a peer run's spike count equals Engram's run of the same precision and rule.
    func countsMatch(_ key: String, _ spikes: Int) -> Bool {
        let precision = key.hasPrefix("snntorch") ? "float32" : "float64"
        let rule = key.hasSuffix("stdp") ? "stdp" : "plain"
        return engram["\(precision)_\(rule)"]?.spikes == spikes
    }

    func printTables() {
        var rows: [[String]] = []
        for key in ["float32_plain", "float64_plain", "float32_stdp", "float64_stdp"] {
            guard let run = engram[key] else { continue }
            rows.append(["engram " + key.replacingOccurrences(of: "_", with: " "), String(format: "%.3f", run.seconds), "\(run.spikes)",
                         format(run.neuronStepsPerSecond), format(run.eventsPerSecond), "-"])
        }
        for (key, run) in peerRuns.sorted(by: { $0.key < $1.key }) {
            let neuronSteps = Double(configuration.neurons * configuration.steps)
            rows.append([key.replacingOccurrences(of: "_", with: " "), String(format: "%.3f", run.seconds), "\(run.spikes)\(countsMatch(key, run.spikes) ? "" : " (differs)")",
                         format(neuronSteps / run.seconds), "-",
                         engram[key.hasSuffix("stdp") ? "float32_stdp" : "float32_plain"].map { String(format: "%.1f×", run.seconds / $0.seconds) } ?? "-"])
        }
        printTable(header: ["run", "seconds", "spikes", "neuron-steps/s", "events/s", "engram float32 speed-up"], rows: rows)
        if let plain = engram["float32_plain"], let stdp = engram["float32_stdp"] {
            print(String(format: "STDP adds %.2f× to the float32 run time", stdp.seconds / plain.seconds))
        }
        for (key, message) in peers?["errors"] as? [String: String] ?? [:] { print("\(key) did not run: \(message)") }
    }

    private func format(_ rate: Double) -> String {
        rate >= 1e9 ? String(format: "%.2fG", rate / 1e9) : rate >= 1e6 ? String(format: "%.1fM", rate / 1e6) : String(format: "%.0fk", rate / 1e3)
    }
}
