import EngramMemory
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// The store in a PostgreSQL database, so that several Engram servers share one memory.
///
/// Each transaction runs on a connection of a small pool (opened on demand, at most
/// `maximumConnections`); write transactions take a transaction-scoped advisory lock per scope
/// they change, so writers of one scope run one at a time on every server (as SQLite's single
/// writer does) and writers of different scopes in parallel. Read transactions are
/// `REPEATABLE READ`, so a scope index is loaded from one snapshot with its revision. Servers see
/// each other's writes by that revision: a recall reads its scope's revision and reloads the
/// scope's index only if another server has written to it since.
///
/// A lost connection (PostgreSQL restarted, the network cut) fails the requests that were using
/// it with ``DatabaseFailure/Kind/unavailable``; the pool drops it, and the next request opens a
/// new one, so service comes back by itself when the database does.
public final class PostgresBackend: MemoryBackend {
    public var location: String { postgres.redacted }
    public let warnings: [String] = []
    public let postgres: PostgresLocation
    private let pool: ConnectionPool
    private let logger: Logger

    /// Connects to the database at `url`, checks that it is (or can become) an Engram store and
    /// brings its schema up to date.
    /// - Throws: ``MemoryError/invalidArgument(name:requirement:)`` for a malformed URL,
    ///   ``MemoryError/database(_:)`` when the database cannot be reached or refuses the login,
    ///   ``MemoryError/notAnEngramStore(path:reason:)``, ``MemoryError/incompatibleStore(path:reason:)``.
    public init(url: String, maximumConnections: Int = 8) throws {
        postgres = try PostgresLocation(url: url)
        var logger = Logger(label: "engram.postgres")
        logger.logLevel = .error
        self.logger = logger
        pool = ConnectionPool(configuration: try Self.configuration(postgres), maximum: max(1, maximumConnections), logger: logger)
        let location = postgres.redacted
        do {
            try pool.withConnection { connection in try PostgresSchema.migrate(connection, location: location, logger: logger) }
        } catch {
            throw Self.failure(error, location: location)
        }
    }

    public func read<T>(_ body: (any MemoryBackendReading) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", scopes: [], body)
    }

    public func write<T>(scopes: Set<String>, _ body: (any MemoryBackendWriting) throws -> T) throws -> T {
        try transaction(begin: "BEGIN", scopes: scopes, body)
    }

    public func storageBytes() -> Int64? { nil }

    /// Closes the pool's connections; later calls fail.
    public func close() { pool.close() }

    private func transaction<T>(begin: PostgresQuery, scopes: Set<String>, _ body: (PostgresTransaction) throws -> T) throws -> T {
        let location = self.location
        do {
            return try pool.withConnection { connection in
                let transaction = PostgresTransaction(connection: connection, logger: logger)
                try transaction.run(begin)
                do {
                    // Sorted, so that two writers of the same scopes cannot wait for each other.
                    for scope in scopes.sorted() { try transaction.run("SELECT pg_advisory_xact_lock(hashtextextended(\(scope), 0))") }
                    let result = try body(transaction)
                    try transaction.run("COMMIT")
                    return result
                } catch {
                    if !connection.isClosed { _ = try? transaction.run("ROLLBACK") }
                    throw error
                }
            }
        } catch {
            throw Self.failure(error, location: location)
        }
    }

    private static func configuration(_ postgres: PostgresLocation) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch postgres.tls {
        case .disable:
            tls = .disable
        case .prefer, .require:
            let context: NIOSSLContext
            do { context = try NIOSSLContext(configuration: .makeClientConfiguration()) } catch {
                throw MemoryError.database(DatabaseFailure(kind: .other, code: "TLS", message: "cannot set up TLS: \(error)"))
            }
            tls = postgres.tls == .require ? .require(context) : .prefer(context)
        }
        var configuration = PostgresConnection.Configuration(
            host: postgres.host, port: postgres.port, username: postgres.username, password: postgres.password,
            database: postgres.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    static func missingResult(_ statement: String) -> MemoryError {
        .database(DatabaseFailure(kind: .other, code: "no row", message: "\(statement) returned no row"))
    }

    /// An error of PostgresNIO or the network as a ``MemoryError/database(_:)`` that keeps
    /// PostgreSQL's SQLSTATE; ``MemoryError``s pass through. Messages name the store by its
    /// redacted URL and never carry the password.
    static func failure(_ error: any Error, location: String) -> MemoryError {
        if let error = error as? MemoryError { return error }
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                let message = error.serverInfo?[.message] ?? "the server refused the statement"
                return .database(DatabaseFailure(kind: kind(ofSQLState: state), code: "SQLSTATE \(state)", message: "\(location): \(message)"))
            }
            let message: String, kind: DatabaseFailure.Kind
            switch error.code {
            case .connectionError:
                (kind, message) = (.unavailable, "cannot reach PostgreSQL at \(location)")
            case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
                (kind, message) = (.unavailable, "lost the connection to PostgreSQL at \(location)")
            default:
                (kind, message) = (.other, "PostgreSQL client error at \(location)")
            }
            let detail = error.underlying.map { " (\($0))" } ?? ""
            return .database(DatabaseFailure(kind: kind, code: "PSQLError.\(error.code)", message: message + detail))
        }
        // Connecting failed before PostgreSQL answered: refused, unreachable, timed out.
        if error is IOError || error is ChannelError || error is NIOConnectionError || "\(type(of: error))".contains("Connect") {
            return .database(DatabaseFailure(kind: .unavailable, code: "\(type(of: error))", message: "cannot reach PostgreSQL at \(location): \(error)"))
        }
        return .database(DatabaseFailure(kind: .other, code: "\(type(of: error))", message: "\(location): \(error)"))
    }

    /// What an SQLSTATE means for a caller (see PostgreSQL's "Error Codes" appendix).
    static func kind(ofSQLState state: String) -> DatabaseFailure.Kind {
        switch state {
        case "53100": return .full
        case "40001", "40P01", "55P03", "53300", "53000", "53200": return .busy
        case "57P01", "57P02", "57P03", "57P05": return .unavailable
        case "XX001", "XX002": return .corrupt
        case "58030": return .io
        default: return state.hasPrefix("08") ? .unavailable : .other
        }
    }
}

/// Connections to one database, opened on demand and reused; a closed one is dropped when it
/// comes back or is found idle.
private final class ConnectionPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var nextID = 1
    private var isClosed = false
    private let maximum: Int
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger

    init(configuration: PostgresConnection.Configuration, maximum: Int, logger: Logger) {
        self.configuration = configuration
        self.maximum = maximum
        self.logger = logger
    }

    /// PostgresNIO requires every connection closed before it is released.
    deinit { close() }

    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try acquire()
        defer { release(connection) }
        return try body(connection)
    }

    private func acquire() throws -> PostgresConnection {
        condition.lock()
        while true {
            if isClosed {
                condition.unlock()
                throw MemoryError.database(DatabaseFailure(kind: .unavailable, code: "closed", message: "the store has been closed"))
            }
            if let connection = idle.popLast() {
                if connection.isClosed {
                    open -= 1
                    continue
                }
                condition.unlock()
                return connection
            }
            if open < maximum {
                open += 1
                let id = nextID
                nextID += 1
                condition.unlock()
                do {
                    return try PostgresConnection.connect(
                        on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id, logger: logger
                    ).wait()
                } catch {
                    condition.lock()
                    open -= 1
                    condition.signal()
                    condition.unlock()
                    throw error
                }
            }
            condition.wait()
        }
    }

    private func release(_ connection: PostgresConnection) {
        condition.lock()
        if connection.isClosed || isClosed {
            open -= 1
            if !connection.isClosed { let _: EventLoopFuture<Void> = connection.close() }
        } else {
            idle.append(connection)
        }
        condition.signal()
        condition.unlock()
    }

    func close() {
        condition.lock()
        isClosed = true
        let connections = idle
        idle.removeAll()
        open -= connections.count
        condition.broadcast()
        condition.unlock()
        for connection in connections {
            let closing: EventLoopFuture<Void> = connection.close()
            try? closing.wait()
        }
    }
}
