import EngramMemory
import Foundation
import MCP

/// The results of the operations, as they go over the wire (snake_case JSON), each with the JSON
/// Schema that the MCP tool's `outputSchema` and the OpenAPI document publish.
public enum Responses {
    /// A memory.
    public struct MemoryRecord: Codable, Sendable, Equatable {
        public var id: MemoryID
        public var scope: String
        public var session: String?
        public var text: String
        public var metadata: [String: String]
        public var time: String
        public var createdAt: String
        public var updatedAt: String
        public var supersededBy: MemoryID?

        enum CodingKeys: String, CodingKey {
            case id, scope, session, text, metadata, time
            case createdAt = "created_at", updatedAt = "updated_at", supersededBy = "superseded_by"
        }

        init(_ memory: Memory) {
            id = memory.id
            scope = memory.scope
            session = memory.session
            text = memory.text
            metadata = memory.metadata
            time = MemoryTransfer.formatTime(memory.time)
            createdAt = MemoryTransfer.formatTime(memory.createdAt)
            updatedAt = MemoryTransfer.formatTime(memory.updatedAt)
            supersededBy = memory.supersededBy
        }

        static let schema: Value = object([
            "id": integer("The memory's id (never reused)."),
            "scope": string("Its scope."),
            "session": string("Its session, if it has one."),
            "text": string("What was remembered."),
            "metadata": ["type": "object", "additionalProperties": ["type": "string"]],
            "time": dateTime("When it happened."),
            "created_at": dateTime("When it was stored."),
            "updated_at": dateTime("When it was last changed."),
            "superseded_by": integer("The id of a newer version of the same fact, if there is one."),
        ], required: ["id", "scope", "text", "metadata", "time", "created_at", "updated_at"])
    }

    /// `remember`: one outcome per item, in order.
    public struct Remembered: Codable, Sendable, Equatable {
        public struct Outcome: Codable, Sendable, Equatable {
            /// `stored`, or `duplicate` (not stored; `id` is the existing memory's).
            public var status: String
            public var id: MemoryID
            public var similarity: Double?
        }
        public var results: [Outcome]

        static let schema: Value = object([
            "results": array(object([
                "status": ["type": "string", "enum": ["stored", "duplicate"]],
                "id": integer("The new memory's id, or the existing one's for a duplicate."),
                "similarity": ["type": "number", "description": "For a duplicate: its cosine with the existing memory."],
            ], required: ["status", "id"])),
        ], required: ["results"])
    }

    /// `recall`: the hits, best first.
    public struct Recalled: Codable, Sendable, Equatable {
        public struct Hit: Codable, Sendable, Equatable {
            public var memory: MemoryRecord
            public var score: Double
            /// The stages that proposed it (dense, lexical, hopfield, association).
            public var foundBy: [String]
            enum CodingKeys: String, CodingKey { case memory, score, foundBy = "found_by" }
        }
        public var hits: [Hit]

        static let schema: Value = object([
            "hits": array(object([
                "memory": MemoryRecord.schema,
                "score": ["type": "number"],
                "found_by": array(["type": "string"]),
            ], required: ["memory", "score", "found_by"])),
        ], required: ["hits"])
    }

    /// `chain`: the start, then one step per hop.
    public struct Chained: Codable, Sendable, Equatable {
        public struct Step: Codable, Sendable, Equatable {
            public var memory: MemoryRecord
            /// How strongly the previous step recalls this one (1 for the start).
            public var strength: Double
        }
        public var steps: [Step]

        static let schema: Value = object([
            "steps": array(object(["memory": MemoryRecord.schema, "strength": ["type": "number"]], required: ["memory", "strength"])),
        ], required: ["steps"])
    }

    /// `get_memory` and `update_memory`.
    public struct OneMemory: Codable, Sendable, Equatable {
        public var memory: MemoryRecord
        static let schema: Value = object(["memory": MemoryRecord.schema], required: ["memory"])
    }

    /// `forget`, `forget_scope`.
    public struct Forgotten: Codable, Sendable, Equatable {
        /// How many memories were deleted.
        public var forgotten: Int
        static let schema: Value = object(["forgotten": integer("How many memories were deleted.")], required: ["forgotten"])
    }

    /// `list_memories`: a page, and where the next one starts.
    public struct Listed: Codable, Sendable, Equatable {
        public var memories: [MemoryRecord]
        /// Pass as `after_id` for the next page; absent on the last page.
        public var nextAfterID: MemoryID?
        enum CodingKeys: String, CodingKey { case memories, nextAfterID = "next_after_id" }

        static let schema: Value = object([
            "memories": array(MemoryRecord.schema),
            "next_after_id": integer("Pass as after_id for the next page; absent on the last page."),
        ], required: ["memories"])
    }

    /// `scopes`.
    public struct Scopes: Codable, Sendable, Equatable {
        public struct Scope: Codable, Sendable, Equatable {
            public var scope: String
            public var memories: Int
        }
        public var scopes: [Scope]

        static let schema: Value = object([
            "scopes": array(object(["scope": string("The scope."), "memories": integer("Its memories.")], required: ["scope", "memories"])),
        ], required: ["scopes"])
    }

    /// `stats`; the store-wide counts are left out on a server fixed to one scope.
    public struct Statistics: Codable, Sendable, Equatable {
        public var memories: Int
        public var scopes: Int
        public var cues: Int?
        public var edges: Int?
        public var formatVersion: Int?
        public var fileBytes: Int64?
        enum CodingKeys: String, CodingKey {
            case memories, scopes, cues, edges, formatVersion = "format_version", fileBytes = "file_bytes"
        }

        static let schema: Value = object([
            "memories": integer("Memories (in the server's scope, if it is fixed to one)."),
            "scopes": integer("Scopes that hold memories."),
            "cues": integer("Cue embeddings (whole texts, passages, clauses)."),
            "edges": integer("Association edges."),
            "format_version": integer("The store file's format version."),
            "file_bytes": integer("The store file's size."),
        ], required: ["memories", "scopes"])
    }

    /// The schema of each operation's result.
    static func schema(of operation: Operation) -> Value {
        switch operation {
        case .remember: Remembered.schema
        case .recall: Recalled.schema
        case .chain: Chained.schema
        case .getMemory, .updateMemory: OneMemory.schema
        case .forget, .forgetScope: Forgotten.schema
        case .listMemories: Listed.schema
        case .stats: Statistics.schema
        case .scopes: Scopes.schema
        }
    }

    // MARK: - Schema helpers

    static func object(_ properties: [String: Value], required: [String]) -> Value {
        ["type": "object", "properties": .object(properties), "required": .array(required.map(Value.string))]
    }
    static func array(_ items: Value) -> Value { ["type": "array", "items": items] }
    static func string(_ description: String) -> Value { ["type": "string", "description": .string(description)] }
    static func integer(_ description: String) -> Value { ["type": "integer", "description": .string(description)] }
    static func dateTime(_ description: String) -> Value {
        ["type": "string", "format": "date-time", "description": .string(description)]
    }
}
