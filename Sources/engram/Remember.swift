import ArgumentParser
import EngramMemory
import Foundation

/// `engram remember`: store one memory.
struct Remember: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store a memory (a near-duplicate in the same scope is reported, not stored twice).")

    @Argument(help: "The text to remember.") var text: String
    @Option(help: "The scope (a hard partition: user, agent, …).") var scope = MemoryStore.defaultScope
    @Option(help: "The session within the scope; memories of a session are linked in time order.") var session: String?
    @Option(name: .customLong("meta"), help: "Metadata as key=value (repeatable).") var meta: [String] = []
    @Option(help: "When it happened, ISO 8601 (default: now).") var time: String?
    @OptionGroup var options: StoreOptions

    func run() async throws {
        let metadata = try metadataPairs(meta)
        let date = try time.map { text in
            guard let date = MemoryTransfer.parseTime(text) else { throw ValidationError("--time is not an ISO 8601 date: \(text)") }
            return date
        }
        let store = try await options.open()
        let outcome = try storeCall {
            try store.remember(text, scope: scope, session: session, metadata: metadata, time: date)
        }
        switch outcome {
        case let .stored(id):
            options.json ? printJSON(["id": id, "stored": true]) : print("remembered #\(id)")
        case let .duplicate(id, similarity):
            options.json ? printJSON(["id": id, "stored": false, "duplicate_of": id, "similarity": Double(similarity)])
                : print("not stored: a near-duplicate of #\(id) (cosine \(String(format: "%.3f", similarity)))")
        }
    }
}

/// `engram forget`: delete a memory and everything derived from it.
struct Forget: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete a memory with its cues, codes, edges and full-text row.")

    @Argument(help: "The memory's id.") var id: Int64
    @OptionGroup var options: StoreOptions

    func run() async throws {
        let store = try await options.open()
        try storeCall { try store.forget(id) }
        options.json ? printJSON(["id": id, "forgotten": true]) : print("forgot #\(id)")
    }
}
