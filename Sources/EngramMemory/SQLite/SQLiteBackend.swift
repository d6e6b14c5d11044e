import Foundation
import GRDB

/// The store in one SQLite file: WAL mode behind a GRDB `DatabasePool`, so that several processes
/// may read while one writes, each write one transaction; or an in-memory database for tests and
/// throw-away sessions. The schema is ``SQLiteSchema``'s.
public final class SQLiteBackend: MemoryBackend {
    public let location: String
    public let warnings: [String]
    let database: any DatabaseWriter
    private let isFile: Bool

    /// Opens the store file at `path`, creating it (0600, and its directory 0700) if needed.
    /// - Throws: ``MemoryError/notAnEngramStore(path:reason:)`` for a file that is something else
    ///   (left untouched), ``MemoryError/incompatibleStore(path:reason:)`` for a newer format,
    ///   ``MemoryError/database(_:)`` when SQLite cannot open it.
    public init(path: String) throws {
        try SQLiteSchema.checkExistingFile(at: path)
        var warnings: [String] = []
        if FileManager.default.fileExists(atPath: path) {
            warnings += [PrivateFile.wideAccessWarning(forPath: path)].compactMap { $0 }
        } else {
            // Created 0600 before SQLite opens it, which gives its -wal and -shm the same mode.
            try PrivateFile.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
            try PrivateFile.create(atPath: path)
        }
        var configuration = Self.configuration
        configuration.label = "engram"
        database = try Self.openPool(path: path, configuration: configuration)
        location = path
        self.warnings = warnings
        isFile = true
        try prepare()
    }

    /// Opening a pool switches the file to WAL mode, and SQLite answers that switch with
    /// SQLITE_BUSY at once, without its busy handler, while another process is opening or
    /// checkpointing the same file; so a busy open is tried again for up to ten seconds.
    private static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(10)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError
                where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && Date() < deadline {
                usleep(UInt32.random(in: 5_000...50_000))
            } catch {
                throw Self.failure(error, "cannot open \(path)")
            }
        }
    }

    /// An empty store in memory only.
    public init() throws {
        do { database = try DatabaseQueue(configuration: Self.configuration) } catch {
            throw Self.failure(error, "cannot create an in-memory database")
        }
        location = ":memory:"
        warnings = []
        isFile = false
        try prepare()
    }

    private func prepare() throws {
        do {
            try SQLiteSchema.migrate(database)
        } catch {
            throw Self.failure(error, "cannot prepare \(location)")
        }
    }

    public func read<T>(_ body: (any MemoryBackendReading) throws -> T) throws -> T {
        do {
            return try database.read { db in try body(SQLiteTransaction(db: db)) }
        } catch let error as MemoryError {
            throw error
        } catch {
            throw Self.failure(error)
        }
    }

    /// SQLite runs one write transaction at a time per file, so `scopes` needs no lock of its own.
    public func write<T>(scopes: Set<String>, _ body: (any MemoryBackendWriting) throws -> T) throws -> T {
        do {
            return try database.write { db in try body(SQLiteTransaction(db: db)) }
        } catch let error as MemoryError {
            throw error
        } catch {
            throw Self.failure(error)
        }
    }

    public func storageBytes() -> Int64? {
        guard isFile else { return nil }
        return (try? FileManager.default.attributesOfItem(atPath: location)[.size] as? NSNumber)?.int64Value
    }

    /// GRDB settings shared by file and in-memory stores: foreign keys on (deletes cascade), and
    /// a busy timeout so that a writer in another process makes this one wait instead of fail.
    static var configuration: Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        return configuration
    }

    /// An error of GRDB or SQLite as a ``MemoryError/database(_:)`` that keeps SQLite's result code.
    static func failure(_ error: any Error, _ context: String? = nil) -> MemoryError {
        let prefix = context.map { "\($0): " } ?? ""
        guard let error = error as? DatabaseError else {
            return .database(DatabaseFailure(kind: .other, code: "\(type(of: error))", message: prefix + "\(error)"))
        }
        let kind: DatabaseFailure.Kind
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: kind = .busy
        case .SQLITE_FULL: kind = .full
        case .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM: kind = .io
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: kind = .corrupt
        default: kind = .other
        }
        let code = error.extendedResultCode
        return .database(DatabaseFailure(
            kind: kind, code: "SQLite result code \(code.rawValue)", message: prefix + (error.message ?? "\(error.resultCode)")))
    }
}
