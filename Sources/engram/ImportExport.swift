import ArgumentParser
import EngramBenchmarks
import EngramData
import EngramMemory
import Foundation

/// `engram import`: memories from a JSONL file, or LoCoMo's conversations.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import memories from JSON lines, or LoCoMo conversations (one scope each).",
        discussion: """
            Lines are {"text": …, "scope": …, "session": …, "metadata": {…}, "time": "ISO 8601"}; \
            only "text" is required. Every line is checked before anything is stored: a bad line is \
            reported with its number and nothing is imported. Memories are then stored in \
            transactions of 64; with --json one line {"committed": N, …} is printed after each \
            commit, and everything it counts is on disk.
            """
    )

    @Argument(help: "A JSONL file (as written by `engram export`).") var file: String?
    @Option(help: "LoCoMo's locomo10.json: import each conversation into scope locomo/<sample_id>.") var locomo: String?
    @Flag(help: "Store near-duplicates too (LoCoMo imports always do, as its protocol indexes every turn).")
    var keepDuplicates = false
    @OptionGroup var options: StoreOptions

    func validate() throws {
        guard (file == nil) != (locomo == nil) else { throw ValidationError("give a JSONL file or --locomo FILE, not both and not neither") }
    }

    func run() async throws {
        let items: [NewMemory]
        if let locomo {
            do { items = try LoCoMo.load(path: locomo).conversations.flatMap { $0.memories() } } catch {
                throw CommandFailure("\(error)")
            }
        } else if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(file)") }
            do { items = try MemoryTransfer.read(data) } catch { throw CommandFailure("\(file): \(error)") }
        } else {
            items = []
        }
        var configuration = MemoryStore.Configuration()
        if keepDuplicates || locomo != nil { configuration.duplicateThreshold = nil }
        let store = try await options.open(configuration: configuration)
        let progress = options.json ? nil : CountProgress(label: "importing", total: items.count)
        let json = options.json
        let summary = try storeCall {
            try store.importMemories(items) { done, summary in
                progress?.advance(to: done)
                if json, let line = try? jsonLine(["committed": done, "stored": summary.stored, "duplicates": summary.duplicates]) {
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
            }
        }
        progress?.finish()
        if json {
            FileHandle.standardOutput.write(Data(try jsonLine(["done": true, "stored": summary.stored, "duplicates": summary.duplicates]).utf8))
        } else {
            print("imported \(summary.stored) memories (\(summary.duplicates) near-duplicates not stored)")
        }
    }
}

/// `engram export`: every memory as JSON lines that `engram import` reads back.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write every memory as JSON lines (standard output or --output).")

    @Option(help: "Only this scope.") var scope: String?
    @Option(help: "Write to this file instead of standard output.") var output: String?
    @OptionGroup var options: StoreOptions

    func run() async throws {
        let store = try await options.open()
        let sink = try OutputSink(path: output)
        var count = 0
        try storeCall {
            try store.forEachMemory(scope: scope) { memory in
                try sink.write(MemoryTransfer.line(for: memory))
                count += 1
            }
        }
        if output != nil {
            options.json ? printJSON(["exported": count, "path": output ?? ""]) : print("exported \(count) memories to \(output ?? "")")
        }
    }
}
