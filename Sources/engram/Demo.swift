import ArgumentParser
import EngramMemory
import Foundation

/// `engram demo`: the agent memory on a built-in conversation, end to end.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remember a built-in conversation, then recall it from paraphrased questions and follow a chain.",
        discussion: """
            Runs on an in-memory store (nothing is written) unless --store is given. The model is \
            provisioned on first use. Then try `engram remember`, `engram recall` and `engram chain` \
            on your own store.
            """
    )

    @Option(help: "Write the demo memories to this store file instead of memory.") var store: String?
    @OptionGroup var model: ModelOptions

    func run() async throws {
        let encoder = try await model.loadEncoder()
        let memory: MemoryStore
        do {
            memory = try store.map { try MemoryStore(path: $0, embedder: encoder) } ?? MemoryStore(inMemoryWith: encoder)
        } catch {
            throw CommandFailure("\(error)")
        }
        let start = Date()
        let summary = try storeCall { try memory.importMemories(DemoConversation.memories) }
        print("Remembered \(summary.stored) memories in \(Int(Date().timeIntervalSince(start) * 1000)) ms (scope \"demo\").\n")
        for (question, _) in DemoConversation.questions {
            let hits = try storeCall { try memory.recall(question, scope: DemoConversation.scope, k: 2) }
            print("Q: \(question)")
            for hit in hits { print("   \(String(format: "%.3f", hit.score))  \(hit.memory.text)  [\(hit.foundBy.names.joined(separator: "+"))]") }
        }
        print("\nChain from \"Who is coming on the hiking trip?\", 3 hops:")
        for (hop, step) in try storeCall({ try memory.chain(fromCue: "Who is coming on the hiking trip?", scope: DemoConversation.scope, hops: 3) }).enumerated() {
            print("   \(hop == 0 ? "start" : "hop \(hop)")  \(step.memory.text)")
        }
    }
}
