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

    /// A short two-session conversation of an assistant with its user.
    static let conversation: [(session: String, time: String, text: String)] = [
        ("trip", "2026-05-02T09:00:00Z", "Maya is planning a hiking trip to the Dolomites in July."),
        ("trip", "2026-05-02T09:01:00Z", "She wants to stay in mountain huts rather than hotels."),
        ("trip", "2026-05-02T09:02:00Z", "Her friend Tomás will join her for the first week."),
        ("trip", "2026-05-02T09:03:00Z", "Tomás is allergic to peanuts, so they pack their own snacks."),
        ("trip", "2026-05-02T09:04:00Z", "Maya booked the Rifugio Lagazuoi for the nights of 12 and 13 July."),
        ("work", "2026-06-10T14:00:00Z", "Maya started a new job as a data engineer at a bicycle company."),
        ("work", "2026-06-10T14:01:00Z", "Her team migrates the order database from MySQL to PostgreSQL."),
        ("work", "2026-06-10T14:02:00Z", "Her manager, Ines, prefers written updates every Friday."),
        ("work", "2026-06-10T14:03:00Z", "Maya cycles to the office along the river, about 25 minutes."),
        ("home", "2026-06-20T19:00:00Z", "Maya adopted a grey cat called Pixel from the animal shelter."),
        ("home", "2026-06-20T19:01:00Z", "Pixel hides under the sofa whenever the doorbell rings."),
        ("home", "2026-06-20T19:02:00Z", "Her sister Lena looks after Pixel when Maya travels."),
    ]

    static let questions = [
        "Where is Maya going walking this summer?",
        "Which food must be avoided on the trip?",
        "What does Maya do for a living?",
        "Who takes care of the pet during the holidays?",
        "How does she get to work?",
    ]

    func run() async throws {
        let encoder = try await model.loadEncoder()
        let memory: MemoryStore
        do {
            memory = try store.map { try MemoryStore(path: $0, embedder: encoder) } ?? MemoryStore(inMemoryWith: encoder)
        } catch {
            throw CommandFailure("\(error)")
        }
        let items = Self.conversation.map { entry in
            NewMemory(text: entry.text, scope: "demo", session: entry.session, time: MemoryTransfer.parseTime(entry.time))
        }
        let start = Date()
        let summary = try storeCall { try memory.importMemories(items) }
        print("Remembered \(summary.stored) memories in \(Int(Date().timeIntervalSince(start) * 1000)) ms (scope \"demo\").\n")
        for question in Self.questions {
            let hits = try storeCall { try memory.recall(question, scope: "demo", k: 2) }
            print("Q: \(question)")
            for hit in hits { print("   \(String(format: "%.3f", hit.score))  \(hit.memory.text)  [\(hit.foundBy.names.joined(separator: "+"))]") }
        }
        print("\nChain from \"Who is coming on the hiking trip?\", 3 hops:")
        for (hop, step) in try storeCall({ try memory.chain(fromCue: "Who is coming on the hiking trip?", scope: "demo", hops: 3) }).enumerated() {
            print("   \(hop == 0 ? "start" : "hop \(hop)")  \(step.memory.text)")
        }
    }
}
