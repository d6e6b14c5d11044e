import EngramMemory
import Foundation

/// Prints a JSON object with sorted keys on standard output.
func printJSON(_ object: Any) {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]) else {
        FileHandle.standardError.write(Data("internal error: the result is not JSON-serialisable\n".utf8))
        return
    }
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// Prints a plain-text table with a header rule, columns padded to their widest cell.
func printTable(header: [String], rows: [[String]]) {
    let widths = header.indices.map { column in
        ([header] + rows).map { $0[column].count }.max() ?? 0
    }
    func line(_ cells: [String]) -> String {
        zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    print(line(header))
    print(line(widths.map { String(repeating: "-", count: $0) }))
    rows.forEach { print(line($0)) }
}

/// A failure at run time (unreadable input, rejected data): printed as `Error: …` without the
/// usage text that ArgumentParser adds to `ValidationError`, and exits with status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One JSON object as a line of text.
func jsonLine(_ object: Any) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self) + "\n"
}

/// Standard output, or a file created anew.
struct OutputSink {
    private let handle: FileHandle

    init(path: String?) throws {
        guard let path else {
            handle = .standardOutput
            return
        }
        // An export holds every memory: owner-only, like the store.
        try? FileManager.default.removeItem(atPath: path)
        do { try PrivateFile.create(atPath: path) } catch { throw CommandFailure("cannot write \(path): \(error)") }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CommandFailure("cannot write \(path)") }
        self.handle = handle
    }

    func write(_ text: String) throws {
        try handle.write(contentsOf: Data(text.utf8))
    }
}

/// A count-based progress line on standard error ("embedding 1200/5882 (20%)"), redrawn in place on
/// a terminal and printed every 10% otherwise.
final class CountProgress {
    private let label: String
    private let total: Int
    private let interactive = isatty(STDERR_FILENO) != 0
    private var lastStep = -1

    init(label: String, total: Int) {
        self.label = label
        self.total = max(total, 1)
    }

    func advance(to done: Int) {
        let percent = done * 100 / total
        let text = "\(label) \(done)/\(total) (\(percent)%)"
        if interactive {
            FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K").utf8))
        } else if percent / 10 > lastStep {
            lastStep = percent / 10
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    func finish() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// A peer benchmark under `Benchmarks/peers/`, run side by side with Engram's own measurement.
struct PeerScript {
    var path: String
    var python = "python3"
    /// Arguments after `--json`.
    var arguments: [String] = []

    /// Runs `python path --json arguments…` from the repository root and returns the JSON object
    /// it prints.
    func run() throws -> [String: Any] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("the peer needs \(path); run the command from the repository root")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, path, "--json"] + arguments
        let output = Pipe()
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            throw CommandFailure("cannot start \(python) \(path): \(error.localizedDescription)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CommandFailure("\(python) \(path) failed (exit \(process.terminationStatus)); run it by hand to see why")
        }
        return object
    }
}
