import EngramMemory
import Foundation
import MCP
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The operations of ``Operation`` on one ``MemoryStore``, shared by the MCP tools and the HTTP
/// routes: checks the arguments, keeps a server fixed to one scope inside it, bounds the work in
/// flight, and runs the store's blocking calls (encoding, SQLite) on a pool of threads of their
/// own so that they never hold up the event loops or Swift's cooperative threads.
public final class MemoryService: Sendable {
    public let store: MemoryStore
    /// The one scope this server serves, if it is fixed: requests for another are refused (403)
    /// and memories of another are reported as absent (404).
    public let fixedScope: String?
    public let limits: ServerLimits
    private let threads: NIOThreadPool
    private let inFlight = NIOLockedValueBox(0)

    /// - Parameter threads: threads for store calls (default: one per core).
    public init(store: MemoryStore, fixedScope: String? = nil, limits: ServerLimits = ServerLimits(),
                threads: Int = System.coreCount) throws {
        if let fixedScope {
            do {
                try MemoryStore.validate(NewMemory(text: "-", scope: fixedScope))
            } catch let error as MemoryError {
                throw APIError(error)
            }
        }
        self.store = store
        self.fixedScope = fixedScope
        self.limits = limits
        self.threads = NIOThreadPool(numberOfThreads: max(1, threads))
        self.threads.start()
    }

    /// Waits for the store calls in flight to finish and stops the threads; later calls are
    /// refused with 503 `unavailable`.
    public func shutdown() async {
        try? await threads.shutdownGracefully()
    }

    /// Runs `operation` with JSON `arguments` (an MCP tool's, or an HTTP body or query).
    /// - Parameter fromQuery: the arguments come from a URL query (integers arrive as strings).
    /// - Throws: ``APIError`` only.
    public func perform(_ operation: Operation, arguments: [String: Value], fromQuery: Bool = false) async throws -> any Codable & Sendable {
        let checked = try Arguments(arguments, parameters: operation.parameters(limits),
                                    exactlyOneOf: operation.exactlyOneOf, fromQuery: fromQuery)
        let admitted = inFlight.withLockedValue { count in
            guard count < limits.maximumInFlight else { return false }
            count += 1
            return true
        }
        guard admitted else {
            throw APIError(.overloaded, "the server has \(limits.maximumInFlight) requests in flight; retry shortly")
        }
        defer { inFlight.withLockedValue { $0 -= 1 } }
        do {
            return try await threads.runIfActive { try self.execute(operation, checked) }
        } catch let error as APIError {
            throw error
        } catch let error as MemoryError {
            throw APIError(error)
        } catch is NIOThreadPoolError.ThreadPoolInactive, is CancellationError {
            // The threads have stopped (shutdown), or the caller went away.
            throw APIError(.unavailable, "the server is stopping")
        } catch {
            throw APIError(.internal, "\(error)")
        }
    }

    // MARK: - Operations

    private func execute(_ operation: Operation, _ arguments: Arguments) throws -> any Codable & Sendable {
        switch operation {
        case .remember: return try remember(arguments)
        case .recall: return try recall(arguments)
        case .chain: return try chain(arguments)
        case .getMemory:
            return Responses.OneMemory(memory: .init(try visibleMemory(arguments.int64("id")!)))
        case .updateMemory: return try update(arguments)
        case .forget:
            let memory = try visibleMemory(arguments.int64("id")!)
            try store.forget(memory.id)
            return Responses.Forgotten(forgotten: 1)
        case .listMemories: return try list(arguments)
        case .stats: return try statistics()
        case .scopes:
            let scopes = try store.scopes().filter { fixedScope == nil || $0.scope == fixedScope }
            return Responses.Scopes(scopes: scopes.map { .init(scope: $0.scope, memories: $0.memories) })
        case .forgetScope:
            return Responses.Forgotten(forgotten: try store.forget(scope: try scope(arguments)))
        }
    }

    private func remember(_ arguments: Arguments) throws -> Responses.Remembered {
        let single = arguments.string("text") != nil
        let items = single ? [arguments] : try arguments.items("memories", parameters: Operation.memoryItemParameters)
        var memories: [NewMemory] = []
        for (index, item) in items.enumerated() {
            let prefix = single ? "" : "memories[\(index)]."
            let memory = NewMemory(text: item.string("text")!, scope: try scope(item, fieldPrefix: prefix),
                                   session: item.string("session"), metadata: item.metadata("metadata") ?? [:],
                                   time: item.time("time"))
            do { try MemoryStore.validate(memory) } catch let error as MemoryError {
                throw APIError(error, fieldPrefix: prefix)
            }
            memories.append(memory)
        }
        let outcomes = try store.remember(memories)
        return Responses.Remembered(results: outcomes.map { outcome in
            switch outcome {
            case let .stored(id): .init(status: "stored", id: id)
            case let .duplicate(id, similarity): .init(status: "duplicate", id: id, similarity: Double(similarity))
            }
        })
    }

    private func recall(_ arguments: Arguments) throws -> Responses.Recalled {
        var options = RecallOptions(k: arguments.integer("k") ?? 10)
        options.session = arguments.string("session")
        options.metadata = arguments.metadata("metadata") ?? [:]
        options.after = arguments.time("after")
        options.before = arguments.time("before")
        let hits = try store.recall(arguments.string("query")!, scope: try scope(arguments), options: options)
        return Responses.Recalled(hits: hits.map { .init(memory: .init($0.memory), score: $0.score, foundBy: $0.foundBy.names) })
    }

    private func chain(_ arguments: Arguments) throws -> Responses.Chained {
        let hops = arguments.integer("hops") ?? 3
        let steps: [ChainStep]
        if let id = arguments.int64("id") {
            steps = try store.chain(from: try visibleMemory(id).id, hops: hops)
        } else {
            steps = try store.chain(fromCue: arguments.string("cue")!, scope: try scope(arguments), hops: hops)
        }
        return Responses.Chained(steps: steps.map { .init(memory: .init($0.memory), strength: $0.strength) })
    }

    private func update(_ arguments: Arguments) throws -> Responses.OneMemory {
        let old = try visibleMemory(arguments.int64("id")!)
        let text = arguments.string("text"), metadata = arguments.metadata("metadata"), time = arguments.time("time")
        // Nothing to change is a change of nothing, as PATCH with {} is.
        guard text != nil || metadata != nil || time != nil else { return Responses.OneMemory(memory: .init(old)) }
        let item = NewMemory(text: text ?? old.text, scope: old.scope, session: old.session,
                             metadata: metadata ?? old.metadata, time: time ?? old.time)
        do { try MemoryStore.validate(item) } catch let error as MemoryError { throw APIError(error) }
        try store.update(old.id, text: item.text, metadata: metadata, time: time)
        return Responses.OneMemory(memory: .init(try store.get(old.id)))
    }

    private func list(_ arguments: Arguments) throws -> Responses.Listed {
        let limit = arguments.integer("limit") ?? 50
        let scope = fixedScope ?? arguments.string("scope")
        if arguments.string("scope") != nil { _ = try self.scope(arguments) }
        // Every memory contains every one of no words; but a search for "?!" finding everything
        // would surprise, so it finds nothing.
        if let matching = arguments.string("matching"), !matching.unicodeScalars.contains(where: Self.isWordCharacter) {
            return Responses.Listed(memories: [], nextAfterID: nil)
        }
        // One more than the page tells whether another page follows.
        let page = try store.list(
            scope: scope, session: arguments.string("session"), matching: arguments.string("matching"),
            from: arguments.time("from"), until: arguments.time("until"),
            after: arguments.int64("after_id") ?? 0, limit: limit + 1)
        let shown = page.prefix(limit)
        return Responses.Listed(memories: shown.map(Responses.MemoryRecord.init),
                                nextAfterID: page.count > limit ? shown.last?.id : nil)
    }

    private func statistics() throws -> Responses.Statistics {
        if let fixedScope {
            let memories = try store.scopes().first { $0.scope == fixedScope }?.memories ?? 0
            return Responses.Statistics(memories: memories, scopes: memories > 0 ? 1 : 0)
        }
        let statistics = try store.statistics()
        return Responses.Statistics(memories: statistics.memories, scopes: statistics.scopes, cues: statistics.cues,
                                    edges: statistics.edges, formatVersion: statistics.formatVersion,
                                    fileBytes: statistics.fileBytes)
    }

    /// What the full-text index takes for part of a word.
    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    // MARK: - Scope

    /// The scope a request is for: the one it names, else the server's; a server fixed to one
    /// scope refuses any other.
    private func scope(_ arguments: Arguments, fieldPrefix: String = "") throws -> String {
        let named = arguments.string("scope")
        if let fixedScope {
            if let named, named != fixedScope {
                throw APIError(.forbiddenScope, "this server serves only its own scope; leave scope out", field: fieldPrefix + "scope")
            }
            return fixedScope
        }
        return named ?? MemoryStore.defaultScope
    }

    /// The memory with this id, if this server may show it (another scope's is "not found").
    private func visibleMemory(_ id: MemoryID) throws -> Memory {
        let memory = try store.get(id)
        if let fixedScope, memory.scope != fixedScope { throw MemoryError.unknownID(id) }
        return memory
    }
}
