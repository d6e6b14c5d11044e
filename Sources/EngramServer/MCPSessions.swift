import Foundation
import Logging
import MCP

/// MCP over streamable HTTP: one MCP server and transport per session (`Mcp-Session-Id`), made
/// when a client sends `initialize`, closed when it sends DELETE, after `idleTimeout` without a
/// request, or when `maximumSessions` are open and a new one needs room (the least recently used
/// goes). Each session has its own ``MemoryTools`` over the shared ``MemoryService``.
actor MCPSessions {
    private struct Session {
        let server: Server
        let transport: StatefulHTTPServerTransport
        var lastUsed: Date
    }

    private let service: MemoryService
    private let validation: any HTTPRequestValidationPipeline
    private let idleTimeout: TimeInterval
    private let logger: Logger
    private var sessions: [String: Session] = [:]

    /// - Parameter checksLocalOrigin: refuse requests whose `Host` or `Origin` is not loopback
    ///   (DNS-rebinding protection for a server bound to loopback).
    init(service: MemoryService, checksLocalOrigin: Bool, idleTimeout: TimeInterval = 3600, logger: Logger) {
        self.service = service
        self.idleTimeout = idleTimeout
        self.logger = logger
        validation = StandardValidationPipeline(validators: [
            checksLocalOrigin ? OriginValidator.localhost() : OriginValidator.disabled,
            AcceptHeaderValidator(mode: .sseRequired),
            ContentTypeValidator(),
            ProtocolVersionValidator(),
            SessionValidator(),
        ])
    }

    var count: Int { sessions.count }

    func handle(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        await closeIdleSessions()
        if let id = request.header(HTTPHeaderName.sessionID) {
            guard var session = sessions[id] else {
                return .error(statusCode: 404, .invalidRequest("Not Found: no such session (it may have expired); initialize again"))
            }
            session.lastUsed = Date()
            sessions[id] = session
            let response = await session.transport.handleRequest(request)
            if request.method.uppercased() == "DELETE", response.statusCode == 200 {
                await close(id)
            }
            return response
        }
        guard request.method.uppercased() == "POST", let body = request.body, Self.isInitialize(body) else {
            return .error(statusCode: 400, .invalidRequest("Bad Request: send initialize first, then the \(HTTPHeaderName.sessionID) it returns"))
        }
        return await open(with: request)
    }

    /// Whether a POST body is an `initialize` request (alone or in a batch), which opens a session.
    static func isInitialize(_ body: Data) -> Bool {
        struct Message: Decodable { var method: String? }
        if let message = try? JSONDecoder().decode(Message.self, from: body) { return message.method == "initialize" }
        let batch = (try? JSONDecoder().decode([Message].self, from: body)) ?? []
        return batch.contains { $0.method == "initialize" }
    }

    /// Closes every session (at shutdown).
    func closeAll() async {
        for id in Array(sessions.keys) { await close(id) }
    }

    private func open(with request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        if sessions.count >= service.limits.maximumSessions,
           let oldest = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
            await close(oldest)
        }
        let id = UUID().uuidString
        let transport = StatefulHTTPServerTransport(
            sessionIDGenerator: FixedSessionID(id: id), validationPipeline: validation, logger: logger)
        let server = await MemoryTools(service: service).makeServer()
        do {
            try await server.start(transport: transport)
        } catch {
            await transport.disconnect()
            return .error(statusCode: 500, .internalError("cannot start the session: \(error)"))
        }
        sessions[id] = Session(server: server, transport: transport, lastUsed: Date())
        let response = await transport.handleRequest(request)
        if case .error = response { await close(id) }
        return response
    }

    private func close(_ id: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.server.stop()
        await session.transport.disconnect()
    }

    private func closeIdleSessions() async {
        let cutoff = Date().addingTimeInterval(-idleTimeout)
        for (id, session) in sessions where session.lastUsed < cutoff { await close(id) }
    }
}

/// The session id chosen before the transport is made, so that it can be filed under it.
private struct FixedSessionID: SessionIDGenerator {
    let id: String
    func generateSessionID() -> String { id }
}
