import EngramAssociative
import Foundation

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
        let memories = try fetchMemories(path.map(\.0))
        return path.compactMap { id, strength in memories[id].map { ChainStep(memory: $0, strength: strength) } }
    }

    /// Follows chains from the memory that best matches `cue` in `scope` (see ``chain(from:hops:)``).
    /// - Returns: an empty path when the scope holds nothing that matches.
    public func chain(fromCue cue: String, scope: String = MemoryStore.defaultScope, hops: Int) throws -> [ChainStep] {
        guard let first = try recall(cue, scope: scope, k: 1).first else { return [] }
        return try chain(from: first.memory.id, hops: hops)
    }

    /// Runs `body` on the scope's chain memory, building it from the back end on first use.
    private func withChainMemory<R>(scope: String, _ body: (ChainMemory) throws -> R) throws -> R {
        // Brings the slot up to the scope's revision, which drops a stale chain memory.
        try withScopeIndex(scope) { _ in }
        let slot = scopeSlots[scope]
        if let existing = slot.withLock({ $0.chainMemory }) { return try body(existing) }
        let memory = try buildChainMemory(scope: scope)
        slot.withLock { $0.chainMemory = memory }
        return try body(memory)
    }

    private func buildChainMemory(scope: String) throws -> ChainMemory {
        let units = flyHash.units
        let path = self.path
        return try backend.read { reader in
            var associator = try HebbianAssociator(unitCount: units, options: .binary)
            var codebook = try ItemCodebook(unitCount: units)
            var codes: [MemoryID: SparseCode] = [:]
            try reader.forEachCode(inScope: scope, cueKind: CueKind.whole.rawValue) { id, blob in
                guard let active = BlobCoding.units(blob), let code = try? SparseCode(unsortedActive: active, unitCount: units) else {
                    throw MemoryError.incompatibleStore(path: path, reason: "memory \(id) has a malformed fly-hash code")
                }
                codes[id] = code
                try codebook.add(code, key: Int(id))
            }
            try reader.forEachEdge(inScope: scope) { edge in
                guard let codeA = codes[edge.source], let codeB = codes[edge.target] else { return }
                if edge.kind == EdgeKind.temporal.rawValue {
                    let aFirst = edge.sourceTime < edge.targetTime || (edge.sourceTime == edge.targetTime && edge.source < edge.target)
                    try associator.store(cue: aFirst ? codeA : codeB, target: aFirst ? codeB : codeA)
                } else {
                    // Co-recall (and a version and the one it supersedes) associate both ways.
                    try associator.store(cue: codeA, target: codeB)
                    try associator.store(cue: codeB, target: codeA)
                }
            }
            return ChainMemory(associator: associator, codebook: codebook)
        }
    }
}
