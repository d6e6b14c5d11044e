import Foundation
import EngramMemory

/// Where a PostgreSQL store lives, read from a libpq-style URL:
/// `postgres://user:password@host:port/database?sslmode=disable|prefer|require`
/// (`postgresql://` too; port 5432, database = user and `sslmode=prefer` unless given).
///
/// The password never leaves this value except to the connection: ``redacted`` (what messages,
/// logs and statistics show) puts `***` in its place.
public struct PostgresLocation: Sendable, Equatable {
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// Whether `string` names a PostgreSQL store rather than a file.
    public static func isURL(_ string: String) -> Bool {
        let lowered = string.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// - Throws: ``MemoryError/invalidArgument(name:requirement:)`` naming what is wrong, without the password.
    public init(url string: String) throws {
        func refuse(_ requirement: String) -> MemoryError { .invalidArgument(name: "store URL", requirement: requirement) }
        guard Self.isURL(string), let components = URLComponents(string: string) else {
            throw refuse("must look like postgres://user:password@host:port/database")
        }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw refuse("must name a user (postgres://user@host/database)")
        }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw refuse("has port \(port), outside 1...65535") }
        username = user
        password = components.password.flatMap { $0.removingPercentEncoding }
        let name = String(components.path.drop(while: { $0 == "/" }))
        database = name.isEmpty ? user : (name.removingPercentEncoding ?? name)
        tls = .prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw refuse("has sslmode=\(item.value ?? ""); use one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            default:
                throw refuse("has the parameter \(item.name), which Engram does not know (it knows sslmode)")
            }
        }
    }

    /// The URL with `***` for the password: safe for messages, logs and `stats`.
    public var redacted: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        if password != nil { components.percentEncodedPassword = "***" }
        components.host = host
        components.port = port
        components.path = "/" + database
        if tls != .prefer { components.queryItems = [URLQueryItem(name: "sslmode", value: tls.rawValue)] }
        return components.string ?? "postgres://\(username)@\(host):\(port)/\(database)"
    }
}
