import Dispatch
import EngramKernels
import Foundation

/// A sentence encoder: text → WordPiece ids → BERT → mean pooling over the tokens → L2 normalisation.
///
/// Loaded with the published all-MiniLM-L6-v2 weights it gives sentence-transformers' embeddings
/// (384 floats of unit length) in ``EncoderPrecision/float32``; ``EncoderPrecision/int8`` trades a
/// little agreement for speed. Thread-safe; a batch is spread over the machine's cores, and a lone
/// text splits each matrix product over them.
///
/// ```swift
/// let encoder = try await SentenceEncoder.loadDefault()     // provisions the model on first use
/// let e = encoder.encode("Where did Caroline go hiking?")   // [Float], 384 values, ‖e‖ = 1
/// ```
public final class SentenceEncoder: Sendable {
    public let configuration: BertConfiguration
    public let tokenizer: WordPieceTokenizer
    let model: BertModel
    /// Tokens per text including [CLS] and [SEP]; longer texts are truncated (sentence-transformers' 256).
    public let maxLength: Int
    /// The arithmetic of the linear layers.
    public let precision: EncoderPrecision
    /// Threads a call may use: the active processors unless given.
    public let threads: Int

    /// The embedding dimension.
    public var dimension: Int { configuration.hiddenSize }

    /// Loads `config.json`, `vocab.txt` and `model.safetensors` from `directory`.
    /// - Parameters:
    ///   - precision: the linear layers' arithmetic; float32 is the reference.
    ///   - threads: at most this many threads per call; the active processor count when `nil`.
    /// - Throws: ``TextError`` naming the file, tensor or setting that is wrong.
    public init(directory: URL, maxLength: Int = 256, precision: EncoderPrecision = .float32, threads: Int? = nil) throws {
        let configuration = try BertConfiguration.load(from: directory.appendingPathComponent("config.json"))
        guard (2...configuration.maxPositions).contains(maxLength) else {
            throw TextError.invalidInput("maxLength must be in 2...\(configuration.maxPositions), got \(maxLength)")
        }
        if let threads, threads < 1 {
            throw TextError.invalidInput("threads must be at least 1, got \(threads)")
        }
        let tokenizer = try WordPieceTokenizer(vocabularyFile: directory.appendingPathComponent("vocab.txt"))
        guard tokenizer.vocabularySize == configuration.vocabularySize else {
            throw TextError.unsupportedConfig(
                "vocab.txt has \(tokenizer.vocabularySize) tokens but config.json says vocab_size \(configuration.vocabularySize)")
        }
        let file = try SafeTensorsFile(contentsOf: directory.appendingPathComponent("model.safetensors"))
        self.configuration = configuration
        self.tokenizer = tokenizer
        self.maxLength = maxLength
        self.precision = precision
        self.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        model = BertModel(
            configuration: configuration, weights: try BertWeights(file: file, configuration: configuration, precision: precision))
    }

    /// Loads the default model (all-MiniLM-L6-v2), provisioning it on first use (see ``ModelStore``).
    public static func loadDefault(progress: Bool = true, precision: EncoderPrecision = .float32) async throws -> SentenceEncoder {
        try SentenceEncoder(directory: try await ModelStore(progress: progress).resolve(), precision: precision)
    }

    /// The token ids the model sees for `text`, with [CLS] and [SEP], truncated to ``maxLength``.
    public func tokenIDs(_ text: String) -> [Int32] {
        tokenizer.encode(text, maxLength: maxLength)
    }

    /// The unit-length embedding of one text.
    public func encode(_ text: String) -> [Float] {
        encode([text])[0]
    }

    /// The unit-length embeddings of many texts, in order, spread over ``threads`` threads.
    public func encode(_ texts: [String]) -> [[Float]] {
        let sequences = texts.map(tokenIDs)
        guard sequences.count > 1, threads > 1 else {
            return model.pooledStates(sequences, threads: threads).map(Self.normalized)
        }
        // One group per thread of about equal token counts (longest first onto the lightest);
        // each group runs in chunks to bound memory.
        let groupCount = min(threads, sequences.count)
        var groups = [[Int]](repeating: [], count: groupCount)
        var load = [Int](repeating: 0, count: groupCount)
        for index in sequences.indices.sorted(by: { sequences[$0].count > sequences[$1].count }) {
            let target = load.indices.min { load[$0] < load[$1] }!
            groups[target].append(index)
            load[target] += sequences[index].count
        }
        let results = ResultSlots(count: sequences.count)
        let parts = groups
        DispatchQueue.concurrentPerform(iterations: groupCount) { part in
            for chunk in Self.chunks(parts[part], of: sequences, tokens: 2048) {
                let pooled = model.pooledStates(chunk.map { sequences[$0] }, threads: 1)
                for (index, vector) in zip(chunk, pooled) { results.set(index, Self.normalized(vector)) }
            }
        }
        return results.values
    }

    /// Consecutive runs of `indices` holding at most `tokens` tokens each (at least one sequence).
    private static func chunks(_ indices: [Int], of sequences: [[Int32]], tokens: Int) -> [[Int]] {
        var result: [[Int]] = []
        var current: [Int] = []
        var count = 0
        for index in indices {
            if !current.isEmpty && count + sequences[index].count > tokens {
                result.append(current)
                current = []
                count = 0
            }
            current.append(index)
            count += sequences[index].count
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// `v / max(‖v‖, 1e-12)`, as sentence-transformers' `Normalize` module.
    private static func normalized(_ vector: [Float]) -> [Float] {
        let norm = max(Kernels.norm(vector), 1e-12)
        return vector.map { $0 / norm }
    }
}

/// Slots the worker threads fill with embeddings, each index written once.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [[Float]]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: [], count: count) }

    func set(_ index: Int, _ value: [Float]) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [[Float]] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
