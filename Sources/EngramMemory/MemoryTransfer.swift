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

    /// An RFC 3339 date-time (`2026-05-01T09:30:00Z`, `…T09:30:00.250+02:00`; `T` and `Z` in
    /// either case, any number of fraction digits), or a date alone (`2026-05-01`, midnight UTC).
    /// Strict: a field out of its range ("12:99") is no date, as JSON Schema's `date-time` says.
    public static func parseTime(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func byte(_ index: Int, is characters: String) -> Bool {
            index < bytes.count && characters.utf8.contains(bytes[index])
        }
        guard let year = number(0..<4), byte(4, is: "-"), let month = number(5..<7), byte(7, is: "-"),
              let day = number(8..<10), (1...12).contains(month), (1...daysIn(month: month, of: year)).contains(day) else { return nil }
        let midnight = Double(daysSinceEpoch(year: year, month: month, day: day)) * 86_400
        if bytes.count == 10 { return Date(timeIntervalSince1970: midnight) }

        guard byte(10, is: "Tt"), let hour = number(11..<13), byte(13, is: ":"), let minute = number(14..<16),
              byte(16, is: ":"), let second = number(17..<19), hour <= 23, minute <= 59, second <= 60 else { return nil }
        var index = 19
        // The fraction as an integer of up to 6 digits (microseconds), so that the time is
        // rounded once: "…:07.862Z" gives exactly the Double nearest to …7.862.
        var fraction = 0, fractionDigits = 0
        if byte(index, is: ".") {
            index += 1
            let digitsStart = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                if fractionDigits < 6 {
                    fraction = fraction * 10 + Int(bytes[index] - 0x30)
                    fractionDigits += 1
                }
                index += 1
            }
            guard index > digitsStart else { return nil }
        }
        var offset = 0
        if byte(index, is: "Zz"), index + 1 == bytes.count {
            offset = 0
        } else if byte(index, is: "+-"), index + 6 == bytes.count, let hours = number(index + 1..<index + 3),
                  byte(index + 3, is: ":"), let minutes = number(index + 4..<index + 6), hours <= 23, minutes <= 59 {
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        let scale = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000][fractionDigits]
        let seconds = daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds * scale + fraction) / Double(scale))
    }

    private static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int, of year: Int) -> Int {
        [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// ISO 8601 in UTC with milliseconds (what ``parseTime(_:)`` reads back exactly to the millisecond).
    /// Written by hand: a formatter object per call cost ~0.1 ms, 30 times per recall served.
    public static func formatTime(_ date: Date) -> String {
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded())
        let (days, msOfDay) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let (day, ms) = msOfDay < 0 ? (days - 1, msOfDay + 86_400_000) : (days, msOfDay)
        let (year, month, dayOfMonth) = civilDate(daysSinceEpoch: day)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))T\(pad(ms / 3_600_000, 2)):\(pad(ms / 60_000 % 60, 2))"
            + ":\(pad(ms / 1000 % 60, 2)).\(pad(ms % 1000, 3))Z"
    }

    /// The date of the proleptic Gregorian calendar `days` after 1970-01-01 (the inverse of
    /// ``daysSinceEpoch(year:month:day:)``).
    private static func civilDate(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
