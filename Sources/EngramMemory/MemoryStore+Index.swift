import EngramAssociative
import Foundation
import GRDB

/// Keeping the in-memory scope indexes in step with the database.
///
/// A scope's index is loaded in one read transaction together with the revision it reflects.
/// Each write bumps the revision in its transaction and, after the commit, applies its change to
/// the loaded indexes only if they reflect the revision just before it; otherwise (another
/// process or thread wrote in between) every index is dropped and reloaded on next use.
extension MemoryStore {
    /// Runs `body` on the scope's index, loading it first if needed, under the index lock.
    func withScopeIndex<R>(_ scope: String, _ body: (inout ScopeIndex) throws -> R) throws -> R {
        let revision = try readTransaction { try Self.currentRevision($0) }
        return try state.withLock { state in
            if revision != state.revision {
                state.scopes.removeAll()
                state.chainMemories.removeAll()
                state.revision = revision
            }
            if state.scopes[scope] == nil {
                let (index, loadedRevision) = try loadScope(scope)
                if loadedRevision != state.revision {
                    state.scopes.removeAll()
                    state.chainMemories.removeAll()
                    state.revision = loadedRevision
                }
                state.scopes[scope] = index
            }
            return try body(&state.scopes[scope]!)
        }
    }

    /// Applies a committed write to the loaded indexes, or drops them if they are not at the
    /// revision just before it.
    func applyToIndex(revision: Int64, _ change: (inout IndexState) -> Void) {
        state.withLock { state in
            if state.revision == revision - 1 {
                change(&state)
                state.revision = revision
            } else {
                state.scopes.removeAll()
                state.chainMemories.removeAll()
                state.revision = -1
            }
        }
    }

    /// Builds a scope's index from the database, with the revision it reflects.
    private func loadScope(_ scope: String) throws -> (ScopeIndex, Int64) {
        let dimension = embedder.dimension
        return try readTransaction { db in
            var index = ScopeIndex(dimension: dimension)
            let revision = try Self.currentRevision(db)
            let cueCount = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM cue JOIN memory ON memory.id = cue.memory_id WHERE memory.scope = ? AND cue.kind != 2
                """, arguments: [scope]) ?? 0
            index.retriever.reserveCapacity(cueCount)
            let cues = try Row.fetchCursor(db, sql: """
                SELECT cue.id, cue.memory_id, cue.embedding, cue.kind FROM cue JOIN memory ON memory.id = cue.memory_id
                WHERE memory.scope = ? ORDER BY cue.id
                """, arguments: [scope])
            while let row = try cues.next() {
                let cue: Int = row[0], memory: MemoryID = row[1], blob: Data = row[2]
                guard let embedding = BlobCoding.floats(blob, expected: dimension) else {
                    throw MemoryError.incompatibleStore(path: self.path, reason: "cue \(cue) has a malformed embedding")
                }
                if row[3] == CueKind.clause.rawValue {
                    try index.addClause(id: cue, memory: memory, embedding: embedding)
                } else {
                    try index.addCue(id: cue, memory: memory, embedding: embedding)
                }
            }
            let texts = try Row.fetchCursor(db, sql: "SELECT id, text, session FROM memory WHERE scope = ?", arguments: [scope])
            while let row = try texts.next() { index.addText(row[1], session: row[2], of: row[0]) }
            let edges = try Row.fetchCursor(db, sql: """
                SELECT source_id, target_id, kind, weight FROM edge JOIN memory ON memory.id = edge.source_id
                WHERE memory.scope = ?
                """, arguments: [scope])
            while let row = try edges.next() {
                switch EdgeKind(rawValue: row[2]) {
                case .supersedes?: index.addSupersession(newer: row[0], older: row[1])
                case let kind?: index.addEdge(row[0], row[1], kind: kind, weight: Float(row[3] as Double))
                case nil: continue
                }
            }
            let neighbourhoods = try Row.fetchCursor(db, sql: """
                SELECT memory_id, similarities FROM neighbourhood JOIN memory ON memory.id = neighbourhood.memory_id
                WHERE memory.scope = ?
                """, arguments: [scope])
            while let row = try neighbourhoods.next() {
                let memory: MemoryID = row[0], blob: Data = row[1]
                if let value = BlobCoding.floats(blob).flatMap(ScopeIndex.hubness(of:)) { index.hubness[memory] = value }
            }
            let entities = try Row.fetchCursor(db, sql: """
                SELECT memory_id, name FROM entity JOIN memory ON memory.id = entity.memory_id
                WHERE memory.scope = ? ORDER BY memory_id
                """, arguments: [scope])
            var current: MemoryID?
            var names: [String] = []
            while let row = try entities.next() {
                let memory: MemoryID = row[0]
                if memory != current, let previous = current {
                    index.addEntities(names, of: previous)
                    names.removeAll()
                }
                current = memory
                names.append(row[1])
            }
            if let current { index.addEntities(names, of: current) }
            return (index, revision)
        }
    }
}
