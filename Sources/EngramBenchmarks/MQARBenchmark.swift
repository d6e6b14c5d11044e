import EngramAssociative
import EngramKernels
import Foundation

/// `engram bench mqar`: the fast-weight memories on Multi-Query Associative Recall (``MQARTask``)
/// without training, as accuracy curves with 95% intervals over seeds.
///
/// Protocol:
/// 1. **Tuning.** Each memory's hyper-parameters (γ, β, the metaplastic prior precision and
///    relaxation) are chosen from a small grid (``grid(_:)``) on the development seeds only, at the
///    default setting (`dimension`, `phases` × `pairsPerPhase`, `rebinds`), by the mean of the
///    continual old-phase accuracy and the rebinding accuracy: one setting per memory that must both
///    keep old pairs and take new values. A second choice maximises old-phase accuracy alone (the
///    stability-only setting). The reported seeds never enter the choice.
/// 2. **Curves** on the reported seeds, every memory on the same sequences: capacity (one phase of
///    `pairs` pairs, every pair queried, per state size `d × d`); old-phase recall after each of
///    `curvePhases` phases (every pair of the earlier phases queried) with the newest phase's recall
///    beside it; rebinding accuracy when the last of `n` phases rebinds `rebinds` keys of the first.
/// 3. **Intervals.** Each seed draws its own embeddings and `sequences` sequences per cell; its
///    accuracy is the mean over them. Intervals are `mean ± t₀.₉₇₅ · s / √seeds` over seeds; the
///    margin of the metaplastic memory over the best of linear, gated and delta (the best by mean)
///    is the same over the per-seed differences (paired).
public enum MQARBenchmark {
    public struct Settings: Sendable {
        /// `dKey = dValue` of the continual and rebinding experiments.
        public var dimension = 64
        /// `dKey = dValue` of the capacity curve's memories.
        public var stateDimensions = [32, 64, 128]
        public var pairCounts = [16, 32, 64, 128, 256]
        public var pairsPerPhase = 16
        /// Phases of the default setting (the headline and the tuning).
        public var phases = 8
        /// The old-phase curve runs from 2 to this many phases.
        public var curvePhases = 16
        /// Phase counts of the rebinding curve (the last phase rebinds keys of the first).
        public var rebindingPhases = [2, 4, 8, 16]
        public var rebinds = 8
        /// Distractor writes after each phase (0: none).
        public var gap = 0
        public var keyVocabulary = 4_096
        public var valueVocabulary = 1_024
        /// Sequences per seed and cell.
        public var sequences = 12
        public var seeds: [UInt64] = Array(1...10)
        public var developmentSeeds: [UInt64] = [1_001, 1_002, 1_003]
        /// Threads for the seeds and grid points (the figures do not depend on it).
        public var threads = ProcessInfo.processInfo.activeProcessorCount
        public init() {}

        /// Throws ``MQARTask/Failure`` for settings the experiments cannot run with (the sequences'
        /// own conditions are checked when they are drawn).
        public func validate() throws {
            func require(_ condition: Bool, _ message: String) throws {
                if !condition { throw MQARTask.Failure(description: message) }
            }
            try require(dimension >= 1 && stateDimensions.allSatisfy { $0 >= 1 }, "state dimensions must be at least 1")
            try require(phases >= 2, "the default setting needs at least 2 phases, got \(phases)")
            try require(curvePhases >= phases, "the phase curve (\(curvePhases) phases) must reach the default \(phases) phases")
            try require(rebindingPhases.allSatisfy { $0 >= 2 }, "every rebinding phase count must be at least 2")
            try require(sequences >= 1, "at least one sequence per seed, got \(sequences)")
            try require(!seeds.isEmpty && !developmentSeeds.isEmpty, "both seed sets must be non-empty")
            try require(Set(seeds).isDisjoint(with: developmentSeeds), "the reported seeds must differ from the development seeds")
        }
    }

    /// The memories compared; the raw value is the name used in tables and JSON.
    public enum Kind: String, Sendable, CaseIterable {
        case linear, gated, delta, gatedDelta = "gated_delta", metaplastic
    }

    /// One memory with its hyper-parameters.
    public struct Configuration: Sendable, Hashable, CustomStringConvertible {
        public var kind: Kind
        public var gamma: Float?
        public var beta: Float?
        public var priorPrecision: Float?
        public var relaxation: Float?

        /// A new memory of this configuration.
        public func makeMemory(dKey: Int, dValue: Int) throws -> any FastWeightMemory {
            switch kind {
            case .linear: return try LinearAttentionMemory(dKey: dKey, dValue: dValue)
            case .gated: return try GatedLinearMemory(dKey: dKey, dValue: dValue, gate: .scalar(gamma ?? 1))
            case .delta: return try DeltaRuleMemory(dKey: dKey, dValue: dValue, beta: beta ?? 1)
            case .gatedDelta: return try GatedDeltaMemory(dKey: dKey, dValue: dValue, gate: .scalar(gamma ?? 1), beta: beta ?? 1)
            case .metaplastic:
                return try MetaplasticMemory(dKey: dKey, dValue: dValue, priorPrecision: priorPrecision ?? 1, relaxation: relaxation ?? 1)
            }
        }

        /// `γ 0.99, β 0.2`; `-` for a memory without hyper-parameters.
        public var description: String {
            var parts: [String] = []
            if let gamma { parts.append("γ \(gamma)") }
            if let beta { parts.append("β \(beta)") }
            if let priorPrecision { parts.append("I₀ \(priorPrecision)") }
            if let relaxation { parts.append("ρ \(relaxation)") }
            return parts.isEmpty ? "-" : parts.joined(separator: ", ")
        }

        /// The hyper-parameters by name, for JSON.
        public var parameters: [String: Double] {
            // Through the shortest decimal text, so that 0.999 is 0.999 and not 0.99900001287….
            func decimal(_ value: Float?) -> Double? { value.map { Double("\($0)") ?? Double($0) } }
            var result: [String: Double] = [:]
            result["gamma"] = decimal(gamma)
            result["beta"] = decimal(beta)
            result["prior_precision"] = decimal(priorPrecision)
            result["relaxation"] = decimal(relaxation)
            return result
        }
    }

    /// The tuning grid of each memory (γ = 1 is excluded from the gated grid: that is linear
    /// attention, reported as its own memory).
    public static func grid(_ kind: Kind) -> [Configuration] {
        switch kind {
        case .linear:
            return [Configuration(kind: .linear)]
        case .gated:
            return [0.95, 0.98, 0.99, 0.995, 0.998, 0.999].map { Configuration(kind: .gated, gamma: $0) }
        case .delta:
            return [0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1].map { Configuration(kind: .delta, beta: $0) }
        case .gatedDelta:
            return [Float(0.99), 0.995, 0.998, 0.999].flatMap { gamma in
                [Float(0.1), 0.2, 0.5, 1].map { Configuration(kind: .gatedDelta, gamma: gamma, beta: $0) }
            }
        case .metaplastic:
            return [Float(0.3), 1, 3].flatMap { prior in
                [Float(0.99), 0.995, 0.998, 0.999, 1].map { Configuration(kind: .metaplastic, priorPrecision: prior, relaxation: $0) }
            }
        }
    }

    /// A mean over seeds with its 95% interval.
    public struct Interval: Sendable {
        /// The per-seed values, in seed order.
        public let samples: [Double]
        public let mean: Double
        /// `t₀.₉₇₅(n − 1) · s / √n`; NaN for fewer than 2 samples.
        public let halfWidth95: Double

        public init(_ samples: [Double]) {
            self.samples = samples
            let n = Double(samples.count)
            let average = samples.isEmpty ? .nan : samples.reduce(0, +) / n
            mean = average
            guard samples.count >= 2 else {
                halfWidth95 = .nan
                return
            }
            let variance = samples.reduce(0) { $0 + ($1 - average) * ($1 - average) } / (n - 1)
            halfWidth95 = MQARBenchmark.studentT975(degreesOfFreedom: samples.count - 1) * (variance / n).squareRoot()
        }

        /// The interval of the per-seed differences `self − other` (paired by seed).
        public func minus(_ other: Interval) -> Interval {
            Interval(zip(samples, other.samples).map { $0 - $1 })
        }
    }

    /// The 0.975 quantile of Student's t distribution.
    static func studentT975(degreesOfFreedom df: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        guard df >= 1 else { return .nan }
        return df <= table.count ? table[df - 1] : 1.96
    }

    /// What the development seeds chose for one memory.
    public struct Tuning: Sendable {
        public let kind: Kind
        /// The default setting: best mean of old-phase and rebinding accuracy.
        public let chosen: Configuration
        public let developmentOld: Double
        public let developmentRebinding: Double
        /// The stability-only setting: best old-phase accuracy.
        public let stabilityChosen: Configuration
        public let stabilityDevelopmentOld: Double
        public let candidates: Int
    }

    public struct CapacityRow: Sendable {
        public let kind: Kind
        public let dimension: Int
        public let pairs: Int
        public let accuracy: Interval
    }

    public struct PhaseRow: Sendable {
        public let kind: Kind
        public let phases: Int
        /// Recall of every pair of the phases before the last.
        public let older: Interval
        /// Recall of the last phase's pairs.
        public let newest: Interval
    }

    public struct RebindingRow: Sendable {
        public let kind: Kind
        /// Phases written; the last rebinds keys of the first.
        public let phases: Int
        public let accuracy: Interval
    }

    /// Each memory at the default setting.
    public struct Headline: Sendable {
        public let kind: Kind
        public let configuration: Configuration
        public let older: Interval
        public let newest: Interval
        public let rebinding: Interval
        public let stabilityConfiguration: Configuration
        /// Old-phase recall with the stability-only setting.
        public let stabilityOlder: Interval
        /// Rebinding accuracy with the stability-only setting.
        public let stabilityRebinding: Interval
    }

    /// The metaplastic memory minus its strongest baseline, paired over seeds.
    public struct Margin: Sendable {
        public let measure: String
        public let baseline: Kind
        public let difference: Interval
    }

    public struct Result: Sendable {
        public let settings: Settings
        public let tuning: [Tuning]
        public let capacity: [CapacityRow]
        public let phases: [PhaseRow]
        public let rebinding: [RebindingRow]
        public let headline: [Headline]
        public let margins: [Margin]
    }

    /// The baselines of the claim: the metaplastic memory against the best of these.
    public static let baselines: [Kind] = [.linear, .gated, .delta]

    // MARK: - Running

    /// Tunes on the development seeds, then runs every curve on the reported seeds. Seeds (and
    /// grid points) run in parallel on `settings.threads` threads; the result does not depend on
    /// the thread count.
    public static func run(_ settings: Settings, log: (String) -> Void = { _ in }) throws -> Result {
        try settings.validate()
        log("tuning on development seeds \(settings.developmentSeeds.map(String.init).joined(separator: ", "))…")
        let tuning = try tune(settings)
        let chosen = tuning.map(\.chosen)
        let stability = tuning.map(\.stabilityChosen)
        let seeds = settings.seeds

        log("capacity…")
        let cells = settings.stateDimensions.flatMap { dimension in settings.pairCounts.map { (dimension, $0) } }
        let capacityRuns = try parallelMap(cells.count * seeds.count, threads: settings.threads) { item in
            let (dimension, pairs) = cells[item / seeds.count]
            return try capacityAccuracy(chosen, dimension: dimension, pairs: pairs, seed: seeds[item % seeds.count], settings)
        }
        var capacity: [CapacityRow] = []
        for (cell, (dimension, pairs)) in cells.enumerated() {
            let perSeed = capacityRuns[cell * seeds.count..<(cell + 1) * seeds.count]
            for (index, configuration) in chosen.enumerated() {
                capacity.append(CapacityRow(kind: configuration.kind, dimension: dimension, pairs: pairs,
                                            accuracy: Interval(perSeed.map { $0[index] })))
            }
        }

        log("old-phase recall over \(settings.curvePhases) phases…")
        // curves[seed][configuration][phase − 1] = (older, newest), the chosen then the stability-only settings.
        let curves = try parallelMap(seeds.count, threads: settings.threads) { item in
            try phaseCurves(chosen + stability, phases: settings.curvePhases, seed: seeds[item], settings)
        }
        var phaseRows: [PhaseRow] = []
        for (index, configuration) in chosen.enumerated() {
            for phase in 2...settings.curvePhases {
                phaseRows.append(PhaseRow(kind: configuration.kind, phases: phase,
                                          older: Interval(curves.map { $0[index][phase - 1].older }),
                                          newest: Interval(curves.map { $0[index][phase - 1].newest })))
            }
        }

        log("rebinding…")
        let rebindingPhases = Array(Set(settings.rebindingPhases + [settings.phases])).sorted()
        let rebindingRuns = try parallelMap(rebindingPhases.count * seeds.count, threads: settings.threads) { item in
            try rebindingAccuracy(chosen + stability, phases: rebindingPhases[item / seeds.count], seed: seeds[item % seeds.count], settings)
        }
        var rebindingRows: [RebindingRow] = []
        var rebindingAtDefault: [Interval] = []
        for (cell, phases) in rebindingPhases.enumerated() {
            let perSeed = rebindingRuns[cell * seeds.count..<(cell + 1) * seeds.count]
            // The chosen settings, then the stability-only ones.
            let intervals = (chosen + stability).indices.map { index in Interval(perSeed.map { $0[index] }) }
            if phases == settings.phases { rebindingAtDefault = intervals }
            guard settings.rebindingPhases.contains(phases) else { continue }
            for (index, configuration) in chosen.enumerated() {
                rebindingRows.append(RebindingRow(kind: configuration.kind, phases: phases, accuracy: intervals[index]))
            }
        }

        let count = chosen.count
        let headline = chosen.indices.map { index in
            Headline(kind: chosen[index].kind, configuration: chosen[index],
                     older: Interval(curves.map { $0[index][settings.phases - 1].older }),
                     newest: Interval(curves.map { $0[index][settings.phases - 1].newest }),
                     rebinding: rebindingAtDefault[index],
                     stabilityConfiguration: stability[index],
                     stabilityOlder: Interval(curves.map { $0[count + index][settings.phases - 1].older }),
                     stabilityRebinding: rebindingAtDefault[count + index])
        }
        let margins = [
            margin("continual old-phase recall", headline, \.older),
            margin("rebinding", headline, \.rebinding),
            margin("continual old-phase recall, stability-only settings", headline, \.stabilityOlder),
        ].compactMap { $0 }
        return Result(settings: settings, tuning: tuning, capacity: capacity, phases: phaseRows,
                      rebinding: rebindingRows, headline: headline, margins: margins)
    }

    /// The metaplastic memory's measure minus the best baseline's (by mean), paired over seeds.
    static func margin(_ measure: String, _ headline: [Headline], _ value: KeyPath<Headline, Interval>) -> Margin? {
        guard let metaplastic = headline.first(where: { $0.kind == .metaplastic }),
              let best = headline.filter({ baselines.contains($0.kind) }).max(by: { $0[keyPath: value].mean < $1[keyPath: value].mean })
        else { return nil }
        return Margin(measure: measure, baseline: best.kind, difference: metaplastic[keyPath: value].minus(best[keyPath: value]))
    }

    /// Picks every memory's configurations on the development seeds.
    static func tune(_ settings: Settings) throws -> [Tuning] {
        let kinds = Kind.allCases
        let seeds = settings.developmentSeeds
        // One item per (memory, development seed): every grid point's old-phase and rebinding accuracy.
        let runs = try parallelMap(kinds.count * seeds.count, threads: settings.threads) { item in
            let candidates = grid(kinds[item / seeds.count]), seed = seeds[item % seeds.count]
            let curves = try phaseCurves(candidates, phases: settings.phases, seed: seed, settings)
            let rebound = try rebindingAccuracy(candidates, phases: settings.phases, seed: seed, settings)
            return candidates.indices.map { (old: curves[$0][settings.phases - 1].older, rebinding: rebound[$0]) }
        }
        return kinds.enumerated().map { kindIndex, kind in
            let candidates = grid(kind)
            let perSeed = runs[kindIndex * seeds.count..<(kindIndex + 1) * seeds.count]
            let old = candidates.indices.map { index in perSeed.reduce(0) { $0 + $1[index].old } / Double(seeds.count) }
            let rebinding = candidates.indices.map { index in perSeed.reduce(0) { $0 + $1[index].rebinding } / Double(seeds.count) }
            // The first best in grid order wins a tie.
            let joint = candidates.indices.max { (old[$0] + rebinding[$0], $1) < (old[$1] + rebinding[$1], $0) } ?? 0
            let stable = candidates.indices.max { (old[$0], $1) < (old[$1], $0) } ?? 0
            return Tuning(kind: kind, chosen: candidates[joint], developmentOld: old[joint], developmentRebinding: rebinding[joint],
                          stabilityChosen: candidates[stable], stabilityDevelopmentOld: old[stable], candidates: candidates.count)
        }
    }

    /// `body(0..<count)` on up to `threads` threads, in index order; the first error is rethrown.
    static func parallelMap<T: Sendable>(_ count: Int, threads: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
        let slots = Slots<T>(count: count)
        let workers = max(1, min(threads, count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for item in stride(from: worker, to: count, by: workers) {
                slots.set(item, Swift.Result { try body(item) })
            }
        }
        return try slots.values.map { slot in
            guard let slot else { preconditionFailure("parallelMap: item left without a result") }
            return try slot.get()
        }
    }

    /// Results written by concurrent workers, each slot once, read after they finish.
    final class Slots<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [Swift.Result<T, any Error>?]
        init(count: Int) { storage = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Swift.Result<T, any Error>) { lock.withLock { storage[index] = value } }
        var values: [Swift.Result<T, any Error>?] { lock.withLock { storage } }
    }

    // MARK: - Experiments (one seed; every configuration on the same sequences)

    /// The generator of one experiment's sequences: the seed and the experiment's tag and size.
    static func generator(seed: UInt64, experiment: UInt64, size: Int) -> SeededGenerator {
        SeededGenerator(seed: seed &* 1_000_003 &+ experiment &* 10_007 &+ UInt64(size))
    }

    static func vocabulary(dimension: Int, seed: UInt64, _ settings: Settings) throws -> MQARTask.Vocabulary {
        try MQARTask.Vocabulary(keyDimension: dimension, valueDimension: dimension, keyCount: settings.keyVocabulary,
                                valueCount: settings.valueVocabulary, seed: seed)
    }

    /// Per configuration, the mean accuracy over `sequences` single-phase sequences of `pairs` pairs.
    static func capacityAccuracy(_ configurations: [Configuration], dimension: Int, pairs: Int, seed: UInt64,
                                 _ settings: Settings) throws -> [Double] {
        let vocabulary = try vocabulary(dimension: dimension, seed: seed, settings)
        var generator = generator(seed: seed, experiment: 1, size: dimension * 100_000 + pairs)
        var memories = try configurations.map { try $0.makeMemory(dKey: dimension, dValue: dimension) }
        var totals = [Double](repeating: 0, count: configurations.count)
        for _ in 0..<settings.sequences {
            let sequence = try MQARTask.recall(pairs: pairs, gap: settings.gap, vocabulary: vocabulary, generator: &generator)
            for index in memories.indices {
                let answers = try MQARTask.answer(sequence, with: &memories[index], vocabulary: vocabulary)
                totals[index] += fraction(answers) / Double(settings.sequences)
            }
        }
        return totals
    }

    /// Per configuration and phase count `1...phases`, the mean old-phase and newest-phase recall.
    static func phaseCurves(_ configurations: [Configuration], phases: Int, seed: UInt64,
                            _ settings: Settings) throws -> [[(older: Double, newest: Double)]] {
        let vocabulary = try vocabulary(dimension: settings.dimension, seed: seed, settings)
        var generator = generator(seed: seed, experiment: 2, size: phases)
        var memories = try configurations.map { try $0.makeMemory(dKey: settings.dimension, dValue: settings.dimension) }
        var totals = [[(older: Double, newest: Double)]](repeating: Array(repeating: (0, 0), count: phases), count: configurations.count)
        for _ in 0..<settings.sequences {
            let sequence = try MQARTask.continual(phases: phases, pairsPerPhase: settings.pairsPerPhase, gap: settings.gap,
                                                  vocabulary: vocabulary, generator: &generator)
            for index in memories.indices {
                let recalls = try MQARTask.answerAfterEachPhase(sequence, with: &memories[index], vocabulary: vocabulary)
                for (phase, recall) in recalls.enumerated() {
                    totals[index][phase].older += fraction(recall.older) / Double(settings.sequences)
                    totals[index][phase].newest += fraction(recall.newest) / Double(settings.sequences)
                }
            }
        }
        return totals
    }

    /// Per configuration, the fraction of rebound keys answered with their newest value.
    static func rebindingAccuracy(_ configurations: [Configuration], phases: Int, seed: UInt64,
                                  _ settings: Settings) throws -> [Double] {
        let vocabulary = try vocabulary(dimension: settings.dimension, seed: seed, settings)
        var generator = generator(seed: seed, experiment: 3, size: phases)
        var memories = try configurations.map { try $0.makeMemory(dKey: settings.dimension, dValue: settings.dimension) }
        var totals = [Double](repeating: 0, count: configurations.count)
        for _ in 0..<settings.sequences {
            let sequence = try MQARTask.rebinding(phases: phases, pairsPerPhase: settings.pairsPerPhase, rebinds: settings.rebinds,
                                                  gap: settings.gap, vocabulary: vocabulary, generator: &generator)
            for index in memories.indices {
                let answers = try MQARTask.answer(sequence, with: &memories[index], vocabulary: vocabulary)
                totals[index] += fraction(answers) / Double(settings.sequences)
            }
        }
        return totals
    }

    /// The share of `true`; 0 for no answers (a phase with nothing older yet).
    static func fraction(_ answers: [Bool]) -> Double {
        answers.isEmpty ? 0 : Double(answers.filter { $0 }.count) / Double(answers.count)
    }
}
