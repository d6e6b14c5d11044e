import Foundation
import MCP

/// The OpenAPI 3.1 description of the HTTP API, made from the same ``Operation`` parameters and
/// ``Responses`` schemas that the server checks and answers with (so the two cannot drift).
/// `engram serve` serves it at `/openapi.json`; the repository commits it as `openapi.json`.
public enum OpenAPIDocument {
    /// The document as pretty, key-sorted JSON.
    public static func json(limits: ServerLimits = ServerLimits()) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Encoding a Value cannot fail.
        return (try? encoder.encode(document(limits: limits))) ?? Data()
    }

    static func document(limits: ServerLimits) -> Value {
        let id: Value = ["name": "id", "in": "path", "required": true, "description": "The memory's id.",
                         "schema": ["type": "integer", "minimum": 1, "maximum": .int(Int(Int64.max))]]
        let scope: Value = ["name": "scope", "in": "path", "required": true, "description": "The scope.",
                            "schema": Parameter.nameSchema]
        var update = Operation.updateMemory.parameters(limits)
        update.removeAll { $0.name == "id" }
        let paths: [String: Value] = [
            "/healthz": ["get": [
                "operationId": "health", "summary": "Whether the server is up (needs no token).", "security": [],
                "responses": ["200": success(["type": "object", "properties": ["status": ["type": "string"]], "required": ["status"]])],
            ]],
            "/openapi.json": ["get": [
                "operationId": "openapi", "summary": "This document.",
                "responses": errors(["200": success(["type": "object"])], [401]),
            ]],
            "/v1/memories": [
                "post": operation(.remember, body: Operation.remember.inputSchema(limits), status: "201", limits: limits,
                                  extra: ["200": success(Responses.schema(of: .remember), "Every item was a duplicate; nothing was stored.")]),
                "get": operation(.listMemories, query: Operation.listMemories.parameters(limits), limits: limits),
            ],
            "/v1/memories/{id}": [
                "parameters": [id],
                "get": operation(.getMemory, limits: limits),
                "patch": operation(.updateMemory, body: Parameter.objectSchema(update), limits: limits),
                "delete": operation(.forget, limits: limits),
            ],
            "/v1/recall": ["post": operation(.recall, body: Operation.recall.inputSchema(limits), limits: limits)],
            "/v1/chain": ["post": operation(.chain, body: Operation.chain.inputSchema(limits), limits: limits)],
            "/v1/scopes": ["get": operation(.scopes, limits: limits)],
            "/v1/scopes/{scope}": ["parameters": [scope], "delete": operation(.forgetScope, limits: limits)],
            "/v1/stats": ["get": operation(.stats, limits: limits)],
        ]
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Engram", "version": .string(EngramServerInfo.version),
                "description": "A local long-term memory for agents: remember text, recall it from a paraphrased question, follow association chains, forget it for good. Errors are {\"error\": {\"code\", \"message\", \"field\"}}. When the server has a token, every route but /healthz needs Authorization: Bearer <token>.",
            ],
            "servers": [["url": "http://127.0.0.1:8765"]],
            "security": [["bearerAuth": []], [:]],
            "paths": .object(paths),
            "components": [
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer"]],
                "schemas": ["Error": errorSchema],
            ],
        ]
    }

    private static func operation(
        _ operation: Operation, body: Value? = nil, query: [Parameter] = [], status: String = "200",
        limits: ServerLimits, extra: [String: Value] = [:]
    ) -> Value {
        var object: [String: Value] = ["operationId": .string(operation.rawValue), "summary": .string(operation.summary)]
        if let body {
            object["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]]
        }
        if !query.isEmpty {
            object["parameters"] = .array(query.map { parameter in
                ["name": .string(parameter.name), "in": "query", "required": .bool(parameter.required),
                 "description": .string(parameter.description), "schema": parameter.schema]
            })
        }
        var responses = extra
        responses[status] = success(Responses.schema(of: operation))
        var codes = [400, 401, 422, 503]
        if body != nil { codes.append(413) }
        if [.remember, .recall, .chain, .listMemories, .forgetScope].contains(operation) { codes.append(403) }
        if [.getMemory, .updateMemory, .forget, .chain].contains(operation) { codes.append(404) }
        object["responses"] = errors(responses, codes)
        return .object(object)
    }

    private static func success(_ schema: Value, _ description: String = "Done.") -> Value {
        ["description": .string(description), "content": ["application/json": ["schema": schema]]]
    }

    private static func errors(_ responses: [String: Value], _ codes: [Int]) -> Value {
        var responses = responses
        for code in codes {
            responses[String(code)] = [
                "description": .string(HTTPStatusDescription.text(code)),
                "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
            ]
        }
        return .object(responses)
    }

    private static let errorSchema: Value = [
        "type": "object",
        "properties": ["error": [
            "type": "object",
            "properties": [
                "code": ["type": "string", "enum": .array(APIError.Code.allCases.map { .string($0.rawValue) })],
                "message": ["type": "string"],
                "field": ["type": "string", "description": "The argument the error is about."],
            ],
            "required": ["code", "message"],
        ]],
        "required": ["error"],
    ]
}

private enum HTTPStatusDescription {
    static func text(_ code: Int) -> String {
        switch code {
        case 400: "Malformed: not JSON, a wrong type, a missing or unknown argument."
        case 401: "No bearer token, or the wrong one."
        case 403: "A scope other than the server's own."
        case 404: "No such memory."
        case 413: "The body is over the limit."
        case 422: "A value out of its bounds or against a rule."
        case 503: "Overloaded or the store is unavailable; retry."
        default: "Error."
        }
    }
}
