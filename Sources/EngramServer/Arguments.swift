import EngramMemory
import Foundation
import MCP

/// An operation's arguments, checked against its ``Parameter``s: every value has its declared
/// type and bounds, nothing unknown is present, required ones are there. A failed check names
/// the argument (`memories[2].time`) and says why. `null` counts as absent.
struct Arguments: Sendable {
    private let values: [String: Value]

    /// - Parameters:
    ///   - fromQuery: the values come from a URL query, so integers arrive as strings.
    ///   - prefix: the field name prefix for error messages (a batch item's `memories[2].`).
    init(
        _ values: [String: Value], parameters: [Parameter], exactlyOneOf alternatives: [String] = [],
        fromQuery: Bool = false, prefix: String = ""
    ) throws(APIError) {
        let known = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0) })
        var checked: [String: Value] = [:]
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let parameter = known[name] else {
                let names = parameters.map(\.name).joined(separator: ", ")
                throw APIError(.malformedRequest, "is not an argument of this operation (it takes: \(names))", field: prefix + name)
            }
            if value.isNull { continue }
            checked[name] = try Self.check(value, against: parameter, fromQuery: fromQuery, field: prefix + name)
        }
        for parameter in parameters where parameter.required && checked[parameter.name] == nil {
            throw APIError(.malformedRequest, "is required", field: prefix + parameter.name)
        }
        let given = alternatives.filter { checked[$0] != nil }
        if !alternatives.isEmpty, given.count != 1 {
            let names = alternatives.joined(separator: " or ")
            throw APIError(.malformedRequest, given.isEmpty ? "one of \(names) is required" : "give either \(names), not both",
                           field: prefix + (given.count > 1 ? given[1] : alternatives[0]))
        }
        self.values = checked
    }

    func string(_ name: String) -> String? { values[name]?.stringValue }
    func integer(_ name: String) -> Int? { values[name]?.intValue }
    func int64(_ name: String) -> Int64? { integer(name).map(Int64.init) }
    func time(_ name: String) -> Date? { string(name).flatMap(MemoryTransfer.parseTime) }
    func metadata(_ name: String) -> [String: String]? {
        values[name]?.objectValue?.compactMapValues(\.stringValue)
    }
    /// A batch's items, each checked against `parameters`.
    func items(_ name: String, parameters: [Parameter]) throws(APIError) -> [Arguments] {
        var items: [Arguments] = []
        for (index, item) in (values[name]?.arrayValue ?? []).enumerated() {
            // `check` has made sure that every item is an object.
            items.append(try Arguments(item.objectValue ?? [:], parameters: parameters, prefix: "\(name)[\(index)]."))
        }
        return items
    }

    // MARK: - Checks

    private static func check(_ value: Value, against parameter: Parameter, fromQuery: Bool, field: String) throws(APIError) -> Value {
        switch parameter.kind {
        case let .text(maxBytes):
            let text = try string(value, field: field)
            guard !text.unicodeScalars.allSatisfy(\.properties.isWhitespace) else {
                throw APIError(.invalidArgument, "must not be empty or only white space", field: field)
            }
            guard !text.unicodeScalars.contains("\u{0}") else {
                throw APIError(.invalidArgument, "must not contain NUL characters (U+0000)", field: field)
            }
            guard text.utf8.count <= maxBytes else {
                throw APIError(.invalidArgument, "is \(text.utf8.count) bytes of UTF-8; the limit is \(maxBytes)", field: field)
            }
            return .string(text)
        case .name:
            let name = try string(value, field: field)
            try checkName(name, field: field)
            return .string(name)
        case let .integer(range):
            let number = try integer(value, fromQuery: fromQuery, field: field)
            guard range.contains(number) else {
                throw APIError(.invalidArgument, "must be an integer from \(range.lowerBound) to \(range.upperBound), got \(number)", field: field)
            }
            return .int(number)
        case .time:
            let text = try string(value, field: field)
            guard MemoryTransfer.parseTime(text) != nil else {
                throw APIError(.invalidArgument, "is not an ISO 8601 date-time (such as 2026-05-01T09:30:00Z): \(text.debugDescription)", field: field)
            }
            return .string(text)
        case .metadata:
            guard let object = value.objectValue else { throw wrongType(value, expected: "an object of strings", field: field) }
            guard object.count <= Parameter.maximumMetadataPairs else {
                throw APIError(.invalidArgument, "may hold at most \(Parameter.maximumMetadataPairs) pairs, got \(object.count)", field: field)
            }
            var metadata: [String: Value] = [:]
            for (key, item) in object.sorted(by: { $0.key < $1.key }) {
                try checkName(key, field: field, what: "a key ")
                let text = try string(item, field: "\(field).\(key)")
                guard text.unicodeScalars.count <= Parameter.maximumMetadataValueLength else {
                    throw APIError(.invalidArgument, "must be at most \(Parameter.maximumMetadataValueLength) characters", field: "\(field).\(key)")
                }
                metadata[key] = .string(text)
            }
            return .object(metadata)
        case let .memories(maxItems):
            guard let items = value.arrayValue else { throw wrongType(value, expected: "an array of memories", field: field) }
            guard (1...maxItems).contains(items.count) else {
                throw APIError(.invalidArgument, "must hold 1 to \(maxItems) memories, got \(items.count)", field: field)
            }
            for (index, item) in items.enumerated() where item.objectValue == nil {
                throw wrongType(item, expected: "an object", field: "\(field)[\(index)]")
            }
            return value
        }
    }

    /// The store's rule for scopes, sessions and metadata keys.
    private static func checkName(_ name: String, field: String, what: String = "") throws(APIError) {
        let length = name.unicodeScalars.count
        guard (1...Parameter.maximumNameLength).contains(length) else {
            throw APIError(.invalidArgument, "\(what)must be 1 to \(Parameter.maximumNameLength) characters long, got \(length)", field: field)
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw APIError(.invalidArgument, "\(what)must not contain control characters: \(name.debugDescription)", field: field)
        }
    }

    private static func string(_ value: Value, field: String) throws(APIError) -> String {
        switch value {
        case let .string(text): return text
        case .data:
            // The MCP SDK reads a string that looks like a data URL as data; the text is its
            // JSON encoding, which is that string again.
            if let data = try? JSONEncoder().encode(value), let text = try? JSONDecoder().decode(String.self, from: data) {
                return text
            }
            throw wrongType(value, expected: "a string", field: field)
        default:
            throw wrongType(value, expected: "a string", field: field)
        }
    }

    private static func integer(_ value: Value, fromQuery: Bool, field: String) throws(APIError) -> Int {
        switch value {
        case let .int(number): return number
        case let .double(number) where number.rounded() == number && abs(number) < 1e15: return Int(number)
        case let .string(text) where fromQuery:
            guard let number = decimalInteger(text) else {
                throw APIError(.malformedRequest, "must be an integer, got \(text.debugDescription)", field: field)
            }
            return number
        default:
            throw wrongType(value, expected: "an integer", field: field)
        }
    }

    /// An integer written as JSON writes one ("12", "-3"; not "+12", "012" or " 12"), as a URL
    /// query or path carries it.
    static func decimalInteger(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard let first = digits.first, first.isASCII, first.isNumber, first != "0" || digits.count == 1,
              digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    private static func wrongType(_ value: Value, expected: String, field: String) -> APIError {
        let actual: String
        switch value {
        case .null: actual = "null"
        case .bool: actual = "a boolean"
        case .int, .double: actual = "a number"
        case .string, .data: actual = "a string"
        case .array: actual = "an array"
        case .object: actual = "an object"
        }
        return APIError(.malformedRequest, "must be \(expected), got \(actual)", field: field)
    }
}
