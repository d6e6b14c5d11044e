import Foundation
import Testing
@testable import EngramMemory

/// The `engram` executable end to end, on a tiny model so that a debug build runs it in seconds.
@Suite("engram memory commands", .serialized)
struct CommandLineTests {
    /// Runs `engram` with `arguments`, returning its exit status and standard output.
    @discardableResult
    func run(_ arguments: [String], model: URL) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = try engramExecutable()
        process.arguments = arguments + ["--model-dir", model.path]
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test func rememberRecallForgetExportImport() throws {
        try withTemporaryDirectory { directory in
            try TinyModel.write(to: directory)
            let store = directory.appendingPathComponent("cli.sqlite").path
            let remembered = try run(["remember", "the key is under the mat", "--scope", "u", "--meta", "room=hall",
                                      "--store", store, "--json"], model: directory)
            #expect(remembered.status == 0, "\(remembered.error)")
            #expect(remembered.output.contains("\"stored\" : true"))
            let recalled = try run(["recall", "key mat", "--scope", "u", "--store", store, "--json"], model: directory)
            #expect(recalled.output.contains("the key is under the mat"))
            let exported = directory.appendingPathComponent("out.jsonl").path
            #expect(try run(["export", "--output", exported, "--store", store], model: directory).status == 0)
            var status = stat()
            #expect(stat(exported, &status) == 0 && status.st_mode & 0o777 == 0o600)
            let copy = directory.appendingPathComponent("copy.sqlite").path
            #expect(try run(["import", exported, "--store", copy], model: directory).status == 0)
            let listed = try run(["list", "--store", copy, "--json"], model: directory)
            #expect(listed.output.contains("the key is under the mat") && listed.output.contains("hall"))
            #expect(try run(["forget", "1", "--store", store], model: directory).status == 0)
            let missing = try run(["forget", "1", "--store", store], model: directory)
            #expect(missing.status != 0 && missing.error.contains("no memory has id 1"))
            let empty = try run(["remember", "  ", "--store", store], model: directory)
            #expect(empty.status != 0 && empty.error.contains("the text is empty"))
            let bad = directory.appendingPathComponent("bad.jsonl")
            try Data("{\"text\": \"ok\"}\n{oops\n".utf8).write(to: bad)
            let refused = try run(["import", bad.path, "--store", copy], model: directory)
            #expect(refused.status != 0 && refused.error.contains("line 2"))
            let notAStore = directory.appendingPathComponent("notes.txt")
            try Data("just some notes, not a database at all".utf8).write(to: notAStore)
            let foreign = try run(["stats", "--store", notAStore.path], model: directory)
            #expect(foreign.status != 0 && foreign.error.contains("not an Engram store"))
        }
    }

    /// SIGKILL in the middle of a large import: every memory acknowledged before the kill is
    /// there, and the store opens cleanly.
    @Test func killedImportKeepsEveryAcknowledgedMemory() throws {
        try withTemporaryDirectory { directory in
            try TinyModel.write(to: directory)
            let lines = (0..<20_000).map { i in "{\"text\": \"memory \(i) of a long import, item \(i * 7 % 1000)\", \"scope\": \"bulk\"}\n" }
            let file = directory.appendingPathComponent("big.jsonl")
            try Data(lines.joined().utf8).write(to: file)
            let store = directory.appendingPathComponent("crash.sqlite").path

            let process = Process()
            process.executableURL = try engramExecutable()
            process.arguments = ["import", file.path, "--store", store, "--json", "--keep-duplicates", "--model-dir", directory.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Read acknowledgements until a few batches are committed, then kill without warning.
            var acknowledged = 0
            var buffer = Data()
            let handle = output.fileHandleForReading
            while acknowledged < 640 {
                let chunk = handle.availableData
                guard !chunk.isEmpty else { break }
                buffer.append(chunk)
                for line in String(decoding: buffer, as: UTF8.self).split(separator: "\n") {
                    if let data = line.data(using: .utf8),
                       let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                       let committed = object["committed"] as? Int {
                        acknowledged = max(acknowledged, committed)
                    }
                }
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "the import finished before it could be killed")
            #expect(acknowledged >= 640)

            let reopened = try MemoryStore(path: store, embedder: TinyModelStandIn())
            let stored = try reopened.list(scope: "bulk", limit: 100_000).map(\.text)
            #expect(stored.count >= acknowledged && stored.count < 20_000)
            for i in 0..<acknowledged {
                #expect(stored[i] == "memory \(i) of a long import, item \(i * 7 % 1000)")
                if stored[i] != "memory \(i) of a long import, item \(i * 7 % 1000)" { break }
            }
            let check = try reopened.sqliteDatabase.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
            #expect(check == "ok")
        }
    }
}

/// Opens a store written with the tiny model, for reading: only its name and dimension must match.
struct TinyModelStandIn: TextEmbedder {
    var dimension: Int { 32 }
    var embedderName: String { "bert-2x32-vocab73" }
    func embed(_ texts: [String]) -> [[Float]] { HashingEmbedder().embed(texts).map { Array($0.prefix(32)) } }
}
