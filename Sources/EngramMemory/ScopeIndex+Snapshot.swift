import EngramAssociative
import Foundation

/// A scope index as bytes, which the back end keeps beside the scope (with the revision it
/// reflects) so that opening a store restores the index instead of rebuilding it: rebuilding
/// re-reads every cue embedding, quantises it, and tokenises every text (about 0.4 s for 20,000
/// memories), while a snapshot is one read and a few array copies.
///
/// Layout (``SnapshotWriter``): a header (magic, format, dimension), then the cue and clause codes,
/// the members with their cues, the clauses of each memory, the lexical index, sessions, edges,
/// entities, versions and hubness. Every index that later subscripts an array is checked when a
/// snapshot is read, so a damaged one is refused (and the index rebuilt) rather than trusted.
extension ScopeIndex {
    /// "EIDX": also tells a snapshot written on a host of the other byte order, which is refused.
    static let snapshotMagic: UInt32 = 0x4549_4458
    static let snapshotFormat: UInt32 = 1

    func snapshot() -> Data {
        var w = SnapshotWriter()
        w.write(Self.snapshotMagic)
        w.write(Self.snapshotFormat)
        w.write(UInt32(retriever.dimension))
        for codes in [retriever.storedCodes, clauses.storedCodes] {
            w.write(codes.keys.map(Int64.init))
            w.write(codes.bytes)
            w.write(codes.scales)
            w.write(codes.errors)
        }
        w.write(members)
        Self.write(members.map { (cuesOfMemory[$0] ?? []).map(Int64.init) }, to: &w)
        let clauseOwners = Array(clausesOfMemory.keys)
        w.write(clauseOwners)
        Self.write(clauseOwners.map { clausesOfMemory[$0]!.map(Int64.init) }, to: &w)

        w.write(lexical.memoryOfSlot)
        w.write(lexical.lengthOfSlot)
        w.write(lexical.freeSlots)
        w.write(Int64(lexical.totalLength))
        let terms = Array(lexical.postings.keys)
        w.write(terms)
        let postings = terms.map { lexical.postings[$0]! }
        Self.write(postings.map { $0.map(\.slot) }, to: &w)
        w.write(postings.flatMap { $0.map(\.count) })

        w.write(Self.namesInNumberOrder(sessionNumbers))
        w.write(Array(sessionOfMemory.keys))
        w.write(Array(sessionOfMemory.values))

        let linked = Array(neighbours.keys)
        w.write(linked)
        let lists = linked.map { neighbours[$0]! }
        Self.write(lists.map { $0.map(\.memory) }, to: &w)
        w.write(lists.flatMap { $0.map { UInt8($0.kind.rawValue) } })
        w.write(lists.flatMap { $0.map(\.weight) })

        w.write(Self.namesInNumberOrder(entityNumbers))
        Self.write(memoriesOfEntity, to: &w)
        let mentioning = Array(entitiesOfMemory.keys)
        w.write(mentioning)
        Self.write(mentioning.map { entitiesOfMemory[$0]! }, to: &w)

        for versions in [newerVersions, olderVersions] {
            let keys = Array(versions.keys)
            w.write(keys)
            Self.write(keys.map { versions[$0]! }, to: &w)
        }
        w.write(Array(hubness.keys))
        w.write(Array(hubness.values))
        return w.data
    }

    /// The index a ``snapshot()`` holds.
    /// - Throws: ``SnapshotReader/Malformed`` when the bytes are not a snapshot of this format and
    ///   dimension, or do not hang together.
    init(snapshot data: Data, dimension: Int) throws {
        var r = SnapshotReader(data)
        func check(_ condition: Bool, _ what: @autoclosure () -> String) throws {
            if !condition { throw SnapshotReader.Malformed(description: what()) }
        }
        try check(try r.read(UInt32.self) == Self.snapshotMagic, "it does not start with the snapshot magic")
        let format = try r.read(UInt32.self)
        try check(format == Self.snapshotFormat, "its format is \(format), not \(Self.snapshotFormat)")
        let stored = try r.read(UInt32.self)
        try check(Int(stored) == dimension, "its dimension is \(stored), not \(dimension)")
        self.init(dimension: dimension)
        func codes() throws -> HopfieldRetriever.Codes {
            HopfieldRetriever.Codes(keys: try r.readArray(Int64.self).map(Int.init), bytes: try r.readArray(UInt8.self),
                                    scales: try r.readFloats(), errors: try r.readFloats())
        }
        do {
            retriever = try HopfieldRetriever(dimension: dimension, beta: retriever.beta, steps: retriever.steps,
                                              candidates: retriever.candidates, codes: try codes())
            clauses = try HopfieldRetriever(dimension: dimension, beta: clauses.beta, steps: clauses.steps,
                                            candidates: clauses.candidates, codes: try codes())
        } catch let error as AssociativeError {
            throw SnapshotReader.Malformed(description: "its codes are invalid: \(error)")
        }

        members = try r.readArray(MemoryID.self)
        let cueLists = try Self.readLists(Int64.self, count: members.count, from: &r)
        for (position, (memory, cues)) in zip(members, cueLists).enumerated() {
            try check(!cues.isEmpty && positionOfMember.updateValue(position, forKey: memory) == nil, "member \(memory) is listed twice or without cues")
            cuesOfMemory[memory] = cues.map(Int.init)
            for cue in cues {
                try check(retriever.contains(Int(cue)) && memoryOfCue.updateValue(memory, forKey: Int(cue)) == nil, "cue \(cue) is not stored once")
            }
        }
        try check(memoryOfCue.count == retriever.count, "some stored cues belong to no member")
        let clauseOwners = try r.readArray(MemoryID.self)
        for (memory, ids) in zip(clauseOwners, try Self.readLists(Int64.self, count: clauseOwners.count, from: &r)) {
            try check(ids.allSatisfy { clauses.contains(Int($0)) }, "a clause of \(memory) is not stored")
            clausesOfMemory[memory] = ids.map(Int.init)
        }

        lexical.memoryOfSlot = try r.readArray(MemoryID.self)
        lexical.lengthOfSlot = try r.readArray(Int32.self)
        lexical.freeSlots = try r.readArray(Int32.self)
        lexical.totalLength = Int(try r.read(Int64.self))
        let slots = lexical.memoryOfSlot.count
        try check(lexical.lengthOfSlot.count == slots && lexical.freeSlots.allSatisfy { $0 >= 0 && Int($0) < slots },
                  "its lexical slots do not hang together")
        let free = Set(lexical.freeSlots)
        for (slot, memory) in lexical.memoryOfSlot.enumerated() where !free.contains(Int32(slot)) {
            lexical.slotOfMemory[memory] = Int32(slot)
        }
        let terms = try r.readStrings()
        let postingSlots = try Self.readLists(Int32.self, count: terms.count, from: &r)
        let postingCounts = try r.readArray(Int32.self)
        try check(postingCounts.count == postingSlots.reduce(0) { $0 + $1.count }, "its posting counts do not match its postings")
        var next = 0
        for (term, list) in zip(terms, postingSlots) {
            try check(list.allSatisfy { $0 >= 0 && Int($0) < slots }, "a posting of \"\(term)\" names no slot")
            lexical.postings[term] = list.map { slot in
                defer { next += 1 }
                return LexicalIndex.Posting(slot: slot, count: postingCounts[next])
            }
        }

        let sessionNames = try r.readStrings()
        for (number, name) in sessionNames.enumerated() { sessionNumbers[name] = Int32(number) }
        let sessionMembers = try r.readArray(MemoryID.self), sessions = try r.readArray(Int32.self)
        try check(sessionMembers.count == sessions.count && sessions.allSatisfy { $0 >= 0 && Int($0) < sessionNames.count },
                  "its sessions do not hang together")
        sessionOfMemory = Dictionary(zip(sessionMembers, sessions)) { a, _ in a }

        let linked = try r.readArray(MemoryID.self)
        let targets = try Self.readLists(MemoryID.self, count: linked.count, from: &r)
        let kinds = try r.readArray(UInt8.self), weights = try r.readFloats()
        try check(kinds.count == weights.count && kinds.count == targets.reduce(0) { $0 + $1.count }, "its edges do not hang together")
        next = 0
        for (memory, list) in zip(linked, targets) {
            neighbours[memory] = try list.map { target in
                defer { next += 1 }
                guard let kind = EdgeKind(rawValue: Int(kinds[next])) else { throw SnapshotReader.Malformed(description: "an edge has kind \(kinds[next])") }
                return Neighbour(memory: target, kind: kind, weight: weights[next])
            }
        }

        let entityNames = try r.readStrings()
        for (number, name) in entityNames.enumerated() { entityNumbers[name] = Int32(number) }
        memoriesOfEntity = try Self.readLists(MemoryID.self, count: entityNames.count, from: &r)
        let mentioning = try r.readArray(MemoryID.self)
        for (memory, numbers) in zip(mentioning, try Self.readLists(Int32.self, count: mentioning.count, from: &r)) {
            try check(numbers.allSatisfy { $0 >= 0 && Int($0) < entityNames.count }, "an entity of \(memory) is not named")
            entitiesOfMemory[memory] = numbers
        }

        for older in [false, true] {
            let keys = try r.readArray(MemoryID.self)
            let lists = try Self.readLists(MemoryID.self, count: keys.count, from: &r)
            let versions = Dictionary(zip(keys, lists)) { a, _ in a }
            if older { olderVersions = versions } else { newerVersions = versions }
        }
        let hubMembers = try r.readArray(MemoryID.self), values = try r.readFloats()
        try check(hubMembers.count == values.count, "its hubness values do not match their memories")
        hubness = Dictionary(zip(hubMembers, values)) { a, _ in a }
        try check(r.isAtEnd, "it has bytes after its end")
    }

    /// Lists as their lengths, then their elements joined.
    private static func write<T: FixedWidthInteger>(_ lists: [[T]], to w: inout SnapshotWriter) {
        w.write(lists.map { UInt32($0.count) })
        w.write(lists.flatMap { $0 })
    }

    private static func readLists<T: FixedWidthInteger>(_: T.Type, count: Int, from r: inout SnapshotReader) throws -> [[T]] {
        let lengths = try r.readArray(UInt32.self)
        let elements = try r.readArray(T.self)
        guard lengths.count == count, lengths.reduce(0, { $0 + Int($1) }) == elements.count else {
            throw SnapshotReader.Malformed(description: "a list of lists does not hang together")
        }
        var lists: [[T]] = []
        lists.reserveCapacity(count)
        var start = 0
        for length in lengths {
            lists.append(Array(elements[start ..< start + Int(length)]))
            start += Int(length)
        }
        return lists
    }

    /// The names of an interning table, each at its number.
    private static func namesInNumberOrder(_ numbers: [String: Int32]) -> [String] {
        var names = [String](repeating: "", count: numbers.count)
        for (name, number) in numbers { names[Int(number)] = name }
        return names
    }
}
