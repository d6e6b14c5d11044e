import Foundation
import MCP
import NIOConcurrencyHelpers

/// The memory as MCP tools: `remember`, `recall`, `chain`, `get_memory`, `update_memory`,
/// `forget`, `list_memories` and `stats`, each with its input and output schema and its hints.
/// A result carries `structuredContent` and the same JSON as text; a refused call is a tool
/// error (`isError`) whose text and `structuredContent` are the ``APIError``, never a protocol
/// failure. One instance serves one MCP session.
public final class MemoryTools: Sendable {
    let service: MemoryService
    private let inFlight = NIOLockedValueBox(0)

    public init(service: MemoryService) {
        self.service = service
    }

    /// The tool list `tools/list` answers with.
    public var tools: [Tool] {
        Operation.tools.map { operation in
            Tool(
                name: operation.rawValue,
                description: operation.summary,
                inputSchema: operation.inputSchema(service.limits),
                annotations: .init(
                    readOnlyHint: operation.isReadOnly, destructiveHint: operation.isDestructive,
                    idempotentHint: operation.isIdempotent, openWorldHint: false),
                outputSchema: Responses.schema(of: operation))
        }
    }

    /// Answers `tools/call`.
    public func call(_ parameters: CallTool.Parameters) async -> CallTool.Result {
        guard let operation = Operation(rawValue: parameters.name), Operation.tools.contains(operation) else {
            return failure(APIError(.notFound, "no tool is named \(parameters.name.debugDescription)", field: "name"))
        }
        let limit = service.limits.maximumInFlightPerSession
        let admitted = inFlight.withLockedValue { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else {
            return failure(APIError(.overloaded, "this session has \(limit) calls in flight; wait for one to finish"))
        }
        defer { inFlight.withLockedValue { $0 -= 1 } }
        do {
            let result = try await service.perform(operation, arguments: parameters.arguments ?? [:])
            return try success(result)
        } catch let error as APIError {
            return failure(error)
        } catch {
            return failure(APIError(.internal, "\(error)"))
        }
    }

    /// An MCP server offering these tools; start it on a transport.
    public func makeServer() async -> Server {
        let server = Server(
            name: "engram", version: EngramServerInfo.version,
            instructions: "A long-term memory. Call remember with facts worth keeping (one per call, in plain sentences), recall with a question to find them later, forget to delete one.",
            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { [tools] _ in ListTools.Result(tools: tools) }
        await server.withMethodHandler(CallTool.self) { [self] parameters in await call(parameters) }
        return server
    }

    private func success(_ result: any Codable & Sendable) throws -> CallTool.Result {
        let structured: Value? = try Value(result)
        return CallTool.Result(content: [.text(text: try Self.json(result), annotations: nil, _meta: nil)],
                               structuredContent: structured, isError: false)
    }

    private func failure(_ error: APIError) -> CallTool.Result {
        let body = ErrorBody(error: error)
        let text = (try? Self.json(body)) ?? error.description
        let structured: Value? = try? Value(body)
        return CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], structuredContent: structured, isError: true)
    }

    private static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Engram's version, as `engram --version`, MCP's `serverInfo` and the OpenAPI document give it.
public enum EngramServerInfo {
    public static let version = "0.1.0"
}
