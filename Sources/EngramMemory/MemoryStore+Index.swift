import EngramAssociative
import Foundation

/// The loaded state of one scope: its index, the revision of the scope it reflects, and its chain
/// memory, behind the scope's own lock.
final class ScopeSlot: @unchecked Sendable {
    private let lock = NSLock()
    /// `nil` until the scope is first used, and again after a write this process cannot mirror.
    var index: ScopeIndex?
    /// The scope's revision that `index` reflects; -1 when unknown.
    var revision: Int64 = -1
    /// Chains' Hebbian memory, built on first use and dropped by writes to the scope.
    var chainMemory: ChainMemory?

    func withLock<R>(_ body: (ScopeSlot) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(self)
    }

    func drop() {
        index = nil
        chainMemory = nil
        revision = -1
    }
}

/// The slots of the scopes this store has touched; the table's lock is held only to find a slot.
final class ScopeSlots: Sendable {
    private let slots = Locked([String: ScopeSlot]())

    subscript(scope: String) -> ScopeSlot {
        slots.withLock { slots in
            if let slot = slots[scope] { return slot }
            let slot = ScopeSlot()
            slots[scope] = slot
            return slot
        }
    }

    var all: [ScopeSlot] { slots.withLock { Array($0.values) } }
}

/// Keeping the in-memory scope indexes in step with the back end.
///
/// A scope's index is loaded in one read transaction together with the scope's revision. Each
/// write bumps the revision of every scope it changes in its transaction and, after the commit,
/// applies its change to a loaded index only if that reflects the revision just before it;
/// otherwise (another process or thread wrote to the scope in between) the scope's index is
/// dropped and reloaded on next use. Other scopes are left as they are.
extension MemoryStore {
    /// Runs `body` on the scope's index, loading it first if needed, under the scope's lock.
    func withScopeIndex<R>(_ scope: String, _ body: (inout ScopeIndex) throws -> R) throws -> R {
        let revision = try backend.read { try $0.revision(ofScope: scope) }
        return try scopeSlots[scope].withLock { slot in
            if revision != slot.revision { slot.drop() }
            if slot.index == nil {
                let (index, loadedRevision) = try loadScope(scope)
                slot.index = index
                slot.revision = loadedRevision
            }
            return try body(&slot.index!)
        }
    }

    /// Applies a committed write to the scope's loaded index, or drops the index if it is not at
    /// the revision just before the write's.
    func applyToIndex(scope: String, revision: Int64, _ change: (inout ScopeIndex) -> Void) {
        scopeSlots[scope].withLock { slot in
            slot.chainMemory = nil
            if slot.index != nil && slot.revision == revision - 1 {
                change(&slot.index!)
                slot.revision = revision
            } else {
                slot.drop()
            }
        }
    }

    /// Builds a scope's index from the back end, with the revision it reflects.
    private func loadScope(_ scope: String) throws -> (ScopeIndex, Int64) {
        let dimension = embedder.dimension
        let path = self.path
        return try backend.read { reader in
            var index = ScopeIndex(dimension: dimension)
            let revision = try reader.revision(ofScope: scope)
            index.retriever.reserveCapacity(try reader.cueCount(inScope: scope, excludingKind: CueKind.clause.rawValue))
            try reader.forEachCue(inScope: scope) { cue, memory, kind, blob in
                guard let embedding = BlobCoding.floats(blob, expected: dimension) else {
                    throw MemoryError.incompatibleStore(path: path, reason: "cue \(cue) has a malformed embedding")
                }
                if kind == CueKind.clause.rawValue {
                    try index.addClause(id: cue, memory: memory, embedding: embedding)
                } else {
                    try index.addCue(id: cue, memory: memory, embedding: embedding)
                }
            }
            try reader.forEachText(inScope: scope) { memory, text, session in index.addText(text, session: session, of: memory) }
            try reader.forEachEdge(inScope: scope) { edge in
                switch EdgeKind(rawValue: edge.kind) {
                case .supersedes?: index.addSupersession(newer: edge.source, older: edge.target)
                case let kind?: index.addEdge(edge.source, edge.target, kind: kind, weight: Float(edge.weight))
                case nil: break
                }
            }
            try reader.forEachNeighbourhood(inScope: scope) { memory, blob in
                if let value = BlobCoding.floats(blob).flatMap(ScopeIndex.hubness(of:)) { index.hubness[memory] = value }
            }
            var current: MemoryID?
            var names: [String] = []
            try reader.forEachEntity(inScope: scope) { memory, name in
                if memory != current, let previous = current {
                    index.addEntities(names, of: previous)
                    names.removeAll()
                }
                current = memory
                names.append(name)
            }
            if let current { index.addEntities(names, of: current) }
            return (index, revision)
        }
    }
}
