import EngramMemory
import Foundation
import Testing

@Suite struct TimeParsingTests {
    @Test func readsRFC3339AndDates() {
        let cases: [(String, TimeInterval)] = [
            ("1970-01-01T00:00:00Z", 0),
            ("2026-05-01", 1_777_593_600),
            ("2026-05-01T09:30:00Z", 1_777_627_800),
            ("2026-05-01t09:30:00z", 1_777_627_800),
            ("2026-05-01T11:30:00+02:00", 1_777_627_800),
            ("2026-05-01T09:30:00.250Z", 1_777_627_800.25),
            ("2024-02-29T00:00:00Z", 1_709_164_800),
            ("1969-12-31T23:59:59Z", -1),
            ("0001-01-01T00:00:00Z", -62_135_596_800),
        ]
        for (text, expected) in cases {
            #expect(MemoryTransfer.parseTime(text)?.timeIntervalSince1970 == expected, "\(text)")
        }
        #expect(MemoryTransfer.parseTime(MemoryTransfer.formatTime(Date(timeIntervalSince1970: 12.5)))?.timeIntervalSince1970 == 12.5)
    }

    @Test func writesUTCWithMilliseconds() {
        let cases: [(TimeInterval, String)] = [
            (0, "1970-01-01T00:00:00.000Z"), (1_777_627_800.25, "2026-05-01T09:30:00.250Z"),
            (1_709_164_800, "2024-02-29T00:00:00.000Z"), (-1, "1969-12-31T23:59:59.000Z"),
            (-0.5, "1969-12-31T23:59:59.500Z"), (-62_135_596_800, "0001-01-01T00:00:00.000Z"),
            (253_402_300_799.999, "9999-12-31T23:59:59.999Z"),
        ]
        for (seconds, text) in cases {
            #expect(MemoryTransfer.formatTime(Date(timeIntervalSince1970: seconds)) == text, "\(seconds)")
        }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let milliseconds = Double(Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &random))
            let date = Date(timeIntervalSince1970: milliseconds / 1000)
            #expect(MemoryTransfer.parseTime(MemoryTransfer.formatTime(date)) == date)
        }
    }

    @Test func refusesWhatIsNoDate() {
        for text in ["", "yesterday", "2024-01-01T12:99:00Z", "2023-02-29", "2024-13-01", "2024-01-01T24:00:00Z",
                     "2024-01-01T10:00:00", "2024-01-01T10:00:00+2:00", "2024-01-01T10:00:00.Z", "2024-1-01",
                     "2024-01-01 10:00:00Z", "2024-01-01T10:00:00Zjunk"] {
            #expect(MemoryTransfer.parseTime(text) == nil, "\(text)")
        }
    }
}
