import Foundation
import Hummingbird
import MCP
import NIOCore

/// The HTTP API's routes over a ``MemoryService``: `/v1/…` (JSON in, JSON out, the operations
/// of ``Operation``), `/healthz`, `/openapi.json`, and MCP's streamable HTTP at `/mcp`. Errors
/// are `{"error": {"code", "message", "field"}}` with the status of ``APIError/status``.
enum HTTPAPI {
    static func router(service: MemoryService, sessions: MCPSessions, token: String?) -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(ErrorMiddleware(routes: RouteTable(document: OpenAPIDocument.document(limits: service.limits),
                                                                  extra: [MCPRoute.path: ["GET", "POST", "DELETE"]])))
        router.middlewares.add(BearerTokenMiddleware(token: token, openPaths: ["/healthz"]))

        router.get("/healthz") { _, _ in json(["status": "ok"]) }
        let document = ByteBuffer(data: OpenAPIDocument.json(limits: service.limits))
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document))
        }

        router.post("/v1/memories") { request, _ in
            let result = try await service.perform(.remember, arguments: try await body(of: request, limit: service.limits))
            let anyStored = (result as? Responses.Remembered)?.results.contains { $0.status == "stored" } ?? false
            return try json(result, status: anyStored ? .created : .ok)
        }
        router.get("/v1/memories") { request, _ in
            try json(try await service.perform(.listMemories, arguments: query(of: request), fromQuery: true))
        }
        router.get("/v1/memories/{id}") { _, context in
            try json(try await service.perform(.getMemory, arguments: ["id": try id(in: context)]))
        }
        router.patch("/v1/memories/{id}") { request, context in
            var arguments = try await body(of: request, limit: service.limits)
            guard arguments["id"] == nil else {
                throw APIError(.malformedRequest, "is given by the path, not the body", field: "id")
            }
            arguments["id"] = try id(in: context)
            return try json(try await service.perform(.updateMemory, arguments: arguments))
        }
        router.delete("/v1/memories/{id}") { _, context in
            try json(try await service.perform(.forget, arguments: ["id": try id(in: context)]))
        }
        router.post("/v1/recall") { request, _ in
            try json(try await service.perform(.recall, arguments: try await body(of: request, limit: service.limits)))
        }
        router.post("/v1/chain") { request, _ in
            try json(try await service.perform(.chain, arguments: try await body(of: request, limit: service.limits)))
        }
        router.get("/v1/scopes") { _, _ in try json(try await service.perform(.scopes, arguments: [:])) }
        router.delete("/v1/scopes/{scope}") { _, context in
            // Path parameters arrive percent-encoded ("alice%2Fplanner").
            let raw = context.parameters.get("scope") ?? ""
            let scope = raw.removingPercentEncoding ?? raw
            return try json(try await service.perform(.forgetScope, arguments: ["scope": .string(scope)]))
        }
        router.get("/v1/stats") { _, _ in try json(try await service.perform(.stats, arguments: [:])) }

        MCPRoute.add(to: router, sessions: sessions, limits: service.limits)
        return router
    }

    // MARK: - Reading requests

    /// The request body as a JSON object, read up to the body limit.
    static func body(of request: Request, limit: ServerLimits) async throws -> [String: Value] {
        let data = try await bytes(of: request, limit: limit)
        guard !data.isEmpty else { throw APIError(.malformedRequest, "the body is empty; send a JSON object") }
        do {
            return try JSONDecoder().decode([String: Value].self, from: data)
        } catch {
            throw APIError(.malformedRequest, "the body is not a JSON object: \(describe(error))")
        }
    }

    /// The raw body, refused with 413 past the limit.
    static func bytes(of request: Request, limit: ServerLimits) async throws -> Data {
        do {
            let buffer = try await request.body.collect(upTo: limit.maximumBodyBytes)
            return Data(buffer: buffer)
        } catch is NIOTooManyBytesError {
            throw APIError(.payloadTooLarge, "the body is over the limit of \(limit.maximumBodyBytes) bytes")
        }
    }

    static func query(of request: Request) -> [String: Value] {
        var arguments: [String: Value] = [:]
        for (name, value) in request.uri.queryParameters { arguments[String(name)] = .string(String(value)) }
        return arguments
    }

    static func id(in context: BasicRequestContext) throws -> Value {
        let text = context.parameters.get("id") ?? ""
        guard let id = Arguments.decimalInteger(text), id >= 1 else {
            throw APIError(.malformedRequest, "must be a memory id (a positive integer), got \(text.debugDescription)", field: "id")
        }
        return .int(id)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): context.debugDescription
        case DecodingError.typeMismatch(_, let context): context.debugDescription
        default: "\(error)"
        }
    }

    // MARK: - Writing responses

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }

    static func json(_ value: [String: String]) -> Response {
        (try? json(value, status: .ok)) ?? Response(status: .ok)
    }
}

/// Turns every error into the API's JSON error body: ``APIError`` as it is, Hummingbird's own
/// (no such route, 413…) by its status, anything else as a 500 that says no more than that.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    /// Which methods each path takes, to tell "no such method here" (405) from "no such path".
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return Self.response(error)
        } catch let error as any HTTPResponseError {
            if error.status.code == 404, let allowed = routes.methods(for: request.uri.path) {
                var response = Self.response(APIError(.methodNotAllowed, "\(request.uri.path) takes \(allowed.joined(separator: ", ")), not \(request.method)"))
                response.headers[.allow] = allowed.joined(separator: ", ")
                return response
            }
            let code: APIError.Code = switch error.status.code {
            case 401: .unauthorized
            case 404: .notFound
            case 405: .methodNotAllowed
            case 413: .payloadTooLarge
            case 400..<500: .malformedRequest
            default: .internal
            }
            let message = error.status.code == 404 ? "no route \(request.method) \(request.uri.path)" : error.status.reasonPhrase
            return Self.response(APIError(code, message))
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Self.response(APIError(.internal, "the server failed on this request"))
        }
    }

    static func response(_ error: APIError) -> Response {
        var response = (try? HTTPAPI.json(ErrorBody(error: error), status: .init(code: error.status)))
            ?? Response(status: .init(code: error.status))
        if error.code == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        if error.code == .overloaded { response.headers[.retryAfter] = "1" }
        return response
    }
}

/// The paths the API serves (templates such as `/v1/memories/{id}`) and their methods.
struct RouteTable: Sendable {
    private let routes: [(segments: [Substring], methods: [String])]

    /// The routes of an OpenAPI document, and `extra` ones it does not describe.
    init(document: Value, extra: [String: [String]]) {
        var table = extra
        for (path, item) in document.objectValue?["paths"]?.objectValue ?? [:] {
            table[path] = (item.objectValue ?? [:]).keys.filter { $0 != "parameters" }.map { $0.uppercased() }.sorted()
        }
        routes = table.map { (segments: $0.key.split(separator: "/"), methods: $0.value) }
    }

    /// The methods `path` takes, or `nil` if no route has this path.
    func methods(for path: String) -> [String]? {
        let segments = path.split(separator: "/")
        return routes.first { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }?.methods
    }
}
