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
    /// The revision of the index snapshot this process knows the back end holds; `nil` for none.
    var snapshotRevision: Int64?
    /// The revision at which this process last tried to save a snapshot (to space the tries).
    var lastSnapshotTry: Int64 = -1
    /// How often the index was built from scratch, restored from a snapshot, and brought forward
    /// from the change log.
    var loads = 0
    var restores = 0
    var catchUps = 0

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
/// write bumps the revision of every scope it changes in its transaction, logs the memories it
/// touched there, and after the commit applies its change to a loaded index if that reflects the
/// revision just before it. An index that is behind (another process or server wrote to the
/// scope) is brought forward on its next use: the memories the log names since its revision are
/// removed and read back. It is rebuilt only when the log does not reach back that far, the whole
/// scope was deleted, or more than a quarter of it changed. Other scopes are left as they are.
///
/// A scope that is not loaded yet is restored from its snapshot in the back end, when there is one
/// (``ScopeIndex/snapshot()``), and brought forward from there the same way. The store saves a
/// snapshot after building an index from scratch, at the end of an import, and when the index has
/// moved ``snapshotInterval(memories:)`` revisions past the stored one.
extension MemoryStore {
    /// Runs `body` on the scope's index, loading it first if needed, under the scope's lock.
    func withScopeIndex<R>(_ scope: String, _ body: (inout ScopeIndex) throws -> R) throws -> R {
        var revision = try backend.read { try $0.revision(ofScope: scope) }
        return try scopeSlots[scope].withLock { slot in
            if slot.index == nil, configuration.indexSnapshotMinimum != nil {
                restoreSnapshot(scope, into: slot)
                // Saved by another process after the revision above was read: read it again.
                if slot.revision > revision { revision = try backend.read { try $0.revision(ofScope: scope) } }
            }
            if revision != slot.revision {
                if slot.index != nil, slot.revision >= 0, revision > slot.revision,
                   let changes = try readChanges(scope: scope, since: slot.revision, memoryCount: slot.index!.memoryCount) {
                    changes.apply(to: &slot.index!)
                    slot.revision = changes.revision
                    slot.chainMemory = nil
                    slot.catchUps += 1
                } else {
                    slot.drop()
                }
            }
            var rebuilt = false
            if slot.index == nil {
                let (index, loadedRevision) = try loadScope(scope)
                slot.index = index
                slot.revision = loadedRevision
                slot.loads += 1
                rebuilt = true
            }
            let result = try body(&slot.index!)
            if rebuilt || snapshotIsDue(slot) { saveSnapshot(scope, of: slot) }
            return result
        }
    }

    /// Saves the snapshot of every loaded index among `scopes` that is ahead of its stored one.
    func saveSnapshots(of scopes: Set<String>) {
        for scope in scopes {
            scopeSlots[scope].withLock { slot in
                if slot.index != nil && slot.snapshotRevision != slot.revision { saveSnapshot(scope, of: slot) }
            }
        }
    }

    /// Revisions an index may move past its stored snapshot before a new one is saved: often
    /// enough that a restore has little to bring forward (and never beyond the change log's
    /// reach), rarely enough that a large scope does not rewrite its snapshot on every write.
    static func snapshotInterval(memories: Int) -> Int64 {
        Int64(min(Int(changeLogLength) / 2, max(64, memories / 256)))
    }

    private func snapshotIsDue(_ slot: ScopeSlot) -> Bool {
        let since = slot.snapshotRevision ?? slot.lastSnapshotTry
        return slot.revision - max(since, slot.lastSnapshotTry) >= Self.snapshotInterval(memories: slot.index?.memoryCount ?? 0)
    }

    /// Restores the scope's index from its stored snapshot, leaving the slot empty when there is
    /// none or it cannot be read (then the index is rebuilt and the snapshot replaced).
    private func restoreSnapshot(_ scope: String, into slot: ScopeSlot) {
        guard let stored = try? backend.read({ try $0.snapshot(ofScope: scope) }) else { return }
        slot.snapshotRevision = stored.revision
        guard let index = try? ScopeIndex(snapshot: stored.data, dimension: embedder.dimension) else { return }
        slot.index = index
        slot.revision = stored.revision
        slot.restores += 1
    }

    /// Saves the slot's index as the scope's snapshot if the scope is still at the index's
    /// revision (a write since may have forgotten a memory the index still holds). A failure
    /// only means a slower next open, so it is not reported.
    private func saveSnapshot(_ scope: String, of slot: ScopeSlot) {
        guard let minimum = configuration.indexSnapshotMinimum, let index = slot.index, index.memoryCount >= minimum else { return }
        let revision = slot.revision
        slot.lastSnapshotTry = revision
        let data = index.snapshot()
        let saved = try? backend.write(scopes: [scope]) { transaction -> Bool in
            guard try transaction.revision(ofScope: scope) == revision else { return false }
            try transaction.saveSnapshot(ofScope: scope, revision: revision, data: data)
            return true
        }
        if saved == true { slot.snapshotRevision = revision }
    }

    /// What the scope's revisions after `revision` changed, read back in one transaction; `nil`
    /// when rebuilding is the better (or only) way forward.
    private func readChanges(scope: String, since revision: Int64, memoryCount: Int) throws -> ScopeChanges? {
        let dimension = embedder.dimension
        let path = self.path
        return try backend.read { reader -> ScopeChanges? in
            guard let changed = try reader.changes(inScope: scope, after: revision), !changed.isEmpty,
                  !changed.contains(wholeScopeChanged), changed.count <= max(64, memoryCount / 4) else { return nil }
            var changes = ScopeChanges(revision: try reader.revision(ofScope: scope), changed: Array(changed))
            changes.memories = try reader.memories(changes.changed).filter { $0.scope == scope }
            let present = changes.memories.map(\.id)
            for cue in try reader.cues(of: present) {
                guard let embedding = BlobCoding.floats(cue.embedding, expected: dimension) else {
                    throw MemoryError.incompatibleStore(path: path, reason: "cue \(cue.cue) has a malformed embedding")
                }
                changes.cues.append((cue.cue, cue.memory, cue.kind, embedding))
            }
            changes.entities = try reader.entities(of: present)
            changes.edges = try reader.edges(touching: present)
            changes.hubness = try reader.neighbourhoods(of: present).compactMapValues { BlobCoding.floats($0).flatMap(ScopeIndex.hubness(of:)) }
            return changes
        }
    }

    /// Applies a committed write to the scope's loaded index, or drops the index if it is not at
    /// the revision just before the write's.
    /// `deletedSnapshot`: the write deleted the scope's snapshot (a forget or a text update does).
    func applyToIndex(scope: String, revision: Int64, deletedSnapshot: Bool = false, _ change: (inout ScopeIndex) -> Void) {
        scopeSlots[scope].withLock { slot in
            slot.chainMemory = nil
            if deletedSnapshot { slot.snapshotRevision = nil }
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

/// The rows of the memories that a scope's recent revisions touched, to replace them in a loaded
/// index (see ``MemoryStore/withScopeIndex(_:_:)``).
struct ScopeChanges {
    /// The revision the rows reflect.
    var revision: Int64
    /// Every memory the log names: removed from the index first.
    var changed: [MemoryID]
    /// Those that still exist in the scope, with their cues, entities, edges and hubness.
    var memories: [MemoryRow] = []
    var cues: [(cue: Int, memory: MemoryID, kind: Int, embedding: [Float])] = []
    var entities: [(memory: MemoryID, name: String)] = []
    var edges: [EdgeRow] = []
    var hubness: [MemoryID: Float] = [:]

    func apply(to index: inout ScopeIndex) {
        for memory in changed { index.removeMemory(memory, text: nil) }
        for cue in cues {
            // Cue ids are unique in the store and were just removed with their memory.
            if cue.kind == CueKind.clause.rawValue {
                try? index.addClause(id: cue.cue, memory: cue.memory, embedding: cue.embedding)
            } else {
                try? index.addCue(id: cue.cue, memory: cue.memory, embedding: cue.embedding)
            }
        }
        for memory in memories { index.addText(memory.text, session: memory.session, of: memory.id) }
        for (memory, names) in Dictionary(grouping: entities, by: \.memory) { index.addEntities(names.map(\.name), of: memory) }
        for (memory, value) in hubness { index.hubness[memory] = value }
        for edge in edges where index.cuesOfMemory[edge.source] != nil && index.cuesOfMemory[edge.target] != nil {
            switch EdgeKind(rawValue: edge.kind) {
            case .supersedes?: index.addSupersession(newer: edge.source, older: edge.target)
            case let kind?: index.addEdge(edge.source, edge.target, kind: kind, weight: Float(edge.weight))
            case nil: break
            }
        }
    }
}
