import EngramAssociative
import EngramData
import EngramKernels
import Foundation

/// `engram bench scale`: nearest-neighbour recall among 20,000 to 1,000,000 stored vectors of
/// dimension 384 with ``InvertedFileIndex``, approximate and exact, against a float32 brute-force
/// scan; optionally side by side with faiss and hnswlib (`Benchmarks/peers/recall_faiss.py`) on
/// the same vectors and queries.
///
/// **Data.** Uniform random vectors have no neighbourhood structure for an index to use, and
/// sentence embeddings are far from uniform (anisotropic, clustered by topic). The default data is
/// ``SyntheticEmbeddings``, a seeded hierarchical Gaussian mixture whose parameters were chosen so
/// that a sample of 5,882 vectors resembles the all-MiniLM-L6-v2 embeddings of LoCoMo's 5,882
/// turns (its doc comment gives the generator and the comparison). With `vectorsPath`, the
/// vectors of a `.npy` file are used instead: its last `queries + tuningQueries` rows are the
/// queries, the first `size` of the others the stored items.
///
/// **Method, for each size N.** Every stored vector is added to an untrained index, which is then
/// trained (spherical k-means, L = the power of two nearest 2·√N lists, 10 iterations on
/// min(N, 64·L) sampled vectors; the projected codes' directions from the same sample) and files
/// and codes each vector again; "build" is the time of both, on one thread. The true neighbours of every query are the top 10 of a float32 scan of all N
/// (one matrix product per block of items). The probe count p is the smallest of 1, 2, 3, 4, 6,
/// 8, 12, 16, 24, 32, 48, … whose recall@10 on the *tuning* queries (drawn like the others but not
/// measured) reaches `targetRecall`; recall@10 and latency are then measured on the other
/// queries with that p. Latency is one query at a time on one thread, after 20 warm-up queries,
/// including the query's validation and normalisation. Exact mode is timed on the first
/// `exactQueries` queries, and its results are compared with the float32 scan's.
public enum ScaleBenchmark {
    public struct Settings: Sendable {
        public var sizes = [20_000, 100_000, 1_000_000]
        public var dimension = 384
        public var seed: UInt64 = 7
        /// Measured queries (not stored in the index).
        public var queries = 1_000
        /// Queries used only to choose the probe count.
        public var tuningQueries = 1_000
        /// Queries timed in exact mode (the first of the measured ones).
        public var exactQueries = 200
        public var k = 10
        public var targetRecall = 0.95
        public var topicGrowth = SyntheticEmbeddings.TopicGrowth.sqrt
        public var iterations = 10
        /// A `.npy` file of float32 vectors (n × dimension) to use instead of generated ones.
        public var vectorsPath: String?
        /// Where to write each size's vectors and queries as `.npy` files for the peers, with a
        /// `manifest.json`; `nil` writes nothing.
        public var peerDirectory: URL?
        public init() {}
    }

    /// The figures of one size.
    public struct SizeResult: Sendable {
        public var size: Int
        public var lists: Int
        public var largestList: Int
        /// The coordinates the codes cover (``InvertedFileIndex/codeDimension``).
        public var codeDimension: Int
        public var probes: Int
        public var tuningRecall: Double
        public var recallAt10: Double
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var exactP50Milliseconds: Double
        public var exactP99Milliseconds: Double
        /// The fraction of exact-mode queries whose 10 keys are those of the float32 scan.
        public var exactAgreement: Double
        public var addSeconds: Double
        public var trainSeconds: Double
        /// ``InvertedFileIndex/memoryFootprint`` divided by N.
        public var bytesPerItem: Double
        public var payloadBytesPerItem: Int
        /// Medians over the measured queries of the cosine of their nearest and 10th-nearest item.
        public var nearestCosine: Double
        public var tenthCosine: Double
    }

    public struct Result: Sendable {
        public var data: String
        public var queries: Int
        public var exactQueries: Int
        public var sizes: [SizeResult]
    }

    public static func run(_ s: Settings, log: (String) -> Void = { _ in }) throws -> Result {
        precondition(s.k >= 1 && s.queries >= 1 && s.tuningQueries >= 1 && s.dimension >= 1
                     && (1...s.queries).contains(s.exactQueries) && s.sizes.allSatisfy { $0 >= 1 },
                     "ScaleBenchmark: sizes, queries and k must be positive, exact queries at most the queries")
        let real = try s.vectorsPath.map { try loadVectors(path: $0, dimension: s.dimension) }
        if let real, let path = s.vectorsPath, let largest = s.sizes.max(), largest + s.queries + s.tuningQueries > real.count {
            throw DataFileError.unreadable(
                path: path, reason: "it has \(real.count) vectors; size \(largest) needs \(largest + s.queries + s.tuningQueries) with the queries")
        }
        if let directory = s.peerDirectory {
            // Files an interrupted run left behind would be read as this run's.
            try? FileManager.default.removeItem(at: directory)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        var results: [SizeResult] = []
        for size in s.sizes {
            log("\(size): data…")
            let data = real.map { $0.split(size: size, queries: s.queries, tuning: s.tuningQueries) }
                ?? SyntheticEmbeddings(size: size, dimension: s.dimension, seed: s.seed &+ UInt64(size), growth: s.topicGrowth)
                    .sample(items: size, queries: s.queries, tuning: s.tuningQueries)
            if let directory = s.peerDirectory {
                try writeNumPy(data.items, rows: size, columns: s.dimension, to: directory.appendingPathComponent("base-\(size).npy"))
                try writeNumPy(data.queries, rows: s.queries, columns: s.dimension, to: directory.appendingPathComponent("query-\(size).npy"))
                try writeNumPy(data.tuning, rows: s.tuningQueries, columns: s.dimension, to: directory.appendingPathComponent("tune-\(size).npy"))
            }
            results.append(try measure(data, size: size, settings: s, log: log))
        }
        if let directory = s.peerDirectory {
            let manifest: [String: Any] = [
                "sizes": s.sizes, "dimension": s.dimension, "k": s.k, "queries": s.queries,
                "tuning_queries": s.tuningQueries, "exact_queries": s.exactQueries, "target_recall": s.targetRecall,
            ]
            try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
                .write(to: directory.appendingPathComponent("manifest.json"))
        }
        let description = s.vectorsPath.map { "vectors of \($0) (normalised; last \(s.queries + s.tuningQueries) rows are the queries)" }
            ?? SyntheticEmbeddings.description(growth: s.topicGrowth)
        return Result(data: description, queries: s.queries, exactQueries: s.exactQueries, sizes: results)
    }

    /// Stored items, measured queries and tuning queries, each row-major and of unit rows.
    public struct Sample: Sendable {
        public var items: [Float]
        public var queries: [Float]
        public var tuning: [Float]
    }

    // MARK: - Measurement

    static func measure(_ data: Sample, size: Int, settings s: Settings, log: (String) -> Void) throws -> SizeResult {
        let d = s.dimension, k = s.k
        log("\(size): exact neighbours by float32 scan…")
        let truth = exactNeighbours(data.items, count: size, queries: data.queries + data.tuning, dimension: d, k: k)
        let measured = Array(truth[0 ..< s.queries]), tuningTruth = Array(truth[s.queries...])

        log("\(size): build…")
        let clock = ContinuousClock()
        var index = try InvertedFileIndex(dimension: d)
        var start = clock.now
        index.reserveCapacity(size)
        for key in 0..<size { try index.add(Array(data.items[key * d ..< (key + 1) * d]), key: key) }
        let addSeconds = (clock.now - start).seconds
        let lists = Int(pow(2, (log2(2 * Double(size).squareRoot())).rounded()))
        start = clock.now
        try index.train(lists: min(lists, size), iterations: s.iterations, seed: s.seed)
        let trainSeconds = (clock.now - start).seconds

        log("\(size): choosing the probe count on \(s.tuningQueries) tuning queries…")
        let tuning = rows(data.tuning, dimension: d)
        var probes = index.listCount, tuningRecall = 1.0
        for p in probeLadder(upTo: index.listCount) {
            let found = try tuning.map { try index.search($0, k: k, mode: .approximate(probes: p)).map(\.key) }
            let recall = recallAt(found, tuningTruth.map(\.keys))
            if recall >= s.targetRecall || p >= index.listCount {
                (probes, tuningRecall) = (p, recall)
                break
            }
        }

        log("\(size): approximate search, \(probes) of \(index.listCount) lists…")
        let queries = rows(data.queries, dimension: d)
        let approximate = try timed(queries, clock: clock) { try index.search($0, k: k, mode: .approximate(probes: probes)) }
        log("\(size): exact search…")
        let exact = try timed(Array(queries.prefix(s.exactQueries)), clock: clock) { try index.search($0, k: k, mode: .exact) }
        let agreement = zip(exact.hits, measured).filter { Set($0.map(\.key)) == Set($1.keys) }.count

        let approximateTimes = approximate.milliseconds.sorted(), exactTimes = exact.milliseconds.sorted()
        return SizeResult(
            size: size, lists: index.listCount, largestList: index.listSizes.max() ?? 0,
            codeDimension: index.codeDimension, probes: probes,
            tuningRecall: tuningRecall, recallAt10: recallAt(approximate.hits.map { $0.map(\.key) }, measured.map(\.keys)),
            p50Milliseconds: EncodeBenchmark.percentile(approximateTimes, 0.5),
            p99Milliseconds: EncodeBenchmark.percentile(approximateTimes, 0.99),
            exactP50Milliseconds: EncodeBenchmark.percentile(exactTimes, 0.5),
            exactP99Milliseconds: EncodeBenchmark.percentile(exactTimes, 0.99),
            exactAgreement: Double(agreement) / Double(exact.hits.count),
            addSeconds: addSeconds, trainSeconds: trainSeconds,
            bytesPerItem: Double(index.memoryFootprint) / Double(size), payloadBytesPerItem: index.payloadBytesPerItem,
            nearestCosine: median(measured.map { Double($0.scores.first ?? 0) }),
            tenthCosine: median(measured.map { Double($0.scores.last ?? 0) }))
    }

    /// 1, 2, 3, 4, 6, 8, 12, 16, … (powers of two and 1.5 times them) below `lists`, then `lists`.
    static func probeLadder(upTo lists: Int) -> [Int] {
        var ladder = [1, 2, 3]
        var p = 4
        while p < lists {
            ladder.append(p)
            ladder.append(p * 3 / 2)
            p *= 2
        }
        return ladder.filter { $0 < lists } + [lists]
    }

    /// Runs `search` on each query after 20 warm-up calls; the hits and each call's milliseconds.
    static func timed(
        _ queries: [[Float]], clock: ContinuousClock, _ search: ([Float]) throws -> [SearchHit]
    ) throws -> (hits: [[SearchHit]], milliseconds: [Double]) {
        for query in queries.prefix(20) { _ = try search(query) }
        var hits: [[SearchHit]] = [], times: [Double] = []
        hits.reserveCapacity(queries.count)
        times.reserveCapacity(queries.count)
        for query in queries {
            let start = clock.now
            let found = try search(query)
            times.append((clock.now - start).seconds * 1000)
            hits.append(found)
        }
        return (hits, times)
    }

    /// The mean over queries of |found ∩ truth| / |truth|.
    static func recallAt(_ found: [[Int]], _ truth: [[Int]]) -> Double {
        let total = zip(found, truth).reduce(0.0) { sum, pair in
            sum + Double(Set(pair.0).intersection(pair.1).count) / Double(max(pair.1.count, 1))
        }
        return total / Double(max(truth.count, 1))
    }

    static func median(_ values: [Double]) -> Double { EncodeBenchmark.percentile(values.sorted(), 0.5) }

    static func rows(_ flat: [Float], dimension d: Int) -> [[Float]] {
        stride(from: 0, to: flat.count, by: d).map { Array(flat[$0 ..< $0 + d]) }
    }

    /// The top `k` items of a float32 scan for each query, best first (ties to the lower item):
    /// `queries × items` cosines in blocks of 4,096 items by ``Kernels/gemm(_:rows:_:bias:into:columnRange:)``.
    static func exactNeighbours(
        _ items: [Float], count n: Int, queries: [Float], dimension d: Int, k: Int
    ) -> [(keys: [Int], scores: [Float])] {
        let q = queries.count / d, block = 4_096
        var best = [(keys: [Int], scores: [Float])](repeating: ([], []), count: q)
        var scores = [Float](repeating: 0, count: q * block)
        var start = 0
        while start < n {
            let m = min(block, n - start)
            let packed = items.withUnsafeBufferPointer {
                PackedMatrix(UnsafeBufferPointer(rebasing: $0[start * d ..< (start + m) * d]), columns: m, depth: d, transposed: true)
            }
            queries.withUnsafeBufferPointer { a in
                scores.withUnsafeMutableBufferPointer { c in
                    Kernels.gemm(a, rows: q, packed, into: UnsafeMutableBufferPointer(rebasing: c[0 ..< q * m]))
                }
            }
            scores.withUnsafeBufferPointer { all in
                for i in 0..<q {
                    let row = UnsafeBufferPointer(rebasing: all[i * m ..< (i + 1) * m])
                    var merged = best[i]
                    for j in Kernels.topK(row, k: k) {
                        merged.keys.append(start + j)
                        merged.scores.append(row[j])
                    }
                    // Earlier blocks hold lower items, so a stable order keeps ties to the lower item.
                    let order = merged.scores.indices.sorted { merged.scores[$0] > merged.scores[$1] || (merged.scores[$0] == merged.scores[$1] && $0 < $1) }
                    best[i] = (order.prefix(k).map { merged.keys[$0] }, order.prefix(k).map { merged.scores[$0] })
                }
            }
            start += m
        }
        return best
    }

    // MARK: - Files

    /// Real vectors from a `.npy` file (little-endian float32, C order, 2-D), scaled to unit length.
    struct LoadedVectors {
        var values: [Float]
        var dimension: Int
        var count: Int { values.count / dimension }

        func split(size: Int, queries: Int, tuning: Int) -> Sample {
            let d = dimension, n = count
            return Sample(items: Array(values[0 ..< size * d]),
                          queries: Array(values[(n - queries - tuning) * d ..< (n - tuning) * d]),
                          tuning: Array(values[(n - tuning) * d ..< n * d]))
        }
    }

    static func loadVectors(path: String, dimension: Int) throws -> LoadedVectors {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataFileError.unreadable(path: path, reason: "no such file or not readable") }
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, bytes[1...5].elementsEqual("NUMPY".utf8) else {
            throw DataFileError.unreadable(path: path, reason: "not a .npy file")
        }
        let headerLength: Int, headerStart: Int
        switch bytes[6] {
        case 1: (headerLength, headerStart) = (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
        case 2, 3:
            guard bytes.count >= 12 else { throw DataFileError.unreadable(path: path, reason: "truncated header") }
            headerLength = (8..<12).reduce(0) { $0 | Int(bytes[$1]) << (8 * ($1 - 8)) }
            headerStart = 12
        default: throw DataFileError.unreadable(path: path, reason: "unknown .npy version \(bytes[6])")
        }
        guard headerStart + headerLength <= bytes.count else { throw DataFileError.unreadable(path: path, reason: "truncated header") }
        let header = String(decoding: bytes[headerStart ..< headerStart + headerLength], as: UTF8.self)
        guard header.contains("'<f4'"), header.contains("'fortran_order': False"),
              let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw DataFileError.unreadable(path: path, reason: "need little-endian float32 in C order, header \(header)")
        }
        let shape = header[open.upperBound ..< close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard shape.count == 2, shape[1] == dimension else {
            throw DataFileError.unreadable(path: path, reason: "need shape (n, \(dimension)), header \(header)")
        }
        let start = headerStart + headerLength, count = shape[0] * shape[1]
        guard bytes.count - start == count * 4 else {
            throw DataFileError.unreadable(path: path, reason: "\(bytes.count - start) data bytes for shape \(shape)")
        }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { target in
            bytes.withUnsafeBytes { source in target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[start...])) }
        }
        #if _endian(big)
        values = values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
        #endif
        for r in 0..<shape[0] {
            let row = values[r * dimension ..< (r + 1) * dimension]
            guard row.allSatisfy(\.isFinite) else { throw DataFileError.unreadable(path: path, reason: "row \(r) is not finite") }
            let norm = Kernels.norm(Array(row))
            guard norm > 0 else { throw DataFileError.unreadable(path: path, reason: "row \(r) is zero") }
            for j in r * dimension ..< (r + 1) * dimension { values[j] /= norm }
        }
        return LoadedVectors(values: values, dimension: dimension)
    }

    /// Writes `rows × columns` floats as a `.npy` file (version 1.0, native-endian float32, C order).
    static func writeNumPy(_ values: [Float], rows: Int, columns: Int, to url: URL) throws {
        precondition(values.count == rows * columns)
        #if _endian(big)
        let descr = ">f4"
        #else
        let descr = "<f4"
        #endif
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        // Magic (6) + version (2) + length (2) + header + newline, padded to a multiple of 64.
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var file = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        file.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { file.append(contentsOf: $0) }
        try file.write(to: url)
    }
}

// MARK: - The synthetic embeddings

/// Seeded synthetic "sentence embeddings": unit vectors from a hierarchical, anisotropic Gaussian
/// mixture (topics, each with 100 subtopics), built to resemble MiniLM embeddings of text.
///
/// **Generator.** In d = 384 latent coordinates with standard deviations
/// `σⱼ ∝ √(j^(−0.6)·exp(−(j/220)²))`, j = 1…d (normalised so that `Σσⱼ² = 1`), a *latent draw*
/// is `σ ⊙ g` with `g ~ N(0, I)` (Marsaglia's polar method on ``SeededGenerator``). One latent
/// draw scaled to unit length is the common direction `μ`; each of `T` topics has a latent draw
/// `tₐ` as centre and 100 subtopics with latent draws `sₐᵦ`; topic weights are `exp(N(0, 1))`
/// (log-normal), and so are each topic's subtopic weights. An item picks a topic a and a
/// subtopic b by those weights and is
///
///     x = U·(0.6·μ + 0.55·tₐ + 0.6·sₐᵦ + 0.8·σ ⊙ g),   then x / ‖x‖,
///
/// with U a fixed rotation (a DCT with random signs and row order) so that no axis is special.
/// Queries are further items drawn the same way (so they are never stored).
/// The number of topics grows with the corpus:
/// - `sqrt` (default): `T = max(10, round(√N / 7))` — 20 topics at 20K, 45 at 100K, 143 at 1M:
///   the number of distinct topics grows like a vocabulary does (Heaps' law, exponent ½), and a
///   larger corpus is denser;
/// - `linear`: `T = max(10, N / 500)` — every 500 items add a topic, so the neighbourhood of an
///   item looks the same at every size (a harder, constant-density case).
///
/// **Resemblance.** A sample of N = 5,882 (11 topics either way), against the all-MiniLM-L6-v2
/// embeddings of LoCoMo's 5,882 turns in brackets: mean vector norm 0.52 (0.49); pairwise
/// cosine 0.27 ± 0.12 (0.24 ± 0.12); median cosine of the nearest and 10th-nearest neighbour
/// 0.69 and 0.60 (0.73 and 0.62); share of the variance in the top 10 / 50 / 100 / 200 principal
/// components 0.33 / 0.64 / 0.81 / 0.95 (0.31 / 0.67 / 0.82 / 0.95); participation ratio of
/// the spectrum 57 (68); local intrinsic dimension (Levina–Bickel MLE, 10 neighbours, median)
/// 23.5 (17.9). Measured with NumPy on this generator's output (seed 7 + 5,882); they check the
/// parameters, they do not make the data real text. The nearest neighbours are slightly less
/// crowded than in the real embeddings and the local dimension is higher, which makes the
/// search somewhat harder, not easier.
public struct SyntheticEmbeddings: Sendable {
    public enum TopicGrowth: String, Sendable, CaseIterable {
        case sqrt, linear
    }

    public let dimension: Int
    let sigma: [Float]
    /// The rotation U, row-major.
    let rotation: [Float]
    /// The common direction μ in latent coordinates, times its weight.
    let mean: [Float]
    let topicCentres: [Float]
    let subtopicCentres: [Float]
    let topicCumulative: [Double]
    let subtopicCumulative: [Double]
    static let subtopicsPerTopic = 100
    static let weights: (mean: Float, topic: Float, subtopic: Float, noise: Float) = (0.6, 0.55, 0.6, 0.8)
    var generator: SeededGenerator

    public static func topics(size: Int, growth: TopicGrowth) -> Int {
        switch growth {
        case .sqrt: max(10, Int((Double(size).squareRoot() / 7).rounded()))
        case .linear: max(10, size / 500)
        }
    }

    public static func description(growth: TopicGrowth) -> String {
        "synthetic sentence-embedding-like mixture (ScaleBenchmark.swift): x = U·(0.6μ + 0.55·topic + 0.6·subtopic + 0.8·σ⊙g), "
            + "σⱼ² ∝ j^-0.6·exp(-(j/220)²), 100 log-normal-weighted subtopics per topic, "
            + (growth == .sqrt ? "max(10, round(√N/7)) topics (Heaps-like growth)" : "max(10, N/500) topics (constant density)")
            + "; queries drawn the same way, not stored"
    }

    public init(size: Int, dimension: Int, seed: UInt64, growth: TopicGrowth) {
        self.dimension = dimension
        var generator = SeededGenerator(seed: seed)
        var sigma = (1...dimension).map { j in pow(Double(j), -0.6) * exp(-pow(Double(j) / 220, 2)) }
        let total = sigma.reduce(0, +)
        sigma = sigma.map { ($0 / total).squareRoot() }
        self.sigma = sigma.map { Float($0) }
        rotation = Self.randomRotation(dimension, generator: &generator)
        let t = Self.topics(size: size, growth: growth), s = Self.subtopicsPerTopic
        var direction = Self.latentDraws(1, sigma: self.sigma, generator: &generator)
        let length = Kernels.norm(direction)
        direction = direction.map { $0 / length * Self.weights.mean }
        mean = direction
        topicCentres = Self.latentDraws(t, sigma: self.sigma, generator: &generator).map { $0 * Self.weights.topic }
        subtopicCentres = Self.latentDraws(t * s, sigma: self.sigma, generator: &generator).map { $0 * Self.weights.subtopic }
        topicCumulative = Self.logNormalCumulative(t, generator: &generator)
        subtopicCumulative = (0..<t).flatMap { _ in Self.logNormalCumulative(s, generator: &generator) }
        self.generator = generator
    }

    /// Draws `items` stored vectors, then `queries` measured and `tuning` tuning queries.
    public func sample(items: Int, queries: Int, tuning: Int) -> ScaleBenchmark.Sample {
        var copy = self
        return ScaleBenchmark.Sample(items: copy.draw(items), queries: copy.draw(queries), tuning: copy.draw(tuning))
    }

    /// `count` unit vectors, row-major.
    public mutating func draw(_ count: Int) -> [Float] {
        let d = dimension, block = 2_048
        let packed = PackedMatrix(rotation, columns: d, depth: d, transposed: true)
        var result = [Float](repeating: 0, count: count * d)
        var latent = [Float](repeating: 0, count: block * d)
        var start = 0
        while start < count {
            let m = min(block, count - start)
            for r in 0..<m {
                let topic = Self.pick(topicCumulative[...], generator: &generator)
                let s = Self.subtopicsPerTopic
                let subtopic = topic * s + Self.pick(subtopicCumulative[topic * s ..< (topic + 1) * s], generator: &generator)
                for j in 0..<d {
                    latent[r * d + j] = mean[j] + topicCentres[topic * d + j] + subtopicCentres[subtopic * d + j]
                }
                var j = 0
                while j < d {
                    let (a, b) = Self.gaussianPair(&generator)
                    latent[r * d + j] += Self.weights.noise * sigma[j] * a
                    if j + 1 < d { latent[r * d + j + 1] += Self.weights.noise * sigma[j + 1] * b }
                    j += 2
                }
            }
            latent.withUnsafeBufferPointer { a in
                result.withUnsafeMutableBufferPointer { c in
                    let out = UnsafeMutableBufferPointer(rebasing: c[start * d ..< (start + m) * d])
                    Kernels.gemm(UnsafeBufferPointer(rebasing: a[0 ..< m * d]), rows: m, packed, into: out)
                    for r in 0..<m {
                        let row = UnsafeMutableBufferPointer(rebasing: out[r * d ..< (r + 1) * d])
                        let scale = 1 / Kernels.norm(UnsafeBufferPointer(row))
                        for j in row.indices { row[j] *= scale }
                    }
                }
            }
            start += m
        }
        return result
    }

    /// `count` latent draws `σ ⊙ g`, row-major.
    static func latentDraws(_ count: Int, sigma: [Float], generator: inout SeededGenerator) -> [Float] {
        var values = [Float](repeating: 0, count: count * sigma.count)
        var i = 0
        while i < values.count {
            let (a, b) = gaussianPair(&generator)
            values[i] = a * sigma[i % sigma.count]
            if i + 1 < values.count { values[i + 1] = b * sigma[(i + 1) % sigma.count] }
            i += 2
        }
        return values
    }

    /// Cumulative weights of `count` components weighted `exp(N(0, 1))`, ending at 1.
    static func logNormalCumulative(_ count: Int, generator: inout SeededGenerator) -> [Double] {
        var weights: [Double] = []
        while weights.count < count {
            let (a, b) = gaussianPair(&generator)
            weights.append(exp(Double(a)))
            if weights.count < count { weights.append(exp(Double(b))) }
        }
        let total = weights.reduce(0, +)
        var running = 0.0
        return weights.map { running += $0 / total; return running }
    }

    /// The offset within `cumulative` of the first entry above a uniform draw.
    static func pick(_ cumulative: ArraySlice<Double>, generator: inout SeededGenerator) -> Int {
        let u = generator.nextUnitDouble()
        var low = cumulative.startIndex, high = cumulative.endIndex - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > u { high = mid } else { low = mid + 1 }
        }
        return low - cumulative.startIndex
    }

    /// Two independent standard normal values (Marsaglia's polar method).
    static func gaussianPair(_ generator: inout SeededGenerator) -> (Float, Float) {
        while true {
            let u = 2 * generator.nextUnitDouble() - 1, v = 2 * generator.nextUnitDouble() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = (-2 * log(s) / s).squareRoot()
                return (Float(u * factor), Float(v * factor))
            }
        }
    }

    /// A random rotation: the orthonormal DCT-II matrix (`C[k][n] = sₖ·cos(π·(n + ½)·k / d)`,
    /// `s₀ = √(1/d)`, `sₖ = √(2/d)`) with random signs on its columns and its rows in random
    /// order, row-major. Every output coordinate mixes every latent one, and it is orthogonal, so
    /// cosines and spectra are those of the latent draws.
    static func randomRotation(_ d: Int, generator: inout SeededGenerator) -> [Float] {
        let signs = (0..<d).map { _ in generator.next() & 1 == 0 ? 1.0 : -1.0 }
        var order = Array(0..<d)
        for i in stride(from: d - 1, to: 0, by: -1) { order.swapAt(i, Int(generator.next(upperBound: UInt64(i + 1)))) }
        var rotation = [Float](repeating: 0, count: d * d)
        for (row, k) in order.enumerated() {
            let scale = (k == 0 ? 1 / Double(d) : 2 / Double(d)).squareRoot()
            for n in 0..<d {
                rotation[row * d + n] = Float(scale * cos(Double.pi * (Double(n) + 0.5) * Double(k) / Double(d)) * signs[n])
            }
        }
        return rotation
    }
}
