import ArgumentParser
import EngramMemory
import Foundation

/// `engram list`: memories in the order they were stored.
struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List memories in the order they were stored.")

    @Option(help: "Only this scope.") var scope: String?
    @Option(help: "Only memories containing all these words (full-text search, stemmed).") var matching: String?
    @Option(help: "Only ids greater than this (paging).") var after: Int64 = 0
    @Option(help: "The most to list.") var limit = 50
    @OptionGroup var options: StoreOptions

    func run() async throws {
        let store = try await options.open()
        let memories = try storeCall { try store.list(scope: scope, matching: matching, after: after, limit: limit) }
        if options.json {
            printJSON(["memories": memories.map(jsonObject)])
        } else {
            for memory in memories { print("#\(memory.id)  [\(memory.scope)]  \(memory.text)") }
        }
    }
}

/// `engram stats`: counts that describe the store.
struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Counts of memories, cues, edges and scopes.")

    @OptionGroup var options: StoreOptions

    func run() async throws {
        let store = try await options.open()
        let statistics = try storeCall { try store.statistics() }
        let scopes = try storeCall { try store.scopes() }
        if options.json {
            var object: [String: Any] = [
                "path": store.path, "memories": statistics.memories, "cues": statistics.cues, "edges": statistics.edges,
                "scopes": Dictionary(uniqueKeysWithValues: scopes.map { ($0.scope, $0.memories) }),
                "format_version": statistics.formatVersion,
            ]
            object["file_bytes"] = statistics.fileBytes
            printJSON(object)
        } else {
            print("store \(store.path) (format \(statistics.formatVersion))")
            print("\(statistics.memories) memories, \(statistics.cues) cues, \(statistics.edges) edges, \(statistics.scopes) scopes")
            for (scope, count) in scopes { print("  \(scope): \(count)") }
            if let bytes = statistics.fileBytes { print("file: \(bytes) bytes") }
        }
    }
}
