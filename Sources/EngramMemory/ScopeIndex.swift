import EngramAssociative

/// The in-memory index of one scope, rebuilt from the database when the scope is first recalled
/// and kept in step with every write after that.
///
/// It holds what recall must reach without a database round trip: the cue embeddings (in a
/// ``HopfieldRetriever``, keyed by cue id), which memory each cue belongs to, the association
/// edges as adjacency lists, and the entity postings. Memory text and metadata stay in SQLite and
/// are read only for the hits.
struct ScopeIndex: Sendable {
    /// One association of a memory with another, as recall's spreading stage follows it.
    struct Neighbour: Sendable, Equatable {
        var memory: MemoryID
        var kind: EdgeKind
        var weight: Float
    }

    var retriever: HopfieldRetriever
    /// The clause cues of short multi-clause memories: scored for candidates only, never scanned.
    var clauses: HopfieldRetriever
    var clausesOfMemory: [MemoryID: [Int]] = [:]
    var lexical = LexicalIndex()
    /// Session names interned to small integers, and each memory's session.
    var sessionNumbers: [String: Int32] = [:]
    var sessionOfMemory: [MemoryID: Int32] = [:]
    var memoryOfCue: [Int: MemoryID] = [:]
    var cuesOfMemory: [MemoryID: [Int]] = [:]
    var neighbours: [MemoryID: [Neighbour]] = [:]
    /// Entity names interned to small integers, the entities of each memory, and the memories of
    /// each entity.
    var entityNumbers: [String: Int32] = [:]
    var entitiesOfMemory: [MemoryID: [Int32]] = [:]
    var memoriesOfEntity: [[MemoryID]] = []
    /// Knowledge updates: for each superseded memory the memories that supersede it, and the
    /// reverse (see ``MemoryStore/linkSupersessions``).
    var newerVersions: [MemoryID: [MemoryID]] = [:]
    var olderVersions: [MemoryID: [MemoryID]] = [:]
    /// Each memory's hubness: the mean whole-text cosine with its nearest memories of the scope
    /// (CSLS, Conneau et al. 2018). Generic memories (greetings, small talk) are near many others
    /// and near many queries; recall discounts them by it.
    var hubness: [MemoryID: Float] = [:]
    /// The scope's memories in a stable order, from which recall samples the distribution of its
    /// evidence (``Fusion``), and each one's position in it (kept by ``addCue(id:memory:embedding:)``
    /// and ``removeMemory(_:text:keepingEdges:)``).
    var members: [MemoryID] = []
    var positionOfMember: [MemoryID: Int] = [:]

    /// Neighbours whose similarities make a memory's hubness.
    static let hubNeighbours = 10

    init(dimension: Int) {
        // Two-stage settings as measured in `engram bench associative` (β = 20, one step). The
        // cues are kept as 8-bit codes only (a quarter of float32's memory; cosines within about
        // 0.001 of float32's, which left the recall suites unchanged: BENCHMARKS.md); the
        // float32 embeddings stay in the back end. Force-try is safe: the parameters are
        // constants within their ranges.
        retriever = try! HopfieldRetriever(dimension: dimension, beta: 20, steps: 1, candidates: 20, precision: .int8)
        clauses = try! HopfieldRetriever(dimension: dimension, candidates: nil, precision: .int8)
    }

    var memoryCount: Int { cuesOfMemory.count }

    /// An estimate of the heap memory the index holds, in bytes (arrays by capacity with a
    /// 32-byte header, tables taken as ~75% full).
    var approximateByteCount: Int {
        func table<K, V>(_ d: [K: V]) -> Int { d.capacity * (MemoryLayout<K>.stride + MemoryLayout<V>.stride) * 4 / 3 }
        var bytes = retriever.approximateByteCount + clauses.approximateByteCount + table(clausesOfMemory) + lexical.approximateByteCount + table(memoryOfCue) + table(cuesOfMemory)
            + table(neighbours) + table(entitiesOfMemory) + table(entityNumbers) + table(sessionOfMemory) + table(sessionNumbers)
        for cues in cuesOfMemory.values { bytes += 32 + cues.capacity * MemoryLayout<Int>.stride }
        for cues in clausesOfMemory.values { bytes += 32 + cues.capacity * MemoryLayout<Int>.stride }
        for list in neighbours.values { bytes += 32 + list.capacity * MemoryLayout<Neighbour>.stride }
        bytes += table(newerVersions) + table(olderVersions) + (newerVersions.count + olderVersions.count) * 40
        bytes += table(hubness) + table(positionOfMember) + members.capacity * MemoryLayout<MemoryID>.stride
        for numbers in entitiesOfMemory.values { bytes += 32 + numbers.capacity * MemoryLayout<Int32>.stride }
        for members in memoriesOfEntity { bytes += 32 + members.capacity * MemoryLayout<MemoryID>.stride }
        for name in entityNumbers.keys where name.utf8.count > 15 { bytes += name.utf8.count + 32 }
        return bytes
    }

    mutating func addText(_ text: String, session: String?, of memory: MemoryID) {
        lexical.add(memory, text: text)
        if let session {
            let number: Int32
            if let existing = sessionNumbers[session] {
                number = existing
            } else {
                number = Int32(sessionNumbers.count)
                sessionNumbers[session] = number
            }
            sessionOfMemory[memory] = number
        }
    }

    mutating func addCue(id: Int, memory: MemoryID, embedding: [Float]) throws {
        try retriever.add(embedding, key: id)
        memoryOfCue[id] = memory
        if cuesOfMemory[memory] == nil {
            positionOfMember[memory] = members.count
            members.append(memory)
        }
        cuesOfMemory[memory, default: []].append(id)
    }

    mutating func addClause(id: Int, memory: MemoryID, embedding: [Float]) throws {
        try clauses.add(embedding, key: id)
        clausesOfMemory[memory, default: []].append(id)
    }

    /// The mean hubness of the memories that have one (0 when none has): what a memory without a
    /// neighbourhood row (stored before the store recorded them) is taken to have.
    var meanHubness: Float {
        hubness.isEmpty ? 0 : hubness.values.reduce(0, +) / Float(hubness.count)
    }

    /// The mean of `similarities`, the memory's hubness.
    static func hubness(of similarities: [Float]) -> Float? {
        similarities.isEmpty ? nil : similarities.reduce(0, +) / Float(similarities.count)
    }

    mutating func addEdge(_ a: MemoryID, _ b: MemoryID, kind: EdgeKind, weight: Float) {
        for (from, to) in [(a, b), (b, a)] {
            var list = neighbours[from, default: []]
            if let i = list.firstIndex(where: { $0.memory == to && $0.kind == kind }) {
                list[i].weight = weight
            } else {
                list.append(Neighbour(memory: to, kind: kind, weight: weight))
            }
            neighbours[from] = list
        }
    }

    mutating func addSupersession(newer: MemoryID, older: MemoryID) {
        if newerVersions[older]?.contains(newer) != true { newerVersions[older, default: []].append(newer) }
        if olderVersions[newer]?.contains(older) != true { olderVersions[newer, default: []].append(older) }
    }

    mutating func addEntities(_ names: [String], of memory: MemoryID) {
        var numbers: [Int32] = []
        for name in names {
            let number: Int32
            if let existing = entityNumbers[name] {
                number = existing
            } else {
                number = Int32(memoriesOfEntity.count)
                entityNumbers[name] = number
                memoriesOfEntity.append([])
            }
            memoriesOfEntity[Int(number)].append(memory)
            numbers.append(number)
        }
        if !numbers.isEmpty { entitiesOfMemory[memory, default: []].append(contentsOf: numbers) }
    }

    /// Removes the memory's cues, terms (of its `text`; `nil` when it is no longer known, which
    /// searches every term) and entities; with `keepingEdges` false also its edges (a forget),
    /// true when only its text changes (an update keeps its neighbours).
    mutating func removeMemory(_ memory: MemoryID, text: String?, keepingEdges: Bool = false) {
        if let text { lexical.remove(memory, text: text) } else { lexical.remove(memory) }
        sessionOfMemory[memory] = nil
        if let position = positionOfMember.removeValue(forKey: memory) {
            let last = members.removeLast()
            if position < members.count {
                members[position] = last
                positionOfMember[last] = position
            }
        }
        for cue in cuesOfMemory.removeValue(forKey: memory) ?? [] {
            retriever.remove(cue)
            memoryOfCue[cue] = nil
        }
        for clause in clausesOfMemory.removeValue(forKey: memory) ?? [] { clauses.remove(clause) }
        for number in entitiesOfMemory.removeValue(forKey: memory) ?? [] {
            memoriesOfEntity[Int(number)].removeAll { $0 == memory }
        }
        guard !keepingEdges else { return }
        hubness[memory] = nil
        for newer in newerVersions.removeValue(forKey: memory) ?? [] {
            olderVersions[newer]?.removeAll { $0 == memory }
            if olderVersions[newer]?.isEmpty == true { olderVersions[newer] = nil }
        }
        for older in olderVersions.removeValue(forKey: memory) ?? [] {
            newerVersions[older]?.removeAll { $0 == memory }
            if newerVersions[older]?.isEmpty == true { newerVersions[older] = nil }
        }
        for neighbour in neighbours.removeValue(forKey: memory) ?? [] {
            neighbours[neighbour.memory]?.removeAll { $0.memory == memory }
            if neighbours[neighbour.memory]?.isEmpty == true { neighbours[neighbour.memory] = nil }
        }
    }

    /// The other memories that share an entity with `memory`, each with the number of memories
    /// of the rarest entity they share (smaller is more specific); entities found in more than
    /// `maximumFanout` memories are skipped as too common to associate anything.
    func entityNeighbours(of memory: MemoryID, maximumFanout: Int) -> [MemoryID: Int] {
        var result: [MemoryID: Int] = [:]
        for number in entitiesOfMemory[memory] ?? [] {
            let members = memoriesOfEntity[Int(number)]
            guard members.count <= maximumFanout else { continue }
            for other in members where other != memory {
                result[other] = min(result[other] ?? .max, members.count)
            }
        }
        return result
    }
}

/// What a row of the `cue` table is (its `kind` column).
enum CueKind: Int, Sendable {
    /// The embedding of the whole text (every memory has one, its first cue).
    case whole = 0
    /// A passage of a long text (``CueExtraction/passages(of:)``).
    case passage = 1
    /// A clause of a short text (``CueExtraction/clauses(of:)``); no fly-hash code.
    case clause = 2
}

/// Why two memories are associated.
enum EdgeKind: Int, Sendable, Hashable {
    /// Consecutive memories of one session (by time).
    case temporal = 0
    /// Memories returned together by a reinforcing recall.
    case coRecall = 1
    /// A later version of the same subject (`source_id`) and the earlier one it supersedes
    /// (`target_id`): directed, unlike the others, and not followed by spreading.
    case supersedes = 2
}
