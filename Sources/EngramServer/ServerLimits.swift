/// What one caller may ask of a server at once, so that no caller can exhaust it. Each limit is
/// in the tools' schemas and the OpenAPI document; a request over one is refused (413 for the
/// body, 422 for a value, 503 `overloaded` for requests in flight) and changes nothing.
public struct ServerLimits: Sendable, Equatable {
    /// The largest request body, in bytes (a batch of `maximumBatch` texts of 32 KB fits).
    public var maximumBodyBytes = 4 * 1024 * 1024
    /// The most memories one `remember` may store.
    public var maximumBatch = 128
    /// The most hits one `recall` may return.
    public var maximumK = 100
    /// The most hops one `chain` may follow.
    public var maximumHops = 32
    /// The largest page of `list_memories`.
    public var maximumPage = 500
    /// Store operations in flight (running or waiting for a thread) across the server; one more
    /// is refused with 503 `overloaded` rather than queued without bound.
    public var maximumInFlight = 256
    /// Requests in flight within one MCP session (a client may send several at once).
    public var maximumInFlightPerSession = 16
    /// Open MCP sessions over HTTP; the least recently used one is closed to admit a new one.
    public var maximumSessions = 128

    public init() {}
}
