import Crypto
import Foundation
import Hummingbird

/// Requires `Authorization: Bearer <token>` on every route but `openPaths` when a token is set;
/// 401 otherwise. The comparison takes the same time wherever the tokens differ (both are hashed
/// first, so not even the length shows), and the token is never logged or echoed.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    private let expected: [UInt8]?
    private let openPaths: Set<String>

    init(token: String?, openPaths: Set<String>) {
        expected = token.map { Array(SHA256.hash(data: Data($0.utf8))) }
        self.openPaths = openPaths
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let expected, !openPaths.contains(request.uri.path) else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError(.unauthorized, "this server needs an Authorization: Bearer token")
        }
        let presented = Array(SHA256.hash(data: Data(header.dropFirst("bearer ".count).utf8)))
        guard Self.constantTimeEqual(presented, expected) else {
            throw APIError(.unauthorized, "the bearer token is not this server's")
        }
        return try await next(request, context)
    }

    /// Equal digests, in time that does not depend on where they differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
