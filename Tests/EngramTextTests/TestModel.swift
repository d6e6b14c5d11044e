import Foundation
/// The real all-MiniLM-L6-v2 files for tests, provisioned by the model store.
enum TestModel {
    static func directory() throws -> URL {
        guard let path = ProcessInfo.processInfo.environment["ENGRAM_MODEL_DIR"] else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "set ENGRAM_MODEL_DIR"])
        }
        return URL(fileURLWithPath: path)
    }
    static func vocabularyFile() throws -> URL { try directory().appendingPathComponent("vocab.txt") }
}
