import Foundation

/// A download's progress on standard error: percentage, megabytes and rate.
///
/// On a terminal the bar redraws itself in place (`\r`) at most ten times a second; otherwise
/// (a log, CI) it prints a line at each further 10 % (or every 10 MB when the size is unknown),
/// so logs stay short. Safe to call from any thread.
final class DownloadProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let label: String
    private let interactive: Bool
    private let write: @Sendable (String) -> Void
    private let start: TimeInterval
    private var knownTotal: Int64?
    private var received: Int64 = 0
    private var lastDraw: TimeInterval = -.infinity
    private var lastStep = 0
    private var finished = false

    /// - Parameters:
    ///   - label: What is downloading, such as the file name.
    ///   - total: The expected size in bytes where known in advance (the transport may tell it later).
    ///   - interactive: Redraw one line with `\r`; by default when standard error is a terminal.
    ///   - now: The current time in seconds (tests pass their own clock).
    ///   - write: Where text goes; standard error by default.
    init(
        label: String,
        total: Int64? = nil,
        interactive: Bool = standardErrorIsTerminal(),
        now: TimeInterval = ProcessInfo.processInfo.systemUptime,
        write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.label = label
        self.knownTotal = total
        self.interactive = interactive
        self.start = now
        self.write = write
    }

    /// Records progress and draws if it is time to.
    ///
    /// - Parameters:
    ///   - received: Bytes received so far.
    ///   - expected: The total announced by the server, if any.
    ///   - now: The current time in seconds.
    func update(received: Int64, expected: Int64?, now: TimeInterval = ProcessInfo.processInfo.systemUptime) {
        let text: String? = lock.withLock {
            guard !finished else { return nil }
            self.received = received
            if let expected, expected > 0 { knownTotal = expected }
            if interactive {
                guard now - lastDraw >= 0.1 else { return nil }
                lastDraw = now
                return "\r" + line(now: now) + "\u{1B}[K"
            }
            let step: Int
            if let total = knownTotal {
                step = Int(min(100, received * 100 / max(total, 1)) / 10)
            } else {
                step = Int(received / 10_000_000)
            }
            guard step > lastStep else { return nil }
            lastStep = step
            return line(now: now) + "\n"
        }
        if let text { write(text) }
    }

    /// Draws the final state and ends the line; later updates are ignored.
    ///
    /// - Parameter now: The current time in seconds.
    func finish(now: TimeInterval = ProcessInfo.processInfo.systemUptime) {
        let text: String? = lock.withLock {
            guard !finished else { return nil }
            finished = true
            let seconds = max(now - start, 1e-3)
            let summary = "\(label): \(megabytes(received)) MB in \(String(format: "%.1f", seconds)) s"
                + " (\(megabytes(Int64(Double(received) / seconds))) MB/s)"
            return interactive ? "\r" + summary + "\u{1B}[K\n" : summary + "\n"
        }
        if let text { write(text) }
    }

    /// Ends the line without a summary, after a failed transfer.
    func abandon() {
        let text: String? = lock.withLock {
            guard !finished else { return nil }
            finished = true
            return interactive && lastDraw > -.infinity ? "\n" : nil
        }
        if let text { write(text) }
    }

    // Called under `lock`.
    private func line(now: TimeInterval) -> String {
        let seconds = max(now - start, 1e-3)
        let rate = "\(megabytes(Int64(Double(received) / seconds))) MB/s"
        guard let total = knownTotal else {
            return "\(label): \(megabytes(received)) MB, \(rate)"
        }
        let fraction = min(1, Double(received) / Double(max(total, 1)))
        let percent = String(format: "%3d%%", Int(fraction * 100))
        let sizes = "\(megabytes(received))/\(megabytes(total)) MB"
        guard interactive else { return "\(label): \(percent.trimmingCharacters(in: .whitespaces)) (\(sizes), \(rate))" }
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return "\(label) [\(bar)] \(percent)  \(sizes)  \(rate)"
    }

    private func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f", Double(bytes) / 1_000_000)
    }
}
