import EngramMemory
import MCP

/// What a caller can ask of the memory, over MCP (the tools) and HTTP (the routes) alike: the
/// same names, arguments and results on both.
public enum Operation: String, CaseIterable, Sendable {
    case remember, recall, chain
    case getMemory = "get_memory"
    case updateMemory = "update_memory"
    case forget
    case listMemories = "list_memories"
    case stats
    /// HTTP only: the scopes and their counts.
    case scopes
    /// HTTP only: deletes a whole scope (an agent is not offered a tool that erases a user).
    case forgetScope = "forget_scope"

    /// The operations offered as MCP tools.
    public static let tools: [Operation] = [.remember, .recall, .chain, .getMemory, .updateMemory, .forget, .listMemories, .stats]

    /// What the operation does, for the tool's and the route's description.
    var summary: String {
        switch self {
        case .remember:
            "Store a memory (text) or a batch (memories) for later recall. A text as close as cosine 0.97 to a memory of its scope is not stored twice: its result is \"duplicate\" with the existing id."
        case .recall:
            "Find the memories that answer a question or cue, best first, even when it is worded differently from what was stored. Newer versions of a fact rank above older ones."
        case .chain:
            "Follow association chains from a memory (id) or from the memory that best matches a cue, hop by hop along learned links (same session, shared entities)."
        case .getMemory: "Read one memory by id."
        case .updateMemory: "Replace a memory's text, metadata or time; it keeps its id, scope, session and links."
        case .forget: "Delete a memory for good, with everything derived from it."
        case .listMemories: "List memories in the order they were stored, a page at a time, optionally filtered by session, time or full-text words."
        case .stats: "Counts of memories and scopes in the store."
        case .scopes: "The scopes that hold memories, with their counts."
        case .forgetScope: "Delete every memory of a scope for good."
        }
    }

    var isReadOnly: Bool { [.recall, .chain, .getMemory, .listMemories, .stats, .scopes].contains(self) }
    var isDestructive: Bool { [.updateMemory, .forget, .forgetScope].contains(self) }
    var isIdempotent: Bool { self != .remember }

    /// Exactly one of these must be present.
    var exactlyOneOf: [String] {
        switch self {
        case .remember: ["text", "memories"]
        case .chain: ["id", "cue"]
        default: []
        }
    }

    func parameters(_ limits: ServerLimits) -> [Parameter] {
        let scope = Parameter(name: "scope", kind: .name,
                              description: "The scope (a user, an agent): a hard partition. Default: the server's scope, else \"default\".")
        let id = Parameter(name: "id", kind: .integer(1...Int(Int64.max)), description: "The memory's id.", required: true)
        switch self {
        case .remember:
            var single = Self.memoryItemParameters
            single[0].required = false
            return single + [Parameter(name: "memories", kind: .memories(maxItems: limits.maximumBatch),
                                       description: "A batch to store in one transaction: all of them, or none if one is invalid.")]
        case .recall:
            return [
                Parameter(name: "query", kind: .text(maxBytes: MemoryStore.maximumTextBytes),
                          description: "The question or cue.", required: true),
                scope,
                Parameter(name: "k", kind: .integer(1...limits.maximumK), description: "How many memories to return (default 10)."),
                Parameter(name: "session", kind: .name, description: "Only memories of this session."),
                Parameter(name: "metadata", kind: .metadata, description: "Only memories whose metadata has all of these pairs."),
                Parameter(name: "after", kind: .time, description: "Only memories whose time is at or after this."),
                Parameter(name: "before", kind: .time, description: "Only memories whose time is before this."),
            ]
        case .chain:
            var from = id
            from.required = false
            from.description = "The memory to start from."
            return [
                from,
                Parameter(name: "cue", kind: .text(maxBytes: MemoryStore.maximumTextBytes),
                          description: "Start from the memory that best matches this text instead."),
                scope,
                Parameter(name: "hops", kind: .integer(1...limits.maximumHops), description: "How many hops to follow (default 3)."),
            ]
        case .getMemory, .forget:
            return [id]
        case .updateMemory:
            return [
                id,
                Parameter(name: "text", kind: .text(maxBytes: MemoryStore.maximumTextBytes), description: "The new text (re-encoded)."),
                Parameter(name: "metadata", kind: .metadata, description: "The new metadata (replaces the old)."),
                Parameter(name: "time", kind: .time, description: "The new time of the event."),
            ]
        case .listMemories:
            return [
                scope,
                Parameter(name: "session", kind: .name, description: "Only this session's memories."),
                Parameter(name: "matching", kind: .text(maxBytes: 1024),
                          description: "Only memories containing every one of these words (full text, with stemming)."),
                Parameter(name: "from", kind: .time, description: "Only memories whose time is at or after this."),
                Parameter(name: "until", kind: .time, description: "Only memories whose time is before this."),
                Parameter(name: "after_id", kind: .integer(0...Int(Int64.max)),
                          description: "Only ids above this: the previous page's next_after_id."),
                Parameter(name: "limit", kind: .integer(1...limits.maximumPage), description: "The page size (default 50)."),
            ]
        case .stats, .scopes:
            return []
        case .forgetScope:
            return [Parameter(name: "scope", kind: .name, description: "The scope to delete.", required: true)]
        }
    }

    /// One memory to store: `remember`'s arguments, and each item of its batch.
    static let memoryItemParameters: [Parameter] = [
        Parameter(name: "text", kind: .text(maxBytes: MemoryStore.maximumTextBytes),
                  description: "What to remember, in plain language (up to 32,768 bytes).", required: true),
        Parameter(name: "scope", kind: .name,
                  description: "The scope (a user, an agent): a hard partition. Default: the server's scope, else \"default\"."),
        Parameter(name: "session", kind: .name, description: "The conversation or episode it belongs to; memories of a session are linked in order."),
        Parameter(name: "metadata", kind: .metadata, description: "String pairs to filter on (at most 64, values up to 4,096 characters)."),
        Parameter(name: "time", kind: .time, description: "When it happened (ISO 8601); default: now. The later of two versions of a fact wins."),
    ]

    /// The JSON Schema of the operation's arguments.
    func inputSchema(_ limits: ServerLimits) -> Value {
        Parameter.objectSchema(parameters(limits), exactlyOneOf: exactlyOneOf)
    }
}
