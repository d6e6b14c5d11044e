import EngramData
import EngramMemory
import Foundation

/// `engram bench recall`: every recall suite in one run, Engram and its ablations beside the flat
/// baselines (``FlatBaselines``) on the same embeddings.
///
/// Suites:
/// - **LoCoMo** (``LoCoMoBenchmark``): dev and test split, per category.
/// - **memory-dev** (``MemoryDevSet``, its README's protocol): one scope holding every paraphrase
///   fact, every distractor and both sides of every update (the older stored first, with an
///   earlier time); each paraphrase question scores top-1 and top-5 of its fact, each update
///   question whether the newer fact ranks above the older (`new_above_old`, a fact missing from
///   the top 20 ranks below any present) and whether it is first.
/// - **memory-dev + LoCoMo**: the same memories among all 5,882 LoCoMo turns (one session per
///   LoCoMo session, so the background has its temporal edges) in one scope.
/// - **demo**: ``DemoConversation``'s five questions, top-1 and top-5 of the memory that answers each.
public enum RecallBenchmark {
    /// The figures of one suite: retriever → metric → percentage of its questions.
    public struct SuiteResult: Sendable {
        public var name: String
        public var memories: Int
        /// Questions by kind (`answer`, `update`).
        public var questions: [String: Int]
        public var figures: [String: [String: Double]]
    }

    public struct Result: Sendable {
        public var locomo: LoCoMoBenchmark.Result
        public var suites: [SuiteResult]
        /// NuoNuo's experiment 6 with each coder, when its triples were given.
        public var nuonuo: [NuoNuoExperiment6.CoderResult]?
    }

    /// One question of a keyed suite and what a right ranking holds.
    struct Question {
        enum Expectation {
            /// The memory with this key answers it.
            case answer(String)
            /// The memory `new` supersedes `old`; `new` answers it.
            case update(new: String, old: String)
        }

        var text: String
        var expectation: Expectation
    }

    /// A scope of memories, each tagged with a `key` in its metadata, and questions about them.
    struct Suite {
        var name: String
        var scope: String
        var memories: [NewMemory]
        var questions: [Question]
    }

    static let depth = 20

    /// Runs every suite.
    /// - Parameters:
    ///   - variants: Engram's settings by name, the first named `engram`; each suite recalls with each.
    public static func run(
        locomo: LoCoMo, memoryDev: MemoryDevSet, encoder: any TextEmbedder,
        variants: [(String, RecallOptions)], nuonuo: (recall: [NuoNuoExperiment6.Triple], scale: [NuoNuoExperiment6.Triple])? = nil,
        embeddingFile: String? = nil,
        configuration: MemoryStore.Configuration = MemoryStore.Configuration(), progress: (String) -> Void
    ) throws -> Result {
        let (suites, prepared) = try prepare(locomo, memoryDev, encoder: encoder, embeddingFile: embeddingFile,
                                             configuration: configuration, progress: progress)
        let locomoResult = try LoCoMoBenchmark.run(prepared, variants: variants, progress: progress)
        var results: [SuiteResult] = []
        for suite in suites {
            progress("recalling the questions of \(suite.name)…")
            results.append(try evaluate(suite, in: prepared, variants: variants))
        }
        try prepared.saveEmbeddings()
        var experiment: [NuoNuoExperiment6.CoderResult]?
        if let nuonuo {
            progress("NuoNuo's experiment 6 (BioHash trained on LoCoMo's turns)…")
            experiment = try NuoNuoExperiment6.run(
                recall: nuonuo.recall, scale: nuonuo.scale, encoder: prepared.cache,
                training: prepared.cache.embed(locomo.conversations.flatMap { $0.turns.map(\.memoryText) }))
        }
        return Result(locomo: locomoResult, suites: results, nuonuo: experiment)
    }

    /// The figures of `variants` on the development suites only (LoCoMo's conversations 1–5,
    /// memory-dev alone and among LoCoMo's turns, the demo): what tuning may look at.
    public static func tune(
        locomo: LoCoMo, memoryDev: MemoryDevSet, encoder: any TextEmbedder,
        variants: [(String, RecallOptions)], embeddingFile: String? = nil,
        configuration: MemoryStore.Configuration = MemoryStore.Configuration(), progress: (String) -> Void
    ) throws -> (locomo: [LoCoMoBenchmark.Table], suites: [SuiteResult]) {
        let (suites, prepared) = try prepare(locomo, memoryDev, encoder: encoder, embeddingFile: embeddingFile,
                                             configuration: configuration, progress: progress)
        let tables = try LoCoMoBenchmark.tune(prepared, settings: variants.map(\.1))
        let results = try suites.map { try evaluate($0, in: prepared, variants: variants, baselines: false) }
        try prepared.saveEmbeddings()
        return (tables, results)
    }

    // MARK: - Suites

    /// The keyed suites, and the LoCoMo store with every text of every suite encoded once.
    static func prepare(
        _ locomo: LoCoMo, _ memoryDev: MemoryDevSet, encoder: any TextEmbedder, embeddingFile: String?,
        configuration: MemoryStore.Configuration, progress: (String) -> Void
    ) throws -> ([Suite], LoCoMoBenchmark.Prepared) {
        let suites = [memoryDevSuite(memoryDev, background: nil), memoryDevSuite(memoryDev, background: locomo), demoSuite()]
        let prepared = try LoCoMoBenchmark.prepare(
            locomo, encoder: encoder, extraTexts: suites.flatMap { $0.memories.map(\.text) + $0.questions.map(\.text) },
            embeddingFile: embeddingFile, configuration: configuration, progress: progress)
        return (suites, prepared)
    }

    static func memoryDevSuite(_ set: MemoryDevSet, background: LoCoMo?) -> Suite {
        let scope = background == nil ? "memory-dev" : "memory-dev+locomo"
        var memories: [NewMemory] = []
        if let background {
            for conversation in background.conversations {
                for var memory in conversation.memories() {
                    memory.scope = scope
                    memory.session = memory.session.map { "\(conversation.sampleID)/\($0)" }
                    memory.metadata = ["key": "\(conversation.sampleID)/\(memory.metadata["dia_id"] ?? "")"]
                    memories.append(memory)
                }
            }
        }
        // Times: the facts and distractors in 2023, each older fact of an update before them,
        // each newer one after (its README: the older stored first, with an earlier time).
        let start = Date(timeIntervalSince1970: 1_672_531_200)  // 2023-01-01
        func at(days: Double, _ i: Int) -> Date { start.addingTimeInterval(days * 86_400 + Double(i) * 60) }
        for (i, update) in set.updates.enumerated() {
            memories.append(NewMemory(text: update.old, scope: scope, metadata: ["key": "update-\(i)-old"], time: at(days: 0, i)))
        }
        for (i, paraphrase) in set.paraphrases.enumerated() {
            memories.append(NewMemory(text: paraphrase.fact, scope: scope, metadata: ["key": "fact-\(i)"], time: at(days: 60, i)))
        }
        for (i, text) in set.distractors.enumerated() {
            memories.append(NewMemory(text: text, scope: scope, metadata: ["key": "distractor-\(i)"], time: at(days: 90, i)))
        }
        for (i, update) in set.updates.enumerated() {
            memories.append(NewMemory(text: update.new, scope: scope, metadata: ["key": "update-\(i)-new"], time: at(days: 180, i)))
        }
        let questions = set.paraphrases.enumerated().map { i, p in Question(text: p.question, expectation: .answer("fact-\(i)")) }
            + set.updates.enumerated().map { i, u in
                Question(text: u.question, expectation: .update(new: "update-\(i)-new", old: "update-\(i)-old"))
            }
        return Suite(name: scope, scope: scope, memories: memories, questions: questions)
    }

    static func demoSuite() -> Suite {
        let memories = DemoConversation.memories.enumerated().map { i, memory in
            var tagged = memory
            tagged.scope = "bench/demo"
            tagged.metadata["key"] = "demo-\(i)"
            return tagged
        }
        let questions = DemoConversation.questions.map { Question(text: $0.question, expectation: .answer("demo-\($0.answer)")) }
        return Suite(name: "demo", scope: "bench/demo", memories: memories, questions: questions)
    }

    // MARK: - Scoring

    static func evaluate(
        _ suite: Suite, in prepared: LoCoMoBenchmark.Prepared, variants: [(String, RecallOptions)], baselines: Bool = true
    ) throws -> SuiteResult {
        if try prepared.store.list(scope: suite.scope, limit: 1).isEmpty {
            _ = try prepared.store.importMemories(suite.memories)
        }
        let keys = suite.memories.map { $0.metadata["key"] ?? "" }
        let flat = baselines
            ? FlatBaselines(texts: suite.memories.map(\.text), embeddings: prepared.cache.embed(suite.memories.map(\.text)))
            : nil
        var rankings: [String: [[String]]] = [:]
        for question in suite.questions {
            if let flat {
                let ranked = flat.rankings(query: question.text, embedding: prepared.cache.embedding(of: question.text), limit: depth)
                for (name, ranking) in ranked { rankings[name, default: []].append(ranking.map { keys[$0] }) }
            }
            for (name, options) in variants {
                var variant = options
                variant.k = depth
                let hits = try prepared.store.recall(question.text, scope: suite.scope, options: variant)
                rankings[name, default: []].append(hits.map { $0.memory.metadata["key"] ?? "" })
            }
        }
        var counts: [String: Int] = [:]
        for question in suite.questions { counts[kind(question.expectation), default: 0] += 1 }
        return SuiteResult(name: suite.name, memories: suite.memories.count, questions: counts,
                           figures: rankings.mapValues { figures(suite.questions, $0) })
    }

    static func kind(_ expectation: Question.Expectation) -> String {
        switch expectation {
        case .answer: "answer"
        case .update: "update"
        }
    }

    /// Percentages over the questions of each kind: `top1` and `top5` of answer questions,
    /// `new_above_old` and `new_top1` of update questions.
    static func figures(_ questions: [Question], _ rankings: [[String]]) -> [String: Double] {
        var sums: [String: Double] = [:]
        var counts: [String: Int] = [:]
        for (question, ranking) in zip(questions, rankings) {
            func rank(_ key: String) -> Int { ranking.firstIndex(of: key) ?? Int.max }
            switch question.expectation {
            case let .answer(key):
                sums["top1", default: 0] += rank(key) < 1 ? 100 : 0
                sums["top5", default: 0] += rank(key) < 5 ? 100 : 0
                counts["top1", default: 0] += 1
                counts["top5", default: 0] += 1
            case let .update(new, old):
                sums["new_above_old", default: 0] += rank(new) < rank(old) ? 100 : 0
                sums["new_top1", default: 0] += rank(new) < 1 ? 100 : 0
                counts["new_above_old", default: 0] += 1
                counts["new_top1", default: 0] += 1
            }
        }
        return sums.reduce(into: [:]) { result, entry in result[entry.key] = entry.value / Double(counts[entry.key] ?? 1) }
    }
}
