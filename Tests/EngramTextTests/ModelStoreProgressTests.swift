import Foundation
import Testing
@testable import EngramText

@Suite("Model store download progress")
struct ModelStoreProgressTests {
    final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var parts: [String] = []
        var text: [String] { lock.withLock { parts } }
        func append(_ part: String) { lock.withLock { parts.append(part) } }
    }

    @Test func logOutputPrintsALineEveryTenPercent() {
        let output = Collector()
        let bar = DownloadProgress(label: "w.whl", total: 1_000_000, interactive: false, now: 0, write: output.append)
        for step in 0...40 {
            bar.update(received: Int64(step) * 25_000, expected: nil, now: Double(step) * 0.05)
        }
        bar.finish(now: 2)
        let lines = output.text
        #expect(lines.count == 11)
        #expect(lines.first == "w.whl: 10% (0.1/1.0 MB, 0.5 MB/s)\n")  // 0.1 MB after 0.2 s
        #expect(lines[9].hasPrefix("w.whl: 100% (1.0/1.0 MB"))
        #expect(lines.last == "w.whl: 1.0 MB in 2.0 s (0.5 MB/s)\n")
    }

    @Test func terminalOutputRedrawsAtMostTenTimesASecond() {
        let output = Collector()
        let bar = DownloadProgress(label: "f", total: 2_000_000, interactive: true, now: 0, write: output.append)
        for step in 0..<100 {  // 100 updates over one second
            bar.update(received: Int64(step) * 20_000, expected: nil, now: Double(step) * 0.01)
        }
        bar.finish(now: 1)
        let draws = output.text
        #expect(draws.count <= 11 + 1)
        #expect(draws.dropLast().allSatisfy { $0.hasPrefix("\rf [") && $0.contains("MB/s") })
        #expect(draws.last?.hasSuffix("\n") == true)
    }

    @Test func unknownSizeReportsMegabytes() {
        let output = Collector()
        let bar = DownloadProgress(label: "f", interactive: false, now: 0, write: output.append)
        bar.update(received: 25_000_000, expected: nil, now: 1)
        #expect(output.text == ["f: 25.0 MB, 25.0 MB/s\n"])
    }
}
