/// Why a memory-store operation was refused. Each case says what was wrong and where; a refused
/// write changes nothing.
public enum MemoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is empty or only white space.
    case emptyText
    /// The text is longer than ``MemoryStore/maximumTextBytes``.
    case textTooLong(bytes: Int, limit: Int)
    /// No memory has this id (in this scope, where one was given).
    case unknownID(MemoryID)
    /// A scope, session, metadata key or option that breaks its rule.
    case invalidArgument(name: String, requirement: String)
    /// The file exists but is not an Engram store (another SQLite database, or not SQLite at all).
    case notAnEngramStore(path: String, reason: String)
    /// The store was written by a newer Engram, or with another encoder, than this one can read.
    case incompatibleStore(path: String, reason: String)
    /// A line of an import file that cannot be read; `line` counts from 1.
    case malformedLine(line: Int, reason: String)
    /// The database refused an operation (disk full, locked file, I/O error, server unreachable),
    /// with the engine's result code.
    case database(DatabaseFailure)

    public var description: String {
        switch self {
        case .emptyText:
            return "the text is empty"
        case let .textTooLong(bytes, limit):
            return "the text is \(bytes) bytes of UTF-8; the limit is \(limit)"
        case let .unknownID(id):
            return "no memory has id \(id)"
        case let .invalidArgument(name, requirement):
            return "\(name) \(requirement)"
        case let .notAnEngramStore(path, reason):
            return "\(path) is not an Engram store: \(reason)"
        case let .incompatibleStore(path, reason):
            return "\(path) cannot be opened by this version of Engram: \(reason)"
        case let .malformedLine(line, reason):
            return "line \(line): \(reason)"
        case let .database(failure):
            return "database error: \(failure)"
        }
    }
}
