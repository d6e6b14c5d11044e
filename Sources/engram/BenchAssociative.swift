import ArgumentParser
import EngramBenchmarks
import EngramData
import Foundation

/// `engram bench associative`: the associative core's experiments, as tables or JSON.
struct BenchAssociative: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "associative",
        abstract: "Noise tolerance, capacity, 6-hop chains, neighbourhood preservation and recall latency.",
        discussion: """
            Every experiment runs on data generated from --seed (random unit vectors of dimension \
            384); with --locomo FILE the neighbourhood experiment uses MiniLM embeddings of that \
            file's turns instead of synthetic clusters. Each table states its exact definition; the \
            doc comments of AssociativeBenchmark give them in full.
            """
    )

    @Flag(help: "Print JSON instead of tables.") var json = false
    @Option(help: "Seed of every generated data set.") var seed: UInt64 = 7
    @Option(help: "LoCoMo's locomo10.json: use MiniLM embeddings of its turns for the neighbourhood experiment.")
    var locomo: String?
    @OptionGroup var model: ModelOptions

    func run() async throws {
        var settings = AssociativeBenchmark.Settings()
        settings.seed = seed
        var embeddings: [[Float]]?
        if let locomo {
            let data: LoCoMo
            do { data = try LoCoMo.load(path: locomo) } catch { throw CommandFailure("\(error)") }
            let encoder = try await model.loadEncoder()
            FileHandle.standardError.write(Data("encoding \(data.conversations.reduce(0) { $0 + $1.turns.count }) LoCoMo turns…\n".utf8))
            embeddings = encoder.encode(data.conversations.flatMap { $0.turns.map(\.memoryText) })
        }
        let result: AssociativeBenchmark.Result
        do {
            result = try AssociativeBenchmark.run(settings, embeddings: embeddings) { message in
                if !json { FileHandle.standardError.write(Data("\(message)\n".utf8)) }
            }
        } catch {
            throw CommandFailure("\(error)")
        }
        json ? printJSON(jsonObject(result)) : printTables(result)
    }

    private func jsonObject(_ r: AssociativeBenchmark.Result) -> [String: Any] {
        let cell = r.noise.first { $0.patterns == 20_000 && abs($0.noise - 0.2) < 1e-6 }
        func map(_ method: String, bits: Int? = nil) -> Double? {
            r.neighbourhood.first { $0.method == method && (bits == nil || $0.bits == bits) }?.meanAveragePrecision
        }
        let activeBits = AssociativeBenchmark.Settings().activeUnits
        var headline: [String: Any] = [
            "chain6_accuracy_20k": r.chainAccuracyByHop.last ?? 0,
            "recall_p50_ms_20k": r.latencyP50Milliseconds,
        ]
        headline["flat_hebbian_accuracy_20k_noise_0_2"] = cell?.flatHebbian
        headline["hopfield_two_stage_accuracy_20k_noise_0_2"] = cell?.hopfieldTwoStage
        headline["flyhash_map"] = map("fly hash")
        headline["biohash_map"] = map("BioHash")
        headline["lsh_map"] = map("LSH", bits: activeBits)
        return [
            "headline": headline,
            "noise": r.noise.map { ["patterns": $0.patterns, "noise": Double($0.noise), "flat_hebbian": $0.flatHebbian,
                                    "flyhash_hebbian": $0.flyHashHebbian, "hopfield_one_stage": $0.hopfieldOneStage,
                                    "hopfield_two_stage": $0.hopfieldTwoStage] },
            "capacity": r.capacity.map { ["pairs": $0.pairs, "with_wta": $0.withWinnerTakeAll, "without_wta": $0.withoutWinnerTakeAll] },
            "chain_accuracy_by_hop": r.chainAccuracyByHop,
            "neighbourhood": r.neighbourhood.map { ["method": $0.method, "bits": $0.bits, "map": $0.meanAveragePrecision,
                                                    "recall_at_10": $0.recallAt10] },
            "neighbourhood_data": r.neighbourhoodData,
            "recall_p50_ms_20k": r.latencyP50Milliseconds, "recall_p99_ms_20k": r.latencyP99Milliseconds,
        ]
    }

    private func printTables(_ r: AssociativeBenchmark.Result) {
        func percent(_ x: Double) -> String { String(format: "%.1f", x * 100) }
        print("Noise tolerance: exact recall (%) of a stored pattern from a cue normalise(x + noise·u), u a random unit vector")
        printTable(header: ["patterns", "noise", "flat Hebbian", "fly-hash Hebbian", "Hopfield 1-stage", "Hopfield 2-stage"],
                   rows: r.noise.map { ["\($0.patterns)", String(format: "%.1f", $0.noise), percent($0.flatHebbian),
                                        percent($0.flyHashHebbian), percent($0.hopfieldOneStage), percent($0.hopfieldTwoStage)] })
        print("\nCapacity: exact hetero-associative recall (%) of random pairs (a → b), with and without winner-take-all codes")
        printTable(header: ["pairs", "k-WTA fly-hash codes", "no WTA: flat W = Σ b·aᵀ"],
                   rows: r.capacity.map { ["\($0.pairs)", percent($0.withWinnerTakeAll), percent($0.withoutWinnerTakeAll)] })
        print("\nChains: 1,000 chains of 6 hops among 20,000 stored pairs; % of chains right through hop h (clean-up after each hop)")
        printTable(header: ["hop", "accuracy %"], rows: r.chainAccuracyByHop.enumerated().map { ["\($0.offset + 1)", percent($0.element)] })
        print("\nNeighbourhood preservation (\(r.neighbourhoodData)): true neighbours = 10 nearest by cosine")
        printTable(header: ["method", "bits", "mAP", "recall@10"],
                   rows: r.neighbourhood.map { [$0.method, "\($0.bits)", String(format: "%.3f", $0.meanAveragePrecision),
                                                String(format: "%.3f", $0.recallAt10)] })
        print("\nLatency: two-stage Hopfield recall among 20,000 patterns, one query, one thread")
        printTable(header: ["p50 ms", "p99 ms"], rows: [[String(format: "%.3f", r.latencyP50Milliseconds),
                                                         String(format: "%.3f", r.latencyP99Milliseconds)]])
    }
}
