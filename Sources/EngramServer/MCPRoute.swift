import Foundation
import HTTPTypes
import Hummingbird
import MCP

/// Carries `/mcp` requests between Hummingbird and the MCP SDK's streamable-HTTP transport:
/// headers and body in, status, headers and a JSON or server-sent-events body out.
enum MCPRoute {
    static let path = "/mcp"

    static func add(to router: Router<BasicRequestContext>, sessions: MCPSessions, limits: ServerLimits) {
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let body = try await HTTPAPI.bytes(of: request, limit: limits)
            var headers: [String: String] = [:]
            for field in request.headers {
                let name = field.name.canonicalName
                headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
            }
            let response = await sessions.handle(MCP.HTTPRequest(
                method: request.method.rawValue, headers: headers, body: body.isEmpty ? nil : body, path: path))
            return self.response(response)
        }
        router.post(RouterPath(path), use: handler)
        router.get(RouterPath(path), use: handler)
        router.delete(RouterPath(path), use: handler)
    }

    private static func response(_ response: MCP.HTTPResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        let body: ResponseBody
        switch response {
        case let .stream(events, _):
            body = ResponseBody { writer in
                for try await chunk in events { try await writer.write(ByteBuffer(data: chunk)) }
                try await writer.finish(nil)
            }
        default:
            body = response.bodyData.map { ResponseBody(byteBuffer: ByteBuffer(data: $0)) } ?? ResponseBody()
        }
        return Response(status: .init(code: response.statusCode), headers: fields, body: body)
    }
}
