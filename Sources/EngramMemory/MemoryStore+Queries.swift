import Foundation

extension MemoryStore {
    /// The memory stored under `id`.
    /// - Throws: ``MemoryError/unknownID(_:)``.
    public func get(_ id: MemoryID) throws -> Memory {
        guard let memory = try fetchMemories([id])[id] else { throw MemoryError.unknownID(id) }
        return memory
    }

    /// Memories in id order (the order they were stored), a page at a time.
    /// - Parameters:
    ///   - scope: only this scope's memories; `nil` for every scope.
    ///   - matching: only memories whose text contains every one of these words (a full-text
    ///     search through the FTS5 index, with Porter stemming: "hiking" finds "hiked").
    ///   - session: only this session's memories.
    ///   - from, until: only memories whose time is at or after `from` and before `until`.
    ///   - after: only ids greater than this (pass the last id of the previous page).
    ///   - limit: the page size, ≥ 1.
    public func list(
        scope: String? = nil, session: String? = nil, matching: String? = nil,
        from: Date? = nil, until: Date? = nil, after: MemoryID = 0, limit: Int = 100
    ) throws -> [Memory] {
        guard limit >= 1 else { throw MemoryError.invalidArgument(name: "limit", requirement: "must be at least 1, got \(limit)") }
        var filter = MemoryFilter(scope: scope, session: session, from: from?.timeIntervalSince1970,
                                  until: until?.timeIntervalSince1970)
        if let scope { try Self.validateName(scope, as: "scope") }
        if let session { try Self.validateName(session, as: "session") }
        if let matching {
            filter.words = LexicalTerms.words(of: matching)
            guard !filter.words.isEmpty else {
                throw MemoryError.invalidArgument(name: "matching", requirement: "must contain a word")
            }
        }
        let frozen = filter
        return try backend.read { try $0.list(frozen, after: after, limit: limit) }.map(Self.memory(from:))
    }

    /// Every memory, in id order, handed to `body` one page at a time (for export).
    public func forEachMemory(scope: String? = nil, _ body: (Memory) throws -> Void) throws {
        var last: MemoryID = 0
        while true {
            let page = try list(scope: scope, after: last, limit: 500)
            guard let end = page.last else { return }
            try page.forEach(body)
            last = end.id
        }
    }

    /// The scopes that hold memories, with their counts.
    public func scopes() throws -> [(scope: String, memories: Int)] {
        try backend.read { try $0.scopes() }
    }

    /// An estimate of the heap memory held by the in-memory indexes of the scopes loaded so far
    /// (text and metadata stay in the back end and are not counted), in bytes.
    public func loadedIndexBytes() -> Int {
        scopeSlots.all.reduce(0) { total, slot in
            total + slot.withLock { ($0.index?.approximateByteCount ?? 0) + ($0.chainMemory?.associator.approximateByteCount ?? 0) }
        }
    }

    /// Counts of the store's rows, and the file's size.
    public func statistics() throws -> MemoryStatistics {
        let (counts, info) = try backend.read { reader in (try reader.counts(), try reader.storeInfo()) }
        return MemoryStatistics(
            memories: counts.memories, cues: counts.cues, edges: counts.edges, scopes: counts.scopes,
            formatVersion: info["format_version"].flatMap(Int.init) ?? 0, fileBytes: backend.storageBytes())
    }
}
