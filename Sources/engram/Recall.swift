import ArgumentParser
import EngramMemory
import Foundation

/// `engram recall`: the memories that best match a query.
struct Recall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recall the memories of a scope that best match a query (dense + BM25 + Hopfield + association).")

    @Argument(help: "The query.") var query: String
    @Option(help: "The scope to search.") var scope = MemoryStore.defaultScope
    @Option(name: .short, help: "How many memories to return.") var k = 5
    @Option(help: "Only memories of this session.") var session: String?
    @Option(help: "Leave out stages, for comparison: any of dense, lexical, hopfield, association, supersession (comma-separated).")
    var without: String?
    @Flag(help: "Strengthen the association among the top hits (a write).") var reinforce = false
    @OptionGroup var options: StoreOptions

    func run() async throws {
        var recallOptions = RecallOptions(k: k)
        recallOptions.session = session
        recallOptions.reinforce = reinforce
        for name in (without ?? "").split(separator: ",") {
            guard let stage = RecallStages.named(String(name)) else {
                throw ValidationError("--without takes \(RecallStages.named.map(\.name).joined(separator: ", ")), got \(name)")
            }
            recallOptions.stages.remove(stage)
        }
        let store = try await options.open()
        let hits = try storeCall { try store.recall(query, scope: scope, options: recallOptions) }
        if options.json {
            printJSON(["hits": hits.map { hit in
                jsonObject(hit.memory).merging(["score": hit.score, "found_by": hit.foundBy.names]) { $1 }
            }])
        } else if hits.isEmpty {
            print("no memories in scope \(scope)")
        } else {
            for hit in hits {
                let history = hit.memory.supersededBy.map { "  (superseded by #\($0))" } ?? ""
                print("#\(hit.memory.id)  \(String(format: "%.4f", hit.score))  [\(hit.foundBy.names.joined(separator: "+"))]  \(hit.memory.text)\(history)")
            }
        }
    }
}

/// `engram chain`: follow association chains from a cue.
struct Chain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow association chains: from the memory that best matches a cue (or an id), hop along the Hebbian associations.")

    @Argument(help: "The cue text, or #ID to start from a memory.") var cue: String
    @Option(help: "How many hops to follow.") var hops = 3
    @Option(help: "The scope (for a text cue).") var scope = MemoryStore.defaultScope
    @OptionGroup var options: StoreOptions

    func run() async throws {
        let store = try await options.open()
        let steps = try storeCall {
            if cue.hasPrefix("#"), let id = Int64(cue.dropFirst()) { return try store.chain(from: id, hops: hops) }
            return try store.chain(fromCue: cue, scope: scope, hops: hops)
        }
        if options.json {
            printJSON(["path": steps.map { jsonObject($0.memory).merging(["strength": $0.strength]) { $1 } }])
        } else if steps.isEmpty {
            print("no memories in scope \(scope)")
        } else {
            for (hop, step) in steps.enumerated() {
                print("\(hop == 0 ? "start" : "hop \(hop)")  #\(step.memory.id)  \(String(format: "%.2f", step.strength))  \(step.memory.text)")
            }
        }
    }
}

extension RecallStages {
    static func named(_ name: String) -> RecallStages? {
        named.first { $0.name == name.lowercased() }?.stage
    }
}
