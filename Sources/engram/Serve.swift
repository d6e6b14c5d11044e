import ArgumentParser
import EngramMemory
import EngramServer
import Foundation
import Logging

/// `engram mcp`: the memory as MCP tools on standard input and output, for an agent that starts
/// its own server (Claude Desktop, Claude Code, Cursor…). Several may share one store file (or one PostgreSQL database).
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the memory as MCP tools over stdio (remember, recall, chain, get_memory, update_memory, forget, list_memories, stats).")

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let logger = ServerOptions.logger(label: "engram.mcp")
        let service = try await server.service()
        logger.info("engram mcp: serving \(service.store.path) on stdio\(server.scope.map { ", scope \($0)" } ?? "")")
        try await EngramStdioServer.run(service: service, logger: logger)
    }
}

/// `engram serve`: the HTTP API and MCP's streamable HTTP (`/mcp`) on one port.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API (/v1/…, /openapi.json, /healthz) and MCP over streamable HTTP (/mcp).")

    @Option(help: "The address to bind (loopback by default; anything else should have a token).") var host = "127.0.0.1"
    @Option(help: "The port (0 picks a free one, printed on standard error).") var port = 8765
    @Option(help: "A bearer token every route but /healthz requires (default: ENGRAM_TOKEN, which other users cannot see in the process list).")
    var token: String?
    @Flag(help: "Print the OpenAPI document of the HTTP API and exit.") var printOpenapi = false
    @OptionGroup var server: ServerOptions

    func run() async throws {
        if printOpenapi {
            FileHandle.standardOutput.write(OpenAPIDocument.json() + Data("\n".utf8))
            return
        }
        let logger = ServerOptions.logger(label: "engram.serve")
        let token = self.token ?? ProcessInfo.processInfo.environment["ENGRAM_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let service = try await server.service()
        let http = EngramHTTPServer(service: service, host: host, port: port, token: token, logger: logger)
        let host = self.host, path = service.store.path, scope = server.scope
        try await http.run { port in
            let where_ = host.contains(":") ? "[\(host)]" : host
            let auth = token == nil ? "no token" : "bearer token required"
            FileHandle.standardError.write(Data(
                "engram serve: listening on http://\(where_):\(port) (\(path)\(scope.map { ", scope \($0)" } ?? ""), \(auth))\n".utf8))
        }
    }
}

/// What both servers take: the store, a fixed scope, the model.
struct ServerOptions: ParsableArguments {
    @Option(help: """
        The store: a file, or postgres://user:password@host:port/database for several servers over \
        one database (default: ENGRAM_STORE, else memory.sqlite in the per-user data directory).
        """)
    var store: String?
    @Option(help: "Serve this scope only: callers cannot name another, nor see another's memories.") var scope: String?
    @OptionGroup var model: ModelOptions

    func service() async throws -> MemoryService {
        let store = try await StoreOptions.open(path: StoreOptions.path(self.store), model: model)
        do {
            return try MemoryService(store: store, fixedScope: scope)
        } catch {
            throw CommandFailure("--scope: \(error)")
        }
    }

    /// Log lines on standard error (standard output is the MCP channel of `engram mcp`).
    static func logger(label: String) -> Logger {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        return Logger(label: label)
    }
}
