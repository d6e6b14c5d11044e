import EngramData
import EngramKernels
import EngramMemory
import Foundation

/// `engram bench locomo`: retrieval on LoCoMo following the protocol in its README, for Engram's
/// recall, its ablations and the flat baselines, all on the same embeddings in one run.
///
/// - Each conversation is imported into its own scope (``LoCoMo/Conversation/memories()``,
///   every turn stored, no near-duplicate check); each question is recalled against its own
///   conversation, k = 20, and scored by the `dia_id` of the hits.
/// - Evidence: the question's `evidence` entries split on `;`, `,` and white space, kept when
///   they name a turn of the conversation; questions left with none are skipped (as the data
///   set's README counts them).
/// - `turn_all@k`: every evidence turn is in the top k; `turn_any@k`: at least one is;
///   `sess_all@k`: every evidence session is among the sessions of the top k turns. Percentages.
/// - Baselines on the same MiniLM embeddings: dense = exact cosine over the conversation's turns;
///   BM25 = ``LexicalIndex`` (Lucene BM25, k1 = 1.5, b = 0.75, English stop words) over them;
///   hybrid = reciprocal-rank fusion of the two, `1 / (60 + rank)`.
/// - Splits: conversations 1–5 are the development split (the only one tuned on), 6–10 the test split.
public enum LoCoMoBenchmark {
    public static let cutoffs = [1, 5, 10, 20]
    public static let categoryNames = [1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"]
    public static let developmentConversations = 0..<5

    /// One retriever's figures: split → group (`overall` or a category name) → metric → percentage.
    public typealias Table = [String: [String: [String: Double]]]

    public struct Result: Sendable {
        public var engram: Table
        public var baselines: [String: Table]
        /// Engram with one stage switched off, by the stage's name.
        public var ablation: [String: Table]
        public var questions: Int
    }

    /// One scored question: which split and category, its evidence, and each retriever's ranking.
    struct Scored {
        var development: Bool
        var category: Int
        var evidence: Set<String>
        var sessions: Set<Int>
    }

    /// The conversations imported into an in-memory store, with every turn and question encoded once.
    public struct Prepared: Sendable {
        let data: LoCoMo
        let cache: CachingEmbedder
        let store: MemoryStore
        /// Where the embeddings are kept between runs, if anywhere.
        let embeddingFile: String?

        /// Writes the embeddings (with those the store asked for since, such as clause cues) to
        /// the embedding file.
        func saveEmbeddings() throws {
            if let embeddingFile { try cache.save(to: embeddingFile) }
        }
    }

    /// Encodes every turn and question (and `extraTexts`, for suites that share the store) once,
    /// then imports each conversation into its own scope of an in-memory store.
    /// - Parameter embeddingFile: a file of embeddings kept between runs (``CachingEmbedder``):
    ///   read if it exists, written after encoding what it lacked.
    public static func prepare(
        _ data: LoCoMo, encoder: any TextEmbedder, extraTexts: [String] = [], embeddingFile: String? = nil,
        configuration: MemoryStore.Configuration = MemoryStore.Configuration(), progress: (String) -> Void
    ) throws -> Prepared {
        let cache = CachingEmbedder(encoder)
        if let embeddingFile, FileManager.default.fileExists(atPath: embeddingFile) {
            try cache.load(from: embeddingFile)
        }
        let turnTexts = data.conversations.flatMap { $0.turns.map(\.memoryText) }
        let questionTexts = data.conversations.flatMap { $0.questions.map(\.question) }
        progress("encoding \(turnTexts.count) turns, \(questionTexts.count) questions and \(extraTexts.count) other texts…")
        cache.prime(turnTexts + questionTexts + extraTexts)
        if let embeddingFile { try cache.save(to: embeddingFile) }
        var configuration = configuration
        configuration.duplicateThreshold = nil
        let store = try MemoryStore(inMemoryWith: cache, configuration: configuration)
        progress("importing the conversations…")
        _ = try store.importMemories(data.conversations.flatMap { $0.memories() })
        let prepared = Prepared(data: data, cache: cache, store: store, embeddingFile: embeddingFile)
        try prepared.saveEmbeddings()
        return prepared
    }

    /// Engram with `options` (named `engram`) and, with `ablation`, with each stage switched off in
    /// turn (named `without <stage>`).
    public static func variants(_ options: RecallOptions = RecallOptions(k: 20), ablation: Bool) -> [(String, RecallOptions)] {
        var variants: [(String, RecallOptions)] = [("engram", options)]
        guard ablation else { return variants }
        for (stage, name) in RecallStages.named {
            var variant = options
            variant.stages.remove(stage)
            variants.append(("without \(name)", variant))
        }
        return variants
    }

    /// Recalls every question with each of `variants` (the first is reported as `engram`, the
    /// rest as the ablation) and with the flat baselines.
    public static func run(_ prepared: Prepared, variants: [(String, RecallOptions)], progress: (String) -> Void) throws -> Result {
        let (scored, rankings) = try evaluate(prepared, variants: variants, conversations: prepared.data.conversations.indices,
                                              baselines: true, progress: progress)
        func table(_ name: String) -> Table { Self.table(scored, rankings[name] ?? []) }
        return Result(
            engram: table(variants[0].0),
            baselines: ["dense": table("dense"), "bm25": table("bm25"), "hybrid": table("hybrid")],
            ablation: Dictionary(uniqueKeysWithValues: variants.dropFirst().map { ($0.0, table($0.0)) }),
            questions: scored.count)
    }

    /// Each of `settings` on the development split only (conversations 1–5): what tuning may look at.
    public static func tune(_ prepared: Prepared, settings: [RecallOptions]) throws -> [Table] {
        let variants = settings.enumerated().map { ("setting \($0.offset)", $0.element) }
        let (scored, rankings) = try evaluate(prepared, variants: variants, conversations: developmentConversations,
                                              baselines: false) { _ in }
        return variants.map { Self.table(scored, rankings[$0.0] ?? []) }
    }

    /// The scored questions of `conversations` and each retriever's ranking of them.
    static func evaluate(
        _ prepared: Prepared, variants: [(String, RecallOptions)], conversations: Range<Int>, baselines: Bool,
        progress: (String) -> Void
    ) throws -> ([Scored], [String: [[String]]]) {
        let cache = prepared.cache
        var rankings: [String: [[String]]] = [:]
        var scored: [Scored] = []
        for number in conversations {
            let conversation = prepared.data.conversations[number]
            progress("recalling the questions of \(conversation.sampleID)…")
            let turns = conversation.turns
            let sessionOfTurn = Dictionary(turns.map { ($0.id, $0.session) }, uniquingKeysWith: { a, _ in a })
            let flat = baselines
                ? FlatBaselines(texts: turns.map(\.memoryText), embeddings: turns.map { cache.embedding(of: $0.memoryText) })
                : nil
            for question in conversation.questions {
                let evidence = Set(question.evidence.flatMap { $0.split { ";, \t\n".contains($0) }.map(String.init) }
                    .filter { sessionOfTurn[$0] != nil })
                guard !evidence.isEmpty else { continue }
                scored.append(Scored(development: developmentConversations.contains(number), category: question.category,
                                     evidence: evidence, sessions: Set(evidence.compactMap { sessionOfTurn[$0] })))
                if let flat {
                    let ranked = flat.rankings(query: question.question, embedding: cache.embedding(of: question.question), limit: 20)
                    for (name, ranking) in ranked { rankings[name, default: []].append(ranking.map { turns[$0].id }) }
                }
                for (name, options) in variants {
                    var variant = options
                    variant.k = 20
                    let hits = try prepared.store.recall(question.question, scope: conversation.scope, options: variant)
                    rankings[name, default: []].append(hits.compactMap { $0.memory.metadata["dia_id"] })
                }
            }
        }
        return (scored, rankings)
    }

    /// The metrics of `rankings` (one list of `dia_id`s per scored question) by split and group.
    static func table(_ scored: [Scored], _ rankings: [[String]]) -> Table {
        var sums: [String: [String: [String: Double]]] = [:]
        var counts: [String: [String: Int]] = [:]
        for (question, ranking) in zip(scored, rankings) {
            let sessions = ranking.map { id -> Int in
                // "D12:3" → 12
                Int(id.dropFirst().prefix { $0 != ":" }) ?? -1
            }
            var metrics: [String: Double] = [:]
            for k in cutoffs {
                let top = Set(ranking.prefix(k)), topSessions = Set(sessions.prefix(k))
                metrics["turn_all@\(k)"] = question.evidence.isSubset(of: top) ? 100 : 0
                metrics["turn_any@\(k)"] = question.evidence.isDisjoint(with: top) ? 0 : 100
                metrics["sess_all@\(k)"] = question.sessions.isSubset(of: topSessions) ? 100 : 0
            }
            let category = categoryNames[question.category] ?? "category-\(question.category)"
            for split in [question.development ? "dev" : "test", "all"] {
                for group in ["overall", category] {
                    counts[split, default: [:]][group, default: 0] += 1
                    for (key, value) in metrics { sums[split, default: [:]][group, default: [:]][key, default: 0] += value }
                }
            }
        }
        var table = Table()
        for (split, groups) in sums {
            for (group, metrics) in groups {
                let n = Double(counts[split]?[group] ?? 1)
                table[split, default: [:]][group] = metrics.mapValues { $0 / n }
            }
        }
        return table
    }
}
