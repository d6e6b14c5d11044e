/// A failure of the database under a store, with the engine's own result code, so that callers
/// can tell a busy or unreachable database (worth retrying) from a full disk or a broken file.
public struct DatabaseFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure it is, whatever the engine.
    public enum Kind: String, Sendable, Equatable {
        /// Another writer holds the lock, or the server is overloaded: retry later.
        case busy
        /// The database cannot be reached (connection refused or lost, server shutting down).
        case unavailable
        /// The disk or a quota is full.
        case full
        /// An I/O error, a file that cannot be created or opened, or a read-only store.
        case io
        /// The database file or its contents are damaged.
        case corrupt
        /// Anything else (a constraint, a bug, a refused statement).
        case other
    }

    public var kind: Kind
    /// The engine's code: SQLite's extended result code (`SQLITE_BUSY (5)`), PostgreSQL's SQLSTATE
    /// (`SQLSTATE 53100`), or the client library's error.
    public var code: String
    public var message: String

    public init(kind: Kind, code: String, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    /// Whether the same request may succeed later without anyone changing anything.
    public var isTransient: Bool { kind == .busy || kind == .unavailable }

    public var description: String { "\(message) [\(code)]" }
}
