import Foundation

/// A fresh directory under the system's temporary directory, removed when the body returns.
///
/// Every test writes its own input files here, so the suite needs nothing outside the package.
struct TemporaryDirectory {
    let url: URL

    /// Runs `body` with a new, empty directory and removes it afterwards, whatever `body` does.
    static func with<R>(_ body: (TemporaryDirectory) throws -> R) throws -> R {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("EngramBenchmarksTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(TemporaryDirectory(url: url))
    }

    /// Writes `bytes` to `name` in the directory and returns the file's path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }

    /// Writes `text` as UTF-8 to `name` in the directory and returns the file's path.
    @discardableResult
    func write(_ text: String, to name: String) throws -> String {
        try write(Array(text.utf8), to: name)
    }

    /// The path a file called `name` would have in the directory (the file need not exist).
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }
}
