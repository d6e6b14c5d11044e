import ArgumentParser
import EngramBenchmarks
import Foundation

/// `engram bench mqar`: the fast-weight memories on Multi-Query Associative Recall.
struct BenchMQAR: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mqar",
        abstract: "Fast-weight memories (linear, gated, delta, gated delta, metaplastic) on MQAR: capacity, stability, rebinding.",
        discussion: """
            Keys and values are fixed random unit embeddings (no training); a query is answered \
            by the value embedding nearest to M·k. Each memory's hyper-parameters are chosen by a \
            small grid on the development seeds (1001-1003 by default) at the default setting, by \
            the mean of old-phase recall and rebinding accuracy; the reported seeds never enter \
            the choice. Intervals are 95% Student-t intervals over the reported seeds; the margin \
            of the metaplastic memory over the best of linear, gated and delta is paired by seed. \
            The doc comments of MQARBenchmark and MQARTask give the full protocol.
            """
    )

    @Flag(help: "Print JSON instead of tables.") var json = false
    @Option(help: "Reported seeds: 1 through this number.") var seeds = 10
    @Option(help: "Sequences per seed and cell.") var sequences = 12
    @Option(help: "dKey = dValue of the continual and rebinding experiments.") var dimension = 64
    @Option(help: "Phases of the default setting.") var phases = 8
    @Option(help: "Pairs per phase.") var pairsPerPhase = 16
    @Option(help: "Distractor writes after each phase.") var gap = 0

    func validate() throws {
        guard seeds >= 2 else { throw ValidationError("--seeds must be at least 2 (an interval needs two), got \(seeds)") }
        guard seeds < 1_001 else { throw ValidationError("--seeds must be below 1001 (the development seeds start there), got \(seeds)") }
        guard sequences >= 1 else { throw ValidationError("--sequences must be at least 1, got \(sequences)") }
        guard dimension >= 1 else { throw ValidationError("--dimension must be at least 1, got \(dimension)") }
        guard phases >= 2 else { throw ValidationError("--phases must be at least 2, got \(phases)") }
        guard pairsPerPhase >= 1 else { throw ValidationError("--pairs-per-phase must be at least 1, got \(pairsPerPhase)") }
        guard gap >= 0 else { throw ValidationError("--gap must be at least 0, got \(gap)") }
    }

    func run() async throws {
        var settings = MQARBenchmark.Settings()
        settings.seeds = (1...seeds).map(UInt64.init)
        settings.sequences = sequences
        settings.dimension = dimension
        settings.phases = phases
        settings.curvePhases = max(settings.curvePhases, phases)
        settings.pairsPerPhase = pairsPerPhase
        settings.rebinds = min(settings.rebinds, pairsPerPhase)
        settings.gap = gap
        let result: MQARBenchmark.Result
        do {
            result = try MQARBenchmark.run(settings) { message in
                if !json { FileHandle.standardError.write(Data("\(message)\n".utf8)) }
            }
        } catch {
            throw CommandFailure("\(error)")
        }
        json ? printJSON(jsonObject(result)) : printTables(result)
    }

    private func interval(_ i: MQARBenchmark.Interval) -> [String: Any] {
        ["mean": i.mean, "ci95": i.halfWidth95.isNaN ? NSNull() : i.halfWidth95, "per_seed": i.samples]
    }

    private func jsonObject(_ r: MQARBenchmark.Result) -> [String: Any] {
        let s = r.settings
        return [
            "continual": Dictionary(uniqueKeysWithValues: r.headline.map { ($0.kind.rawValue, $0.older.mean) }),
            "settings": [
                "dimension": s.dimension, "state_dimensions": s.stateDimensions, "pair_counts": s.pairCounts,
                "pairs_per_phase": s.pairsPerPhase, "phases": s.phases, "curve_phases": s.curvePhases,
                "rebinding_phases": s.rebindingPhases, "rebinds": s.rebinds, "gap": s.gap,
                "key_vocabulary": s.keyVocabulary, "value_vocabulary": s.valueVocabulary, "sequences": s.sequences,
                "seeds": s.seeds, "development_seeds": s.developmentSeeds,
            ] as [String: Any],
            "tuning": r.tuning.map { t in
                ["memory": t.kind.rawValue, "chosen": t.chosen.parameters, "development_old": t.developmentOld,
                 "development_rebinding": t.developmentRebinding, "stability_chosen": t.stabilityChosen.parameters,
                 "stability_development_old": t.stabilityDevelopmentOld, "candidates": t.candidates] as [String: Any]
            },
            "headline": r.headline.map { h in
                ["memory": h.kind.rawValue, "parameters": h.configuration.parameters, "old": interval(h.older),
                 "newest": interval(h.newest), "rebinding": interval(h.rebinding),
                 "stability_parameters": h.stabilityConfiguration.parameters, "stability_old": interval(h.stabilityOlder),
                 "stability_rebinding": interval(h.stabilityRebinding)] as [String: Any]
            },
            "margins": r.margins.map { ["measure": $0.measure, "baseline": $0.baseline.rawValue, "difference": interval($0.difference)] },
            "capacity": r.capacity.map { ["memory": $0.kind.rawValue, "dimension": $0.dimension, "pairs": $0.pairs,
                                          "accuracy": interval($0.accuracy)] as [String: Any] },
            "phases": r.phases.map { ["memory": $0.kind.rawValue, "phases": $0.phases, "old": interval($0.older),
                                      "newest": interval($0.newest)] as [String: Any] },
            "rebinding": r.rebinding.map { ["memory": $0.kind.rawValue, "phases": $0.phases, "accuracy": interval($0.accuracy)] as [String: Any] },
        ]
    }

    private func cell(_ i: MQARBenchmark.Interval) -> String {
        String(format: "%.1f ± %.1f", i.mean * 100, i.halfWidth95 * 100)
    }

    private func signedCell(_ i: MQARBenchmark.Interval) -> String {
        String(format: "%+.1f ± %.1f", i.mean * 100, i.halfWidth95 * 100)
    }

    private func printTables(_ r: MQARBenchmark.Result) {
        let s = r.settings
        let kinds = r.headline.map(\.kind)
        print("MQAR with fixed random embeddings (keys \(s.keyVocabulary), values \(s.valueVocabulary) tokens), read-out = nearest value to M·k.")
        print("Mean % ± 95% interval over seeds \(s.seeds.first ?? 0)-\(s.seeds.last ?? 0), \(s.sequences) sequences per seed and cell.")
        print("Hyper-parameters chosen on development seeds \(s.developmentSeeds.map(String.init).joined(separator: ", ")) only.\n")

        print("Default setting: d = \(s.dimension) (state \(s.dimension)×\(s.dimension)), \(s.phases) phases × \(s.pairsPerPhase) pairs, gap \(s.gap); "
              + "rebinding: the last phase rebinds \(s.rebinds) keys of the first")
        printTable(header: ["memory", "setting", "old phases", "newest phase", "rebinding", "stability-only setting", "old phases", "rebinding"],
                   rows: r.headline.map { [$0.kind.rawValue, $0.configuration.description, cell($0.older), cell($0.newest),
                                           cell($0.rebinding), $0.stabilityConfiguration.description, cell($0.stabilityOlder),
                                           cell($0.stabilityRebinding)] })
        print("\nMetaplastic minus the best of linear / gated / delta (paired over seeds, percentage points)")
        printTable(header: ["measure", "best baseline", "margin"],
                   rows: r.margins.map { [$0.measure, $0.baseline.rawValue, signedCell($0.difference)] })

        print("\nCapacity: one phase of P pairs, every pair queried; accuracy % by state size d×d")
        var capacityRows: [[String]] = []
        for dimension in s.stateDimensions {
            for pairs in s.pairCounts {
                capacityRows.append(["\(dimension)", "\(pairs)"] + kinds.map { kind in
                    r.capacity.first { $0.kind == kind && $0.dimension == dimension && $0.pairs == pairs }.map { cell($0.accuracy) } ?? ""
                })
            }
        }
        printTable(header: ["d", "pairs"] + kinds.map(\.rawValue), rows: capacityRows)

        print("\nStability: recall % of every earlier phase after n phases of \(s.pairsPerPhase) pairs (d = \(s.dimension))")
        printTable(header: ["phases"] + kinds.map(\.rawValue),
                   rows: (2...s.curvePhases).map { phases in
                       ["\(phases)"] + kinds.map { kind in
                           r.phases.first { $0.kind == kind && $0.phases == phases }.map { cell($0.older) } ?? ""
                       }
                   })

        print("\nPlasticity: % of rebound keys answered with the new value, the last of n phases rebinding \(s.rebinds) keys of the first")
        printTable(header: ["phases"] + kinds.map(\.rawValue),
                   rows: s.rebindingPhases.map { phases in
                       ["\(phases)"] + kinds.map { kind in
                           r.rebinding.first { $0.kind == kind && $0.phases == phases }.map { cell($0.accuracy) } ?? ""
                       }
                   })

        print("\nTuning (development seeds): grid size, chosen setting, development old-phase / rebinding %")
        printTable(header: ["memory", "grid", "setting", "dev old", "dev rebinding", "stability-only", "dev old"],
                   rows: r.tuning.map { [$0.kind.rawValue, "\($0.candidates)", $0.chosen.description,
                                         String(format: "%.1f", $0.developmentOld * 100), String(format: "%.1f", $0.developmentRebinding * 100),
                                         $0.stabilityChosen.description, String(format: "%.1f", $0.stabilityDevelopmentOld * 100)] })
    }
}
