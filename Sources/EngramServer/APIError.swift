import EngramMemory
import Foundation

/// A refused request: a stable `code`, a `message` that says what was wrong, the argument it was
/// about (`field`, such as `k` or `memories[2].text`), and the HTTP status it is answered with.
/// An MCP tool returns the same object as a tool error. Nothing is changed by a refused request.
public struct APIError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// Not JSON, a wrong JSON type, a missing or unknown argument (400).
        case malformedRequest = "malformed_request"
        /// No bearer token, or the wrong one (401).
        case unauthorized
        /// A scope other than the one this server is fixed to (403).
        case forbiddenScope = "forbidden_scope"
        /// No memory has this id (in the scopes this caller may see), or no such route (404).
        case notFound = "not_found"
        /// A method the route does not take (405).
        case methodNotAllowed = "method_not_allowed"
        /// The request body is over the server's limit (413).
        case payloadTooLarge = "payload_too_large"
        /// A value of the right type that breaks a rule: an empty text, k out of range… (422).
        case invalidArgument = "invalid_argument"
        /// The server is at its limit of requests in flight; retry later (503).
        case overloaded
        /// The store cannot be reached (a locked or failing database) or the server is stopping (503).
        case unavailable
        /// A fault of the server's own (500).
        case `internal`
    }

    public var code: Code
    public var message: String
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// The HTTP status of this error.
    public var status: Int {
        switch code {
        case .malformedRequest: 400
        case .unauthorized: 401
        case .forbiddenScope: 403
        case .notFound: 404
        case .methodNotAllowed: 405
        case .payloadTooLarge: 413
        case .invalidArgument: 422
        case .overloaded, .unavailable: 503
        case .internal: 500
        }
    }

    public var description: String {
        field.map { "\($0): \(message)" } ?? message
    }

    /// The store's refusal as an API error; `fieldPrefix` names the batch item (`memories[2].`).
    init(_ error: MemoryError, fieldPrefix: String = "") {
        switch error {
        case .emptyText:
            self.init(.invalidArgument, "must not be empty or only white space", field: fieldPrefix + "text")
        case let .textTooLong(bytes, limit):
            self.init(.invalidArgument, "is \(bytes) bytes of UTF-8; the limit is \(limit)", field: fieldPrefix + "text")
        case let .unknownID(id):
            self.init(.notFound, "no memory has id \(id)", field: "id")
        case let .invalidArgument(name, requirement):
            self.init(.invalidArgument, requirement, field: fieldPrefix + Self.fieldName(forStoreArgument: name))
        case .database:
            self.init(.unavailable, "the store is unavailable: \(error)")
        case .notAnEngramStore, .incompatibleStore, .malformedLine:
            self.init(.internal, "\(error)")
        }
    }

    /// The request field that a store argument name ("metadata key", "scope") comes from.
    private static func fieldName(forStoreArgument name: String) -> String {
        name.hasPrefix("metadata") ? "metadata" : name
    }
}

/// The JSON body of an error response: `{"error": {"code", "message", "field"}}`.
struct ErrorBody: Codable, Sendable {
    var error: APIError
}
