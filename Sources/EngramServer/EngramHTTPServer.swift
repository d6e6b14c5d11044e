import Foundation
import Hummingbird
import Logging
import MCP
import ServiceLifecycle

/// `engram serve`: the HTTP API and MCP's streamable HTTP on one port. Binds loopback unless
/// told otherwise; with a token, every route but `/healthz` needs it. On SIGTERM or SIGINT it
/// stops accepting connections, closes the MCP sessions' event streams, lets the requests in
/// flight finish (writes included), and returns.
public struct EngramHTTPServer: Sendable {
    public var host: String
    public var port: Int
    /// The bearer token every route but `/healthz` requires; `nil` for none.
    public var token: String?
    public let service: MemoryService
    let sessions: MCPSessions
    let logger: Logger

    public init(service: MemoryService, host: String = "127.0.0.1", port: Int = 8765, token: String? = nil, logger: Logger) {
        self.service = service
        self.host = host
        self.port = port
        self.token = token
        self.logger = logger
        sessions = MCPSessions(service: service, checksLocalOrigin: Self.isLoopback(host), logger: logger)
    }

    /// Whether `host` is a loopback address (reachable from this machine only).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The Hummingbird application (the tests drive it without a socket).
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: HTTPAPI.router(service: service, sessions: sessions, token: token),
            configuration: .init(address: .hostname(host, port: port), serverName: "engram"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully and stops the service.
    /// - Parameter onListening: called with the bound port once connections are accepted.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        if token == nil && !Self.isLoopback(host) {
            logger.warning("serving \(host) without a token: anyone who can reach this port can read and erase every memory; set --token or ENGRAM_TOKEN")
        }
        // Shut down in reverse order: first the sessions' open event streams, then the server,
        // which waits for the requests in flight.
        let group = ServiceGroup(configuration: .init(
            services: [application(onListening: onListening), SessionCloser(sessions: sessions)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await service.shutdown()
    }
}

/// Closes the MCP sessions when a graceful shutdown begins, so that their event streams end.
private struct SessionCloser: Service {
    let sessions: MCPSessions

    func run() async throws {
        try? await gracefulShutdown()
        await sessions.closeAll()
    }
}

/// `engram mcp`: the tools on standard input and output (logs go to standard error).
public enum EngramStdioServer {
    public static func run(service: MemoryService, logger: Logger) async throws {
        let server = await MemoryTools(service: service).makeServer()
        try await server.start(transport: StdioTransport(logger: logger))
        await server.waitUntilCompleted()
        await service.shutdown()
    }
}
