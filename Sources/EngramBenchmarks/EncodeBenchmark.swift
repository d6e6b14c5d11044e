import EngramData
import EngramKernels
import EngramText
import Foundation

/// `engram bench encode`: the sentence encoder's throughput over LoCoMo's turns, the latency of
/// single short queries, the load time, and the matrix-multiply kernel at encoder shapes, for each
/// precision; and how closely the reduced precision's embeddings agree with float32's.
public enum EncodeBenchmark {
    public struct Result: Sendable {
        public var precision: EncoderPrecision
        public var threads: Int
        public var turns: Int
        public var tokens: Int
        public var turnsPerSecond: Double
        public var queryP50Milliseconds: Double
        public var queryP99Milliseconds: Double
        public var queries: Int
        public var loadMilliseconds: Double
        /// Single-thread GFLOP/s of `C = A·Bᵀ` per shape `m×k×n` (8-bit operations for int8).
        public var gemmGigaflops: [String: Double]
        /// The turns' embeddings, for ``agreement(_:_:)``.
        public var embeddings: [[Float]]
    }

    /// Cosine similarity of two precisions' embeddings of the same texts.
    public struct Agreement: Sendable {
        public var meanCosine: Double
        public var worstCosine: Double
        public var worstText: Int
    }

    /// The shapes of the encoder's products for a 128-token batch: QKV, attention output, FFN in, FFN out.
    public static let gemmShapes = [(128, 384, 1152), (128, 384, 384), (128, 384, 1536), (128, 1536, 384)]

    /// Runs the benchmark on the model in `modelDirectory` and the turns of `locomo`.
    public static func run(
        modelDirectory: URL, locomo: LoCoMo, precision: EncoderPrecision = .float32, queryCount: Int = 200, repeats: Int = 1
    ) throws -> Result {
        let clock = ContinuousClock()
        let loadStart = clock.now
        let encoder = try SentenceEncoder(directory: modelDirectory, precision: precision)
        let loadMilliseconds = (clock.now - loadStart).seconds * 1000

        let turns = locomo.conversations.flatMap { $0.turns.map(\.memoryText) }
        let tokens = turns.reduce(0) { $0 + encoder.tokenIDs($1).count }
        _ = encoder.encode(Array(turns.prefix(64)))  // warm-up
        var best = Double.infinity
        var embeddings: [[Float]] = []
        for _ in 0..<max(repeats, 1) {
            let start = clock.now
            embeddings = encoder.encode(turns)
            best = min(best, (clock.now - start).seconds)
        }

        // Short queries: LoCoMo's questions of at most 16 tokens, one at a time.
        let questions = locomo.conversations.flatMap { $0.questions.map(\.question) }
            .filter { encoder.tokenIDs($0).count <= 16 }
            .prefix(queryCount)
        for question in questions.prefix(10) { _ = encoder.encode(question) }
        let latencies = questions.map { question in
            let start = clock.now
            _ = encoder.encode(question)
            return (clock.now - start).seconds * 1000
        }.sorted()

        return Result(
            precision: precision, threads: encoder.threads,
            turns: turns.count, tokens: tokens, turnsPerSecond: Double(turns.count) / best,
            queryP50Milliseconds: percentile(latencies, 0.50), queryP99Milliseconds: percentile(latencies, 0.99),
            queries: latencies.count, loadMilliseconds: loadMilliseconds, gemmGigaflops: gemmThroughput(precision),
            embeddings: embeddings)
    }

    /// The loop the int8 products run on here: AVX-512 VNNI, AVX2 or portable.
    public static var int8Kernel: QuantizedKernel { .best }

    /// How closely `other`'s turn embeddings follow `reference`'s (the same turns, in order).
    public static func agreement(_ reference: Result, _ other: Result) -> Agreement {
        var sum = 0.0, worst = Double.infinity, worstText = 0
        for (index, (a, b)) in zip(reference.embeddings, other.embeddings).enumerated() {
            let cosine = Double(Kernels.cosine(a, b))
            sum += cosine
            if cosine < worst { (worst, worstText) = (cosine, index) }
        }
        return Agreement(meanCosine: sum / Double(max(reference.embeddings.count, 1)), worstCosine: worst, worstText: worstText)
    }

    /// Single-thread GFLOP/s of the packed matrix multiply at the encoder's shapes (best of 5); for
    /// int8, including the quantisation of A that every product of the encoder pays.
    public static func gemmThroughput(_ precision: EncoderPrecision = .float32) -> [String: Double] {
        var generator = SeededGenerator(seed: 0)
        var result: [String: Double] = [:]
        for (m, k, n) in gemmShapes {
            let a = (0..<m * k).map { _ in generator.nextUnitFloat() - 0.5 }
            let weight = (0..<n * k).map { _ in generator.nextUnitFloat() - 0.5 }
            var c = [Float](repeating: 0, count: m * n)
            let multiply: () -> Void
            switch precision {
            case .float32:
                let packed = PackedMatrix(weight, columns: n, depth: k, transposed: true)
                multiply = {
                    a.withUnsafeBufferPointer { a in
                        c.withUnsafeMutableBufferPointer { c in Kernels.gemm(a, rows: m, packed, into: c) }
                    }
                }
            case .int8:
                let quantized = QuantizedMatrix(weight, columns: n, depth: k, transposed: true)
                multiply = {
                    a.withUnsafeBufferPointer { a in
                        let codes = QuantizedRows(a, rows: m, width: k)
                        c.withUnsafeMutableBufferPointer { c in Kernels.gemm(codes, quantized, into: c) }
                    }
                }
            }
            let throughput = Throughput.measure(targetSeconds: 0.2, minimumCalls: 3) {
                multiply()
                return Int(c[0].bitPattern)
            }
            result["\(m)x\(k)x\(n)"] = throughput.best * 2.0 * Double(m * n * k) / 1e9
        }
        return result
    }

    /// The value at fraction `p` of sorted `values` (nearest rank).
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
