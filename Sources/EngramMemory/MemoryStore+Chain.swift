import EngramAssociative
import Foundation
import GRDB

/// The Hebbian association memory of one scope: `W += code(next) ⊗ code(previous)` over the
/// fly-hash codes of the whole-text cues, for every temporal edge (earlier → later) and both
/// directions of every co-recall edge, with the codes in an ``ItemCodebook`` for clean-up.
struct ChainMemory: Sendable {
    var associator: HebbianAssociator
    var codebook: ItemCodebook
}

extension MemoryStore {
    /// Follows association chains from a memory: each hop recalls `W·c` with winner-take-all over
    /// the current memory's code and cleans the result up to the stored memory whose code overlaps
    /// it most (skipping memories already on the path).
    ///
    /// - Parameters:
    ///   - id: the memory to start from; it is the path's first step (strength 1).
    ///   - hops: how many hops to follow, 1…64; the path stops early where no association leads on.
    /// - Returns: the path, the start first.
    /// - Throws: ``MemoryError/unknownID(_:)``, ``MemoryError/invalidArgument(name:requirement:)``.
    public func chain(from id: MemoryID, hops: Int) throws -> [ChainStep] {
        guard (1...64).contains(hops) else {
            throw MemoryError.invalidArgument(name: "hops", requirement: "must be in 1...64, got \(hops)")
        }
        let start = try get(id)
        let activeUnits = flyHash.activeUnits
        let path: [(MemoryID, Double)] = try withChainMemory(scope: start.scope) { memory in
            var path: [(MemoryID, Double)] = [(id, 1)]
            var visited: Set<MemoryID> = [id]
            guard var code = memory.codebook.code(for: Int(id)), !memory.associator.isEmpty else { return path }
            for _ in 0..<hops {
                let recalled = try memory.associator.recall(code, k: activeUnits)
                guard recalled.activeCount > 0 else { break }
                let next = try memory.codebook.nearest(recalled, count: 8)
                    .first { !visited.contains(MemoryID($0.key)) }
                guard let next, let nextCode = memory.codebook.code(for: next.key) else { break }
                path.append((MemoryID(next.key), Double(next.score) / Double(activeUnits)))
                visited.insert(MemoryID(next.key))
                code = nextCode
            }
            return path
        }
        let memories = try readTransaction { db in try Self.fetchMemories(path.map(\.0), in: db) }
        return path.compactMap { id, strength in memories[id].map { ChainStep(memory: $0, strength: strength) } }
    }

    /// Follows chains from the memory that best matches `cue` in `scope` (see ``chain(from:hops:)``).
    /// - Returns: an empty path when the scope holds nothing that matches.
    public func chain(fromCue cue: String, scope: String = MemoryStore.defaultScope, hops: Int) throws -> [ChainStep] {
        guard let first = try recall(cue, scope: scope, k: 1).first else { return [] }
        return try chain(from: first.memory.id, hops: hops)
    }

    /// Runs `body` on the scope's chain memory, building it from the database on first use.
    private func withChainMemory<R>(scope: String, _ body: (ChainMemory) throws -> R) throws -> R {
        let units = flyHash.units
        // Brings the loaded state up to the store's revision, which drops stale chain memories.
        try withScopeIndex(scope) { _ in }
        let existing = state.withLock { $0.chainMemories[scope] }
        if let existing { return try body(existing) }
        let memory: ChainMemory = try readTransaction { db in
            var associator = try HebbianAssociator(unitCount: units, options: .binary)
            var codebook = try ItemCodebook(unitCount: units)
            var codes: [MemoryID: SparseCode] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT memory.id, code.units FROM code JOIN cue ON cue.id = code.cue_id
                JOIN memory ON memory.id = cue.memory_id WHERE memory.scope = ? AND cue.kind = 0
                """, arguments: [scope])
            while let row = try rows.next() {
                let id: MemoryID = row[0], blob: Data = row[1]
                guard let active = BlobCoding.units(blob), let code = try? SparseCode(unsortedActive: active, unitCount: units) else {
                    throw MemoryError.incompatibleStore(path: self.path, reason: "memory \(id) has a malformed fly-hash code")
                }
                codes[id] = code
                try codebook.add(code, key: Int(id))
            }
            let edges = try Row.fetchAll(db, sql: """
                SELECT edge.kind, a.id, a.time, b.id, b.time FROM edge
                JOIN memory a ON a.id = edge.source_id JOIN memory b ON b.id = edge.target_id
                WHERE a.scope = ?
                """, arguments: [scope])
            for row in edges {
                let kind: Int = row[0], a: MemoryID = row[1], aTime: Double = row[2], b: MemoryID = row[3], bTime: Double = row[4]
                guard let codeA = codes[a], let codeB = codes[b] else { continue }
                if kind == EdgeKind.temporal.rawValue {
                    let aFirst = aTime < bTime || (aTime == bTime && a < b)
                    try associator.store(cue: aFirst ? codeA : codeB, target: aFirst ? codeB : codeA)
                } else {
                    try associator.store(cue: codeA, target: codeB)
                    try associator.store(cue: codeB, target: codeA)
                }
            }
            return ChainMemory(associator: associator, codebook: codebook)
        }
        state.withLock { $0.chainMemories[scope] = memory }
        return try body(memory)
    }
}
