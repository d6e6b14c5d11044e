import Foundation

/// The JSONL exchange format of `engram import` and `engram export`: one JSON object per line,
/// `{"text": …, "scope": …, "session": …, "metadata": {…}, "time": "ISO 8601"}`, only `text`
/// required. Export writes the same fields (and the `id`, which import ignores), so exporting and
/// importing again gives the same memories.
public enum MemoryTransfer {
    /// Reads every line of a JSONL file, checking all of them before anything is stored.
    /// - Throws: ``MemoryError/malformedLine(line:reason:)`` naming the first bad line (invalid
    ///   UTF-8, not a JSON object, a missing or mistyped field, a text the store would refuse).
    public static func read(_ data: Data) throws -> [NewMemory] {
        var items: [NewMemory] = []
        var lineNumber = 0
        var start = data.startIndex
        while start < data.endIndex {
            lineNumber += 1
            let end = data[start...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
            let line = data[start..<end]
            start = end < data.endIndex ? data.index(after: end) : end
            guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) else {
                continue
            }
            items.append(try parse(line, lineNumber: lineNumber))
        }
        return items
    }

    /// One line, parsed and validated.
    static func parse(_ line: Data, lineNumber: Int) throws -> NewMemory {
        guard String(data: line, encoding: .utf8) != nil else {
            throw MemoryError.malformedLine(line: lineNumber, reason: "not valid UTF-8")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] else {
            throw MemoryError.malformedLine(line: lineNumber, reason: "not a JSON object")
        }
        func string(_ key: String) throws -> String? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            guard let text = value as? String else {
                throw MemoryError.malformedLine(line: lineNumber, reason: "\"\(key)\" must be a string")
            }
            return text
        }
        guard let text = try string("text") else {
            throw MemoryError.malformedLine(line: lineNumber, reason: "\"text\" is missing")
        }
        var item = NewMemory(text: text, scope: try string("scope") ?? MemoryStore.defaultScope, session: try string("session"))
        if let metadata = object["metadata"], !(metadata is NSNull) {
            guard let pairs = metadata as? [String: Any] else {
                throw MemoryError.malformedLine(line: lineNumber, reason: "\"metadata\" must be an object of strings")
            }
            for (key, value) in pairs {
                guard let value = value as? String else {
                    throw MemoryError.malformedLine(line: lineNumber, reason: "metadata \"\(key)\" must be a string")
                }
                item.metadata[key] = value
            }
        }
        if let time = try string("time") {
            guard let date = parseTime(time) else {
                throw MemoryError.malformedLine(line: lineNumber, reason: "\"time\" is not an ISO 8601 date: \(time)")
            }
            item.time = date
        }
        do { try MemoryStore.validate(item) } catch let error as MemoryError {
            throw MemoryError.malformedLine(line: lineNumber, reason: error.description)
        }
        return item
    }

    /// The export line of a memory (with its trailing newline).
    public static func line(for memory: Memory) -> String {
        struct Line: Encodable {
            var id: MemoryID
            var text: String
            var scope: String
            var session: String?
            var metadata: [String: String]
            var time: String
        }
        let line = Line(id: memory.id, text: memory.text, scope: memory.scope, session: memory.session,
                        metadata: memory.metadata, time: formatTime(memory.time))
        // Encoding strings and a dictionary of strings cannot fail.
        let data = (try? JSONEncoder.sorted.encode(line)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// ISO 8601 with fractional seconds, or without them; a date alone means midnight UTC.
    public static func parseTime(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }

    /// ISO 8601 in UTC with milliseconds (what ``parseTime(_:)`` reads back exactly to the millisecond).
    public static func formatTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
