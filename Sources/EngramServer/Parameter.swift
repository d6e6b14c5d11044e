import MCP

/// One argument of an operation: its name, JSON type and bounds, and what it means. The same
/// definition gives the JSON Schema (the MCP tool's `inputSchema`, the OpenAPI document) and
/// checks what arrives (``Arguments``), so the documented contract and the enforced one agree.
struct Parameter: Sendable {
    enum Kind: Sendable {
        /// A non-empty string of at most this many bytes of UTF-8.
        case text(maxBytes: Int)
        /// A name (scope, session): 1 to 256 bytes of UTF-8.
        case name
        /// An integer in this range.
        case integer(ClosedRange<Int>)
        /// An ISO 8601 date-time (or a date alone, meaning midnight UTC).
        case time
        /// An object of string values (metadata): at most 64 pairs, values at most 4 KB.
        case metadata
        /// A batch of memories to store, each an object of ``Operation/memoryItemParameters``.
        case memories(maxItems: Int)
    }

    var name: String
    var kind: Kind
    var description: String
    var required = false

    static let maximumNameBytes = 256
    static let maximumMetadataPairs = 64
    static let maximumMetadataValueBytes = 4096

    /// This parameter's JSON Schema.
    var schema: Value {
        var schema: [String: Value]
        switch kind {
        case let .text(maxBytes):
            schema = ["type": "string", "minLength": 1, "maxLength": .int(maxBytes)]
        case .name:
            schema = ["type": "string", "minLength": 1, "maxLength": .int(Self.maximumNameBytes)]
        case let .integer(range):
            schema = ["type": "integer", "minimum": .int(range.lowerBound), "maximum": .int(range.upperBound)]
        case .time:
            schema = ["type": "string", "format": "date-time"]
        case .metadata:
            schema = [
                "type": "object", "maxProperties": .int(Self.maximumMetadataPairs),
                "additionalProperties": ["type": "string", "maxLength": .int(Self.maximumMetadataValueBytes)],
            ]
        case let .memories(maxItems):
            schema = [
                "type": "array", "minItems": 1, "maxItems": .int(maxItems),
                "items": Self.objectSchema(Operation.memoryItemParameters),
            ]
        }
        schema["description"] = .string(description)
        return .object(schema)
    }

    /// The JSON Schema of an object with these properties; `oneOfRequired` lists alternatives of
    /// which at least one must be present (remember's `text` or `memories`).
    static func objectSchema(_ parameters: [Parameter], anyOfRequired alternatives: [String] = []) -> Value {
        var schema: [String: Value] = [
            "type": "object",
            "properties": .object(Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.schema) })),
            "additionalProperties": false,
        ]
        let required = parameters.filter(\.required).map(\.name)
        if !required.isEmpty { schema["required"] = .array(required.map(Value.string)) }
        if !alternatives.isEmpty {
            schema["anyOf"] = .array(alternatives.map { ["required": [.string($0)]] })
        }
        return .object(schema)
    }
}
