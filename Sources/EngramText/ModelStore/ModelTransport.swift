import Foundation

/// How a ``ModelStore`` fetches bytes over the network.
///
/// ``URLSessionTransport`` is the real one; tests inject a fake that serves canned bytes. A
/// transport follows redirects, applies its own timeouts, and throws
/// ``TextError/downloadFailed(url:detail:)`` (or any error, which the store reports as such) when
/// a request fails or answers with an HTTP status outside 200–299.
public protocol ModelTransport: Sendable {
    /// Fetches a small resource, such as PyPI's JSON description of a package, into memory.
    ///
    /// - Parameter url: The resource.
    /// - Returns: The response body.
    /// - Throws: When the request fails or the status is not 2xx.
    func data(from url: URL) async throws -> Data

    /// Streams a resource into a file, reporting progress as bytes arrive.
    ///
    /// - Parameters:
    ///   - url: The resource.
    ///   - destination: A file that does not exist yet; the transport creates it. On failure it
    ///     may be left partially written: the store owns it and removes it.
    ///   - progress: Called with the bytes received so far and the expected total where the
    ///     server announced one; from any thread, possibly often.
    /// - Throws: When the request fails or the status is not 2xx.
    func download(
        from url: URL,
        to destination: URL,
        progress: @escaping @Sendable (_ received: Int64, _ expected: Int64?) -> Void
    ) async throws
}
