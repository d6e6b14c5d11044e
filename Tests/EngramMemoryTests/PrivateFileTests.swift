import EngramMemory
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The store's files are their owner's alone, whatever the umask.
@Suite("private files", .serialized)
struct PrivateFileTests {
    func mode(_ path: String) -> mode_t? {
        var status = stat()
        return stat(path, &status) == 0 ? status.st_mode & 0o777 : nil
    }

    @Test func aNewStoreAndItsDirectoryAreOwnerOnly() throws {
        try withTemporaryDirectory { directory in
            let previous = umask(0)
            defer { umask(previous) }
            let folder = directory.appendingPathComponent("engram").path
            let path = folder + "/memory.sqlite"
            let store = try MemoryStore(path: path, embedder: HashingEmbedder())
            try store.remember("my passport number is in the blue folder")
            #expect(mode(folder) == 0o700)
            for file in [path, path + "-wal", path + "-shm"] {
                #expect(mode(file) == 0o600, "\(file)")
            }
            #expect(store.warnings.isEmpty)
        }
    }

    @Test func anExistingStoreOthersCanReadIsReportedNotChanged() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("memory.sqlite").path
            try MemoryStore(path: path, embedder: HashingEmbedder()).remember("a secret")
            chmod(path, 0o644)
            let reopened = try MemoryStore(path: path, embedder: HashingEmbedder())
            #expect(reopened.warnings.count == 1 && reopened.warnings[0].contains("mode 644"))
            #expect(mode(path) == 0o644)
        }
    }

    @Test func privateFilesIgnoreTheUmask() throws {
        try withTemporaryDirectory { directory in
            let previous = umask(0o277)
            defer { umask(previous) }
            let path = directory.appendingPathComponent("export.jsonl").path
            try PrivateFile.create(atPath: path)
            #expect(mode(path) == 0o600)
        }
    }
}
