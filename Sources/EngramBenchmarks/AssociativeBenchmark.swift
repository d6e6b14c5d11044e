import EngramAssociative
import EngramData
import EngramKernels
import Foundation

/// `engram bench associative`: the experiments behind the seed system's claims about its
/// associative core, each on data generated from a seed (random unit vectors of dimension 384,
/// optionally real MiniLM embeddings for the neighbourhood experiment).
public enum AssociativeBenchmark {
    public struct Settings: Sendable {
        public var dimension = 384
        public var seed: UInt64 = 7
        /// Stored patterns for the noise experiment.
        public var patternCounts = [1_000, 5_000, 20_000]
        public var noiseLevels: [Float] = [0, 0.1, 0.2, 0.3, 0.5]
        /// Cues per (pattern count, noise level) cell.
        public var trials = 200
        /// Pairs stored for the capacity experiment.
        public var pairCounts = [1_000, 5_000, 10_000, 20_000]
        public var chains = 1_000
        public var hops = 6
        public var chainPairs = 20_000
        /// Units and active units of the fly-hash and BioHash codes.
        public var units = 4_096
        public var activeUnits = 32
        public var latencyQueries = 1_000
        public init() {}
    }

    /// Exact-recall accuracy of each method, by pattern count and noise level.
    public struct NoiseRow: Sendable {
        public var patterns: Int
        public var noise: Float
        public var flatHebbian: Double
        public var flyHashHebbian: Double
        public var hopfieldOneStage: Double
        public var hopfieldTwoStage: Double
    }

    public struct CapacityRow: Sendable {
        public var pairs: Int
        public var withWinnerTakeAll: Double
        public var withoutWinnerTakeAll: Double
    }

    public struct NeighbourhoodRow: Sendable {
        public var method: String
        public var bits: Int
        public var meanAveragePrecision: Double
        public var recallAt10: Double
    }

    public struct Result: Sendable {
        public var noise: [NoiseRow]
        public var capacity: [CapacityRow]
        public var chainAccuracyByHop: [Double]
        public var neighbourhood: [NeighbourhoodRow]
        public var neighbourhoodData: String
        public var latencyP50Milliseconds: Double
        public var latencyP99Milliseconds: Double
    }

    /// Runs every experiment. `embeddings`, when given, are used for the neighbourhood experiment.
    public static func run(_ settings: Settings, embeddings: [[Float]]? = nil, log: (String) -> Void = { _ in }) throws -> Result {
        log("noise tolerance…")
        let noise = try noiseTolerance(settings)
        log("capacity…")
        let capacity = try capacityExperiment(settings)
        log("chains…")
        let chains = try chainExperiment(settings)
        log("neighbourhood preservation…")
        let data = embeddings ?? clusteredVectors(count: 10_000, dimension: settings.dimension, seed: settings.seed)
        let neighbourhood = try neighbourhoodExperiment(settings, data: data)
        log("latency…")
        let latency = try latencyExperiment(settings)
        return Result(
            noise: noise, capacity: capacity, chainAccuracyByHop: chains, neighbourhood: neighbourhood,
            neighbourhoodData: embeddings == nil ? "synthetic clusters (10,000 vectors, 100 clusters)" : "MiniLM embeddings of \(data.count) LoCoMo turns",
            latencyP50Milliseconds: latency.p50, latencyP99Milliseconds: latency.p99)
    }

    // MARK: - Data

    /// `count` random unit vectors (isotropic Gaussian, normalised).
    static func unitVectors(count: Int, dimension: Int, generator: inout SeededGenerator) -> [[Float]] {
        (0..<count).map { _ in normalised((0..<dimension).map { _ in gaussian(&generator) }) }
    }

    /// A cue: `normalise(x + noise · u)` for a random unit vector u, so `noise` is the norm of the
    /// perturbation relative to the unit pattern (0.2 → the cue is about 11° away).
    static func corrupted(_ x: [Float], noise: Float, generator: inout SeededGenerator) -> [Float] {
        guard noise > 0 else { return x }
        let direction = normalised((0..<x.count).map { _ in gaussian(&generator) })
        return normalised(zip(x, direction).map { $0 + noise * $1 })
    }

    /// 100 cluster centres and members at angular noise around them: data with real neighbourhoods.
    static func clusteredVectors(count: Int, dimension: Int, seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(seed: seed &+ 99)
        let centres = unitVectors(count: 100, dimension: dimension, generator: &generator)
        return (0..<count).map { i in corrupted(centres[i % 100], noise: 0.8, generator: &generator) }
    }

    // MARK: - Experiments

    /// For each pattern count P and noise level: store P random unit vectors, then for `trials`
    /// stored patterns chosen at random, corrupt the pattern and count how often each method returns
    /// exactly that pattern.
    /// - flat Hebbian: the classical Hopfield network over the patterns' signs sᵢ = sign(xᵢ) ∈ {±1}ᵈ,
    ///   W = Σ sᵢsᵢᵀ with a zero diagonal; from sign(cue), s ← sign(W·s) until it stops changing (at
    ///   most 20 steps); exact when the final state is the stored pattern's sign vector.
    /// - fly-hash Hebbian: auto-association of fly-hash codes; recall the code of the cue's code,
    ///   answer the stored item whose code overlaps it most.
    /// - Hopfield one stage: ξ ← X·softmax(β Xᵀξ) over all P, answer the best match.
    /// - Hopfield two stage: top-20 by cosine, then settle over those 20.
    static func noiseTolerance(_ s: Settings) throws -> [NoiseRow] {
        var rows: [NoiseRow] = []
        var generator = SeededGenerator(seed: s.seed)
        let flyHash = try FlyHash(inputDimension: s.dimension, units: s.units, activeUnits: s.activeUnits, seed: s.seed)
        for count in s.patternCounts {
            let patterns = unitVectors(count: count, dimension: s.dimension, generator: &generator)
            let flat = BinaryHopfield(patterns: patterns)
            var oneStage = try HopfieldRetriever(dimension: s.dimension, candidates: nil)
            var twoStage = try HopfieldRetriever(dimension: s.dimension, candidates: 20)
            var associator = try HebbianAssociator(unitCount: s.units)
            var codebook = try ItemCodebook(unitCount: s.units)
            for (key, pattern) in patterns.enumerated() {
                try oneStage.add(pattern, key: key)
                try twoStage.add(pattern, key: key)
                let code = try flyHash.code(pattern)
                try associator.store(cue: code, target: code)
                try codebook.add(code, key: key)
            }
            for level in s.noiseLevels {
                var hits = [0, 0, 0, 0]
                for _ in 0..<s.trials {
                    let key = Int(generator.next(upperBound: UInt64(count)))
                    let cue = corrupted(patterns[key], noise: level, generator: &generator)
                    if flat.recall(cue) == flat.signs(patterns[key]) { hits[0] += 1 }
                    let recalled = try associator.recall(try flyHash.code(cue), k: s.activeUnits)
                    if try codebook.nearest(recalled).first?.key == key { hits[1] += 1 }
                    if try oneStage.search(cue, k: 1).first?.key == key { hits[2] += 1 }
                    if try twoStage.search(cue, k: 1).first?.key == key { hits[3] += 1 }
                }
                let t = Double(s.trials)
                rows.append(NoiseRow(patterns: count, noise: level, flatHebbian: Double(hits[0]) / t,
                                     flyHashHebbian: Double(hits[1]) / t, hopfieldOneStage: Double(hits[2]) / t,
                                     hopfieldTwoStage: Double(hits[3]) / t))
            }
        }
        return rows
    }

    /// Hetero-association capacity: store P random pairs (a → b) of random unit vectors, then cue
    /// with `trials` stored a's and count exact recalls. With winner-take-all: Hebbian over fly-hash
    /// codes (k of m units active); the answer is the stored b whose code overlaps the recalled code
    /// most. Without: the flat Hebbian matrix over the raw vectors, W = Σ b aᵀ (d × d); the answer
    /// is the stored b most similar to W·a.
    static func capacityExperiment(_ s: Settings) throws -> [CapacityRow] {
        var generator = SeededGenerator(seed: s.seed &+ 1)
        let flyHash = try FlyHash(inputDimension: s.dimension, units: s.units, activeUnits: s.activeUnits, seed: s.seed &+ 1)
        var rows: [CapacityRow] = []
        for count in s.pairCounts {
            let cues = unitVectors(count: count, dimension: s.dimension, generator: &generator)
            let targets = unitVectors(count: count, dimension: s.dimension, generator: &generator)
            var associator = try HebbianAssociator(unitCount: s.units)
            var codebook = try ItemCodebook(unitCount: s.units)
            let cueCodes = try cues.map { try flyHash.code($0) }
            for (key, (cueCode, target)) in zip(cueCodes, targets).enumerated() {
                let targetCode = try flyHash.code(target)
                try associator.store(cue: cueCode, target: targetCode)
                try codebook.add(targetCode, key: key)
            }
            let flat = FlatHebbian(cues: cues, targets: targets)
            var sparseHits = 0, flatHits = 0
            for _ in 0..<s.trials {
                let key = Int(generator.next(upperBound: UInt64(count)))
                let recalled = try associator.recall(cueCodes[key], k: s.activeUnits)
                if try codebook.nearest(recalled).first?.key == key { sparseHits += 1 }
                if flat.recall(cues[key]) == key { flatHits += 1 }
            }
            rows.append(CapacityRow(pairs: count, withWinnerTakeAll: Double(sparseHits) / Double(s.trials),
                                    withoutWinnerTakeAll: Double(flatHits) / Double(s.trials)))
        }
        return rows
    }

    /// `chains` chains of `hops` hops (items c₀ → c₁ → … → c₆ stored as pairs), among distractor
    /// pairs up to `chainPairs` pairs in all. From each c₀, recall hop by hop; after each hop the
    /// recalled code is cleaned up to the nearest stored item, which cues the next hop. Accuracy at
    /// hop h: the fraction of chains whose first h hops all reached the right item.
    static func chainExperiment(_ s: Settings) throws -> [Double] {
        var generator = SeededGenerator(seed: s.seed &+ 2)
        let flyHash = try FlyHash(inputDimension: s.dimension, units: s.units, activeUnits: s.activeUnits, seed: s.seed &+ 2)
        let chainItems = s.chains * (s.hops + 1)
        let distractorPairs = max(0, s.chainPairs - s.chains * s.hops)
        let vectors = unitVectors(count: chainItems + 2 * distractorPairs, dimension: s.dimension, generator: &generator)
        let codes = try vectors.map { try flyHash.code($0) }
        var associator = try HebbianAssociator(unitCount: s.units)
        var codebook = try ItemCodebook(unitCount: s.units)
        for (key, code) in codes.enumerated() { try codebook.add(code, key: key) }
        for chain in 0..<s.chains {
            for hop in 0..<s.hops {
                let from = chain * (s.hops + 1) + hop
                try associator.store(cue: codes[from], target: codes[from + 1])
            }
        }
        for pair in 0..<distractorPairs {
            try associator.store(cue: codes[chainItems + 2 * pair], target: codes[chainItems + 2 * pair + 1])
        }
        var correct = [Int](repeating: 0, count: s.hops)
        for chain in 0..<s.chains {
            var current = chain * (s.hops + 1)
            for hop in 0..<s.hops {
                let recalled = try associator.recall(codes[current], k: s.activeUnits)
                guard let next = try codebook.nearest(recalled).first?.key, next == current + 1 else { break }
                correct[hop] += 1
                current = next
            }
        }
        return correct.map { Double($0) / Double(s.chains) }
    }

    /// For 200 query vectors of `data`, the true neighbours are the 10 most cosine-similar others.
    /// Each method ranks the rest of `data` by code similarity (fly hash and BioHash: overlap of
    /// active units; LSH: Hamming distance); reported are the mean average precision of the true
    /// neighbours in that ranking and recall@10. LSH is given as many bits as the sparse codes have
    /// active units (Dasgupta et al.'s comparison) and, separately, as many as they have units.
    static func neighbourhoodExperiment(_ s: Settings, data: [[Float]]) throws -> [NeighbourhoodRow] {
        var generator = SeededGenerator(seed: s.seed &+ 3)
        let queries = (0..<min(200, data.count)).map { _ in Int(generator.next(upperBound: UInt64(data.count))) }
        let flat = data.flatMap { $0 }
        let truth: [[Int]] = queries.map { q in
            var scores = Kernels.gemv(flat, rows: data.count, columns: s.dimension, data[q])
            scores[q] = -.infinity
            return Kernels.topK(scores, k: 10)
        }
        func evaluate(_ method: String, bits: Int, similarity: (Int, Int) -> Float) -> NeighbourhoodRow {
            var averagePrecision = 0.0, recall = 0.0
            for (q, relevant) in zip(queries, truth) {
                let scores = data.indices.map { similarity(q, $0) }
                // Ties are ranked pessimistically: a true neighbour comes after every equal-scoring other.
                let relevantSet = Set(relevant)
                let order = data.indices.filter { $0 != q }.sorted { a, b in
                    scores[a] > scores[b] || (scores[a] == scores[b] && !relevantSet.contains(a) && relevantSet.contains(b))
                }
                var found = 0, precisionSum = 0.0
                for (rank, item) in order.enumerated() where relevantSet.contains(item) {
                    found += 1
                    precisionSum += Double(found) / Double(rank + 1)
                    if found == relevant.count { break }
                }
                averagePrecision += precisionSum / Double(relevant.count)
                recall += Double(Set(order.prefix(10)).intersection(relevantSet).count) / 10
            }
            return NeighbourhoodRow(method: method, bits: bits, meanAveragePrecision: averagePrecision / Double(queries.count),
                                    recallAt10: recall / Double(queries.count))
        }
        let flyHash = try FlyHash(inputDimension: s.dimension, units: s.units, activeUnits: s.activeUnits, seed: s.seed &+ 3)
        let flyCodes = try data.map { try flyHash.code($0) }
        var bioHash = try BioHash(inputDimension: s.dimension, units: s.units, activeUnits: s.activeUnits, seed: s.seed &+ 3)
        try bioHash.train(on: data, epochs: 3, batchSize: 100, learningRate: 0.02)
        let bioCodes = try data.map { try bioHash.code($0) }
        var rows = [
            evaluate("fly hash", bits: s.units) { Float(flyCodes[$0].overlap(with: flyCodes[$1])) },
            evaluate("BioHash", bits: s.units) { Float(bioCodes[$0].overlap(with: bioCodes[$1])) },
        ]
        for bits in [s.activeUnits, s.units] {
            let lsh = try RandomProjectionLSH(inputDimension: s.dimension, bits: bits, seed: s.seed &+ 3)
            let lshCodes = try lsh.codes(data)
            rows.append(evaluate("LSH", bits: bits) { -Float(lshCodes[$0].hammingDistance(to: lshCodes[$1])) })
        }
        return rows
    }

    /// Two-stage Hopfield recall among 20,000 stored random unit vectors: p50 and p99 of one query
    /// (a stored pattern at noise 0.2), one thread.
    static func latencyExperiment(_ s: Settings) throws -> (p50: Double, p99: Double) {
        var generator = SeededGenerator(seed: s.seed &+ 4)
        let patterns = unitVectors(count: 20_000, dimension: s.dimension, generator: &generator)
        var retriever = try HopfieldRetriever(dimension: s.dimension, candidates: 20)
        for (key, pattern) in patterns.enumerated() { try retriever.add(pattern, key: key) }
        let cues = (0..<s.latencyQueries).map { _ in
            corrupted(patterns[Int(generator.next(upperBound: UInt64(20_000)))], noise: 0.2, generator: &generator)
        }
        for cue in cues.prefix(20) { _ = try retriever.search(cue, k: 1) }
        let clock = ContinuousClock()
        let times = try cues.map { cue in
            let start = clock.now
            _ = try retriever.search(cue, k: 1)
            return (clock.now - start).seconds * 1000
        }.sorted()
        return (EncodeBenchmark.percentile(times, 0.5), EncodeBenchmark.percentile(times, 0.99))
    }

    // MARK: - Helpers

    static func normalised(_ v: [Float]) -> [Float] {
        let norm = max(Kernels.norm(v), 1e-30)
        return v.map { $0 / norm }
    }

    static func gaussian(_ generator: inout SeededGenerator) -> Float {
        let u = max(generator.nextUnitDouble(), .leastNormalMagnitude), v = generator.nextUnitDouble()
        return Float((-2 * log(u)).squareRoot() * cos(2 * .pi * v))
    }
}

/// The classical (binary) Hopfield network: Hebbian outer products of ±1 patterns, sign updates.
struct BinaryHopfield {
    let dimension: Int
    var weights: [Float]

    init(patterns: [[Float]]) {
        let dimension = patterns.first?.count ?? 0
        self.dimension = dimension
        var w = [Float](repeating: 0, count: dimension * dimension)
        w.withUnsafeMutableBufferPointer { w in
            for pattern in patterns {
                let s = Self.signVector(pattern)
                s.withUnsafeBufferPointer { s in
                    for i in 0..<dimension {
                        Kernels.axpy(s[i], s, UnsafeMutableBufferPointer(rebasing: w[i * dimension..<(i + 1) * dimension]))
                    }
                }
            }
            for i in 0..<dimension { w[i * dimension + i] = 0 }
        }
        weights = w
    }

    static func signVector(_ x: [Float]) -> [Float] { x.map { $0 >= 0 ? 1 : -1 } }

    func signs(_ x: [Float]) -> [Float] { Self.signVector(x) }

    /// The state the network settles into from sign(cue).
    func recall(_ cue: [Float]) -> [Float] {
        var state = Self.signVector(cue)
        for _ in 0..<20 {
            let next = Self.signVector(Kernels.gemv(weights, rows: dimension, columns: dimension, state))
            if next == state { break }
            state = next
        }
        return state
    }
}

/// The flat hetero-associative baseline: an outer-product matrix over the raw vectors,
/// W = Σ targetᵢ cueᵢᵀ.
struct FlatHebbian {
    let dimension: Int
    let targets: [Float]
    let count: Int
    let weights: [Float]

    init(cues: [[Float]], targets vectors: [[Float]]) {
        let dimension = vectors.first?.count ?? 0
        self.dimension = dimension
        count = vectors.count
        targets = vectors.flatMap { $0 }
        var w = [Float](repeating: 0, count: dimension * dimension)
        w.withUnsafeMutableBufferPointer { w in
            for (cue, target) in zip(cues, vectors) {
                cue.withUnsafeBufferPointer { cue in
                    for i in 0..<dimension {
                        Kernels.axpy(target[i], cue, UnsafeMutableBufferPointer(rebasing: w[i * dimension..<(i + 1) * dimension]))
                    }
                }
            }
        }
        weights = w
    }

    /// The key of the stored target most similar to W·cue.
    func recall(_ cue: [Float]) -> Int? {
        let state = Kernels.gemv(weights, rows: dimension, columns: dimension, cue)
        return Kernels.argmax(Kernels.gemv(targets, rows: count, columns: dimension, state))
    }
}
