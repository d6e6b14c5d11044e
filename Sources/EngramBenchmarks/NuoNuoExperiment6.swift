import EngramAssociative
import EngramData
import EngramMemory
import Foundation

/// NuoNuo's experiment 6 (`shared/data/memory-dev/nuonuo-exp06.json`), reproduced with our coders:
/// a random code against a learned one for cue → target associations recalled from a paraphrase.
///
/// Protocol (the file's): codes of 16,384 units with 50 active; a hetero-associative Hebbian
/// matrix `W += code(target)·code(cue)ᵀ` over all pairs (``HebbianAssociator``); a cue (or its
/// paraphrase) is coded, `W·code` is cut to its 50 strongest units, and the recall is right when
/// its own target's code overlaps that most (strictly; a tie counts as wrong). The scale test
/// stores `n` background pairs ("Background task {i} about topic {i % 20}" → "Background detail
/// {i} with info {i % 10}") beside its 5 pairs and compares only among the 5 real targets.
///
/// Coders: `gaussian` is NuoNuo's random one (a dense N(0, 1/384) projection, top 50: an
/// untrained ``BioHash``);
/// `fly hash` is Engram's (sparse binary projection of the centred input, Dasgupta et al.);
/// `BioHash` is learned without labels by the Krotov–Hopfield rule on LoCoMo's 5,882 turns
/// (NuoNuo trained its projection with a contrastive loss on noisy copies instead).
public enum NuoNuoExperiment6 {
    public struct Triple: Sendable, Equatable {
        public var cue: String
        public var target: String
        public var paraphrase: String
    }

    /// One coder's figures.
    public struct CoderResult: Sendable {
        public var coder: String
        /// Mean overlap (shared active units / 50) of a cue's code with its paraphrase's, and with other cues'.
        public var positiveOverlap: Double
        public var negativeOverlap: Double
        /// Right recalls among the 10 pairs, from the cue itself and from its paraphrase.
        public var exact: Int
        public var paraphrase: Int
        /// Background pairs → right paraphrase recalls among the 5 scale pairs.
        public var scale: [Int: Int]
    }

    public static let units = 16_384
    public static let activeUnits = 50
    public static let backgroundSizes = [0, 100, 500]
    /// NuoNuo's published figures (its `doc/exp06_biohash.md`): random, then its BioHash.
    public static let published = (
        positiveOverlap: (0.220, 0.572), negativeOverlap: (0.004, 0.060), exact: (10, 10), paraphrase: (8, 10),
        scale: [0: (100.0, 100.0), 100: (60.0, 40.0), 500: (60.0, 20.0)])

    /// Reads the `recall` and `scale` triples.
    public static func load(path: String) throws -> (recall: [Triple], scale: [Triple]) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw DataFileError.unreadable(path: path, reason: error.localizedDescription)
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw DataFileError.unreadable(path: path, reason: "not a JSON object")
        }
        func triples(_ key: String) throws -> [Triple] {
            guard let list = root[key] as? [[String: Any]], !list.isEmpty else {
                throw DataFileError.unreadable(path: path, reason: "no non-empty \"\(key)\" list of objects")
            }
            return try list.enumerated().map { index, item in
                guard let cue = item["cue"] as? String, let target = item["target"] as? String,
                      let paraphrase = item["paraphrase"] as? String else {
                    throw DataFileError.unreadable(path: path, reason: "\(key)[\(index)] lacks a cue, target or paraphrase string")
                }
                return Triple(cue: cue, target: target, paraphrase: paraphrase)
            }
        }
        return (try triples("recall"), try triples("scale"))
    }

    /// Runs the experiment for each coder; `training` are the vectors BioHash learns from.
    public static func run(
        recall: [Triple], scale: [Triple], encoder: any TextEmbedder, training: [[Float]], seed: UInt64 = 6
    ) throws -> [CoderResult] {
        let background = (0..<(backgroundSizes.max() ?? 0)).map {
            ("Background task \($0) about topic \($0 % 20)", "Background detail \($0) with info \($0 % 10)")
        }
        let texts = (recall + scale).flatMap { [$0.cue, $0.target, $0.paraphrase] } + background.flatMap { [$0.0, $0.1] }
        let embedding = Dictionary(zip(texts, encoder.embed(texts)), uniquingKeysWith: { a, _ in a })
        func vector(_ text: String) -> [Float] { embedding[text] ?? [] }

        var bioHash = try BioHash(inputDimension: encoder.dimension, units: units, activeUnits: activeUnits, seed: seed)
        try bioHash.train(on: training, epochs: 3, batchSize: 100, learningRate: 0.02)
        let coders: [(String, any SparseCoder)] = [
            // An untrained BioHash is NuoNuo's random code: N(0, 1/d) weights, the 50 largest outputs.
            ("gaussian", try BioHash(inputDimension: encoder.dimension, units: units, activeUnits: activeUnits, seed: seed)),
            ("fly hash", try FlyHash(inputDimension: encoder.dimension, units: units, activeUnits: activeUnits, seed: seed)),
            ("BioHash", bioHash),
        ]
        return try coders.map { name, coder in
            var codes: [String: SparseCode] = [:]
            for text in Set(texts) { codes[text] = try coder.code(vector(text)) }
            func code(_ text: String) -> SparseCode { codes[text]! }
            let k = Double(activeUnits)
            let positive = recall.map { Double(code($0.cue).overlap(with: code($0.paraphrase))) / k }
            var negative: [Double] = []
            for a in recall.indices { for b in recall.indices where a != b {
                negative.append(Double(code(recall[a].cue).overlap(with: code(recall[b].cue))) / k)
            } }

            let pairs = recall.map { (code($0.cue), code($0.target)) }
            let memory = try associator(pairs)
            let targets = recall.map { code($0.target) }
            let exact = try recall.indices.filter { try isRight(memory.recall(code(recall[$0].cue), k: activeUnits), $0, targets) }.count
            let paraphrased = try recall.indices.filter {
                try isRight(memory.recall(code(recall[$0].paraphrase), k: activeUnits), $0, targets)
            }.count

            var scaleResult: [Int: Int] = [:]
            let scaleTargets = scale.map { code($0.target) }
            for size in backgroundSizes {
                let stored = scale.map { (code($0.cue), code($0.target)) } + background.prefix(size).map { (code($0.0), code($0.1)) }
                let scaled = try associator(stored)
                scaleResult[size] = try scale.indices.filter {
                    try isRight(scaled.recall(code(scale[$0].paraphrase), k: activeUnits), $0, scaleTargets)
                }.count
            }
            return CoderResult(coder: name, positiveOverlap: positive.reduce(0, +) / Double(positive.count),
                               negativeOverlap: negative.reduce(0, +) / Double(max(negative.count, 1)),
                               exact: exact, paraphrase: paraphrased, scale: scaleResult)
        }
    }

    static func associator(_ pairs: [(SparseCode, SparseCode)]) throws -> HebbianAssociator {
        var memory = try HebbianAssociator(unitCount: units)
        for (cue, target) in pairs { try memory.store(cue: cue, target: target) }
        return memory
    }

    /// Whether `recalled` overlaps target `index` strictly more than every other target.
    static func isRight(_ recalled: SparseCode, _ index: Int, _ targets: [SparseCode]) -> Bool {
        let own = recalled.overlap(with: targets[index])
        return targets.indices.allSatisfy { $0 == index || recalled.overlap(with: targets[$0]) < own }
    }
}
