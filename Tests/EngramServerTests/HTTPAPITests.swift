import EngramMemory
@testable import EngramServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The routes through Hummingbird's router, without a socket.
@Suite struct HTTPAPITests {
    func withServer(token: String? = nil, limits: ServerLimits = ServerLimits(),
                    _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let service = try makeService(limits: limits)
        let server = EngramHTTPServer(service: service, token: token, logger: Logger(label: "test"))
        try await server.application().test(.router, body)
    }

    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] ?? [:]
    }

    static func error(_ response: TestResponse) throws -> [String: String] {
        (try object(response)["error"] as? [String: String]) ?? [:]
    }

    @Test func storesRecallsAndAnswersWithTheRightStatus() async throws {
        try await withServer { client in
            let created = try await client.execute(uri: "/v1/memories", method: .post, body: Self.json(#"{"text": "Ada keeps her bicycle in the shed"}"#))
            #expect(created.status == .created)
            let duplicate = try await client.execute(uri: "/v1/memories", method: .post, body: Self.json(#"{"text": "Ada keeps her bicycle in the shed"}"#))
            #expect(duplicate.status == .ok)
            let recalled = try await client.execute(uri: "/v1/recall", method: .post, body: Self.json(#"{"query": "bicycle", "k": 1}"#))
            #expect(recalled.status == .ok)
            #expect(((try Self.object(recalled)["hits"] as? [Any])?.count) == 1)
            #expect(try await client.execute(uri: "/v1/memories/1", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/v1/memories/1", method: .delete).status == .ok)
            let gone = try await client.execute(uri: "/v1/memories/1", method: .get)
            let goneError = try Self.error(gone)
            #expect(gone.status == .notFound && goneError == ["code": "not_found", "field": "id", "message": "no memory has id 1"])
        }
    }

    @Test func malformedAndInvalidRequestsAreTold() async throws {
        try await withServer { client in
            let cases: [(String, HTTPRequest.Method, String, HTTPResponse.Status, String)] = [
                ("/v1/recall", .post, "{", .badRequest, "malformed_request"),
                ("/v1/recall", .post, "", .badRequest, "malformed_request"),
                ("/v1/recall", .post, #"{"query": "q", "k": -1}"#, .unprocessableContent, "invalid_argument"),
                ("/v1/recall", .post, #"{"query": ["q"]}"#, .badRequest, "malformed_request"),
                ("/v1/memories/abc", .get, "", .badRequest, "malformed_request"),
                ("/v1/memories?limit=0", .get, "", .unprocessableContent, "invalid_argument"),
                ("/v1/nothing", .get, "", .notFound, "not_found"),
            ]
            for (uri, method, body, status, code) in cases {
                let response = try await client.execute(uri: uri, method: method, body: body.isEmpty ? nil : Self.json(body))
                #expect(response.status == status, "\(method) \(uri) \(body)")
                #expect(try Self.error(response)["code"] == code, "\(method) \(uri) \(body)")
                #expect(response.headers[.contentType] == "application/json")
            }
        }
    }

    @Test func aBodyOverTheLimitIs413() async throws {
        var limits = ServerLimits()
        limits.maximumBodyBytes = 64
        try await withServer(limits: limits) { client in
            let body = #"{"text": "\#(String(repeating: "a", count: 80))"}"#
            let response = try await client.execute(uri: "/v1/memories", method: .post, body: Self.json(body))
            let code = try Self.error(response)["code"]
            #expect(response.status == .contentTooLarge && code == "payload_too_large")
            let stats = try await client.execute(uri: "/v1/stats", method: .get)
            #expect(try Self.object(stats)["memories"] as? Int == 0)
        }
    }

    @Test func theTokenGuardsEveryRouteButHealth() async throws {
        try await withServer(token: "t0ken") { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            for (uri, method) in [("/v1/stats", HTTPRequest.Method.get), ("/v1/recall", .post), ("/openapi.json", .get), ("/mcp", .post)] {
                let anonymous = try await client.execute(uri: uri, method: method)
                #expect(anonymous.status == .unauthorized && anonymous.headers[.wwwAuthenticate] == "Bearer")
                #expect(!String(buffer: anonymous.body).contains("t0ken"))
                let wrong = try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer t0ken2"])
                #expect(wrong.status == .unauthorized)
            }
            let right = try await client.execute(uri: "/v1/stats", method: .get, headers: [.authorization: "Bearer t0ken"])
            #expect(right.status == .ok)
        }
    }

    @Test func everyDocumentedRouteExists() async throws {
        let document = try JSONSerialization.jsonObject(with: OpenAPIDocument.json()) as! [String: Any]
        let routes = (document["paths"] as! [String: [String: Any]]).flatMap { path, item in
            item.keys.filter { $0 != "parameters" }.map { (path, $0) }
        }
        try await withServer { client in
            for (path, method) in routes {
                do {
                    let uri = path.replacingOccurrences(of: "{id}", with: "1").replacingOccurrences(of: "{scope}", with: "s")
                    let response = try await client.execute(uri: uri, method: HTTPRequest.Method(method.uppercased())!, body: Self.json("{}"))
                    let message = try Self.error(response)["message"] ?? ""
                    #expect(!message.hasPrefix("no route"), "\(method) \(path)")
                }
            }
        }
    }

    @Test func theServedDocumentIsTheCommittedOne() async throws {
        let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("openapi.json")
        let text = try String(contentsOf: committed, encoding: .utf8)
        #expect(text == String(decoding: OpenAPIDocument.json(), as: UTF8.self) + "\n",
                "openapi.json is stale: regenerate it with `engram serve --print-openapi > openapi.json`")
        try await withServer { client in
            let served = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(Data(buffer: served.body) == OpenAPIDocument.json())
        }
    }
}
