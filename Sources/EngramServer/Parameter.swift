import MCP

/// One argument of an operation: its name, JSON type and bounds, and what it means. The same
/// definition gives the JSON Schema (the MCP tool's `inputSchema`, the OpenAPI document) and
/// checks what arrives (``Arguments``), so the documented contract and the enforced one agree.
struct Parameter: Sendable {
    enum Kind: Sendable {
        /// A non-empty string of at most this many bytes of UTF-8.
        case text(maxBytes: Int)
        /// A name (scope, session): 1 to 256 characters, no control characters.
        case name
        /// An integer in this range.
        case integer(ClosedRange<Int>)
        /// An ISO 8601 date-time (or a date alone, meaning midnight UTC).
        case time
        /// An object of string values (metadata): at most 64 pairs named like names, values of at
        /// most 4,096 characters.
        case metadata
        /// A batch of memories to store, each an object of ``Operation/memoryItemParameters``.
        case memories(maxItems: Int)
    }

    var name: String
    var kind: Kind
    var description: String
    var required = false

    static let maximumNameLength = 256
    static let maximumMetadataPairs = 64
    static let maximumMetadataValueLength = 4096

    /// A string with a character outside Unicode's White_Space (what the store takes for text).
    static let notBlankPattern: Value =
        "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    /// A string without control characters (Unicode's Cc), as names must be.
    static let noControlsPattern: Value = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
    static let nameSchema: Value = [
        "type": "string", "minLength": 1, "maxLength": .int(maximumNameLength), "pattern": noControlsPattern,
    ]

    /// This parameter's JSON Schema; an optional one may also be `null` (absent), as LLM
    /// clients often send for arguments they leave out.
    var schema: Value {
        var schema: [String: Value]
        switch kind {
        case let .text(maxBytes):
            // maxLength counts code points, so it is a bound the byte limit implies, not the limit.
            schema = [
                "type": "string", "minLength": 1, "maxLength": .int(maxBytes),
                "allOf": [["pattern": Self.notBlankPattern], ["pattern": "^[^\\u0000]*$"]],
            ]
        case .name:
            schema = Self.nameSchema.objectValue!
        case let .integer(range):
            schema = ["type": "integer", "minimum": .int(range.lowerBound), "maximum": .int(range.upperBound)]
        case .time:
            schema = ["type": "string", "anyOf": [["format": "date-time"], ["format": "date"]]]
        case .metadata:
            schema = [
                "type": "object", "maxProperties": .int(Self.maximumMetadataPairs), "propertyNames": Self.nameSchema,
                "additionalProperties": ["type": "string", "maxLength": .int(Self.maximumMetadataValueLength)],
            ]
        case let .memories(maxItems):
            schema = [
                "type": "array", "minItems": 1, "maxItems": .int(maxItems),
                "items": Self.objectSchema(Operation.memoryItemParameters),
            ]
        }
        if !required, let type = schema["type"] { schema["type"] = [type, "null"] }
        schema["description"] = .string(description)
        return .object(schema)
    }

    /// The JSON Schema of an object with these properties; `alternatives` lists arguments of
    /// which exactly one must be present (remember's `text` or `memories`).
    static func objectSchema(_ parameters: [Parameter], exactlyOneOf alternatives: [String] = []) -> Value {
        var schema: [String: Value] = [
            "type": "object",
            "properties": .object(Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.schema) })),
            "additionalProperties": false,
        ]
        let required = parameters.filter(\.required).map(\.name)
        if !required.isEmpty { schema["required"] = .array(required.map(Value.string)) }
        if !alternatives.isEmpty {
            schema["oneOf"] = .array(alternatives.map { name in
                Value.object(["required": [.string(name)], "properties": .object([name: ["not": ["type": "null"]]])])
            })
        }
        return .object(schema)
    }
}
