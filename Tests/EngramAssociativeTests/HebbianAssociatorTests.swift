import EngramKernels
import Foundation
import Testing
@testable import EngramAssociative

/// A random code with `k` distinct active units among `m`.
private func randomCode(_ m: Int, _ k: Int, _ generator: inout SeededGenerator) -> SparseCode {
    var units = Set<Int>()
    while units.count < k { units.insert(Int(generator.next() % UInt64(m))) }
    // Safe: the units are distinct, sorted and in range by construction.
    return try! SparseCode(active: units.sorted(), unitCount: m)
}

private func code(_ active: [Int], _ m: Int) throws -> SparseCode {
    try SparseCode(active: active, unitCount: m)
}

/// The dense `m × m` count matrix the sparse memory stands for, `w[i][j]`.
private struct DenseReference {
    var w: [[Int]]
    init(_ m: Int) { w = [[Int]](repeating: [Int](repeating: 0, count: m), count: m) }

    mutating func store(_ cue: SparseCode, _ target: SparseCode, _ delta: Int = 1) {
        for i in target.active { for j in cue.active { w[i][j] += delta } }
    }

    func input(_ cue: SparseCode, limit: Int?, divide: Bool) -> [Float] {
        w.map { row in
            let sum = cue.active.reduce(0) { $0 + min(row[$1], limit ?? Int.max) }
            return divide ? Float(sum) / Float(cue.active.count) : Float(sum)
        }
    }

    /// Top-k by input, lower index first among ties, zero inputs never fire, ascending order.
    func recall(_ cue: SparseCode, k: Int, limit: Int?) -> [Int] {
        let input = self.input(cue, limit: limit, divide: false)
        let order = input.indices.filter { input[$0] > 0 }.sorted { input[$0] > input[$1] || (input[$0] == input[$1] && $0 < $1) }
        return Array(order.prefix(k)).sorted()
    }
}

@Suite("HebbianAssociator")
struct HebbianAssociatorTests {
    /// Every nonzero weight, recall score and recall of the sparse memory against the dense matrix.
    private func expectMatches(_ memory: HebbianAssociator, _ reference: DenseReference, cues: [SparseCode]) throws {
        let m = memory.unitCount
        let dense = (0..<m).map { i in (0..<m).map { j in memory.weight(fromCueUnit: j, toTargetUnit: i) } }
        #expect(dense == reference.w)
        #expect(memory.synapseCount == reference.w.joined().filter { $0 != 0 }.count)
        guard !memory.isEmpty else { return }
        for options in [HebbianAssociator.Options.counts, .binary, try .init(normalization: .cueSize)] {
            var copy = memory
            copy.options = options
            for cue in cues {
                let expected = reference.input(cue, limit: options.weightLimit, divide: options.normalization == .cueSize)
                #expect(try copy.input(for: cue) == expected)
                for k in [1, 3, 8, m] {
                    #expect(try copy.recall(cue, k: k).active == reference.recall(cue, k: k, limit: options.weightLimit))
                }
            }
        }
    }

    /// m = 64 makes recall take the dense scan; m = 512 (few units reached) the reached-list path.
    @Test("sparse W equals a dense reference through stores and removes", arguments: [64, 512])
    func denseReference(m: Int) throws {
        var generator = SeededGenerator(seed: UInt64(m))
        var memory = try HebbianAssociator(unitCount: m)
        var reference = DenseReference(m)
        var stored: [(SparseCode, SparseCode)] = []
        for _ in 0..<40 {
            let cue = randomCode(m, 2 + Int(generator.next() % 6), &generator)
            let target = randomCode(m, 2 + Int(generator.next() % 6), &generator)
            try memory.store(cue: cue, target: target)
            reference.store(cue, target)
            stored.append((cue, target))
        }
        // Some pairs twice, so counts exceed 1.
        for (cue, target) in stored.prefix(5) {
            try memory.store(cue: cue, target: target)
            reference.store(cue, target)
        }
        #expect(memory.pairCount == 45)
        #expect(memory.distinctPairCount == 40)
        let cues = (0..<10).map { _ in randomCode(m, 5, &generator) } + stored.prefix(5).map(\.0)
        try expectMatches(memory, reference, cues: cues)

        for (cue, target) in stored.suffix(25) {
            #expect(try memory.remove(cue: cue, target: target))
            reference.store(cue, target, -1)
        }
        #expect(memory.pairCount == 20)
        try expectMatches(memory, reference, cues: cues)

        for (cue, target) in stored.prefix(15) {
            #expect(try memory.remove(cue: cue, target: target))
            reference.store(cue, target, -1)
        }
        for (cue, target) in stored.prefix(5) {
            #expect(try memory.remove(cue: cue, target: target))
            reference.store(cue, target, -1)
        }
        #expect(memory.isEmpty && memory.synapseCount == 0)
        try expectMatches(memory, reference, cues: cues)
        #expect(memory == (try HebbianAssociator(unitCount: m)))
    }

    @Test("a single stored pair recalls its target, with inputs")
    func singlePair() throws {
        let m = 128
        let cue = try code([1, 5, 9, 100], m), target = try code([0, 7, 64, 127], m)
        var memory = try HebbianAssociator(unitCount: m)
        try memory.store(cue: cue, target: target)
        #expect(try memory.recall(cue, k: 4) == target)
        #expect(try memory.recall(cue, k: 10) == target)  // only reached units fire
        #expect(try memory.recall(cue, k: 2).active == [0, 7])  // ties: lower units first
        #expect(try memory.recallRanked(cue, k: 4) == [0, 7, 64, 127].map { .init(unit: $0, input: 4) })
        // A partial cue still recalls the target; an unrelated cue recalls nothing.
        #expect(try memory.recall(try code([5, 9], m), k: 4) == target)
        #expect(try memory.recall(try code([2, 3], m), k: 4).active.isEmpty)
        #expect(try memory.recall(try code([], m), k: 4).active.isEmpty)
        #expect(memory.synapseCount == 16)
        #expect(memory.storedCount(cue: cue, target: target) == 1)
        #expect(memory.storedCount(cue: target, target: cue) == 0)
        #expect(memory.approximateByteCount > 16 * 8)
    }

    @Test("10 chains of 6 hops recalled exactly among 300 pairs (m = 2,048, k = 16)")
    func chains() throws {
        let m = 2048, k = 16, hops = 6
        var generator = SeededGenerator(seed: 42)
        var memory = try HebbianAssociator(unitCount: m)
        var book = try ItemCodebook(unitCount: m)
        var chains: [[SparseCode]] = []
        var nextKey = 0
        for _ in 0..<10 {
            let items = (0...hops).map { _ in randomCode(m, k, &generator) }
            for item in items {
                try book.add(item, key: nextKey)
                nextKey += 1
            }
            for hop in 0..<hops { try memory.store(cue: items[hop], target: items[hop + 1]) }
            chains.append(items)
        }
        for _ in 0..<240 {  // distractor pairs
            let cue = randomCode(m, k, &generator), target = randomCode(m, k, &generator)
            try memory.store(cue: cue, target: target)
            try book.add(target, key: nextKey)
            nextKey += 1
        }
        #expect(memory.pairCount == 300)

        for (index, items) in chains.enumerated() {
            let path = try memory.chain(from: items[0], hops: hops, k: k)
            #expect(path == Array(items.dropFirst()), "chain \(index)")
            for (hop, recalled) in path.enumerated() {
                let hit = try book.nearest(recalled).first
                #expect(hit?.key == index * (hops + 1) + hop + 1, "chain \(index), hop \(hop + 1)")
                #expect(hit?.score == Float(k))
            }
        }
        // Recall from a noisy cue (half of its units replaced) still lands on the right item.
        let items = chains[0]
        let noisy = try code(Array(Set(items[0].active.prefix(8) + randomCode(m, 8, &generator).active)).sorted(), m)
        let path = try memory.chain(from: noisy, hops: hops, k: k)
        #expect(try book.nearest(path[hops - 1]).first?.key == hops)

        // A reusable workspace gives the same answers.
        var workspace = HebbianAssociator.Workspace()
        for items in chains { #expect(try memory.recall(items[0], k: k, workspace: &workspace) == items[1]) }
    }

    @Test("clipping: raw counts, binary weights and the Willshaw threshold")
    func clipping() throws {
        let m = 32
        let a = try code([0, 1, 2, 3], m), b = try code([10, 11], m), c = try code([20, 21], m)
        var memory = try HebbianAssociator(unitCount: m)
        for _ in 0..<3 { try memory.store(cue: a, target: b) }           // strong pair
        try memory.store(cue: try code([0, 1, 2, 3, 4], m), target: c)   // c reached by all of a, once
        #expect(memory.weight(fromCueUnit: 0, toTargetUnit: 10) == 3)

        // Raw counts: b's input 12 beats c's 4.
        #expect(try memory.recallRanked(a, k: 4).map(\.input) == [12, 12, 4, 4])
        #expect(try memory.recall(a, k: 2) == b)

        // Binary weights: b and c are both reached by 4 cue units; the tie goes to lower units.
        memory.options = .binary
        #expect(memory.weight(fromCueUnit: 0, toTargetUnit: 10) == 3)  // counts are kept
        #expect(try memory.input(for: a)[10] == 4)
        #expect(try memory.recallRanked(a, k: 4).map(\.input) == [4, 4, 4, 4])
        #expect(try memory.recall(a, k: 2) == b)

        // Willshaw: normalised input 1 only for units reached by every cue unit.
        memory.options = .willshaw
        let partial = try code([0, 1, 5], m)  // unit 5 reaches nothing
        #expect(try memory.input(for: partial)[10] == Float(2) / 3)
        #expect(try memory.recall(partial, k: 4).active.isEmpty)
        #expect(try memory.recall(a, k: 4).active == [10, 11, 20, 21])
        #expect(try memory.recall(try code([0, 4], m), k: 4) == c)

        // A lower threshold lets partially reached units fire.
        memory.options = try .init(weightLimit: 1, normalization: .cueSize, threshold: 0.5)
        #expect(try memory.recall(partial, k: 4).active == [10, 11, 20, 21])
        memory.options = try .init(weightLimit: 2, threshold: 5)
        #expect(try memory.input(for: a)[10] == 8)
        #expect(try memory.recall(a, k: 4) == b)
    }

    @Test("counts of 255 and more stay exact (stored beside the packed rows)")
    func largeCounts() throws {
        let m = 40
        var generator = SeededGenerator(seed: 5)
        let a = try code([2, 3, 30], m), b = try code([4, 5, 39], m), c = try code([3, 4, 5, 6], m)
        var memory = try HebbianAssociator(unitCount: m)
        var reference = DenseReference(m)
        for _ in 0..<20 {
            let cue = randomCode(m, 3, &generator), target = randomCode(m, 3, &generator)
            try memory.store(cue: cue, target: target)
            reference.store(cue, target)
        }
        let before = memory
        for round in 1...300 {
            try memory.store(cue: a, target: b)
            reference.store(a, b)
            if round % 2 == 0 {
                try memory.store(cue: a, target: c)
                reference.store(a, c)
            }
        }
        #expect(memory.storedCount(cue: a, target: b) == 300)
        #expect(memory.weight(fromCueUnit: 30, toTargetUnit: 39) == reference.w[39][30])
        try expectMatches(memory, reference, cues: [a, b, c, try code([2, 30], m)])
        memory.options = try .init(weightLimit: 254)
        #expect(try memory.input(for: a) == reference.input(a, limit: 254, divide: false))
        memory.options = try .init(weightLimit: 256)
        #expect(try memory.input(for: a) == reference.input(a, limit: 256, divide: false))
        memory.options = .counts

        let decoded = try JSONDecoder().decode(HebbianAssociator.self, from: JSONEncoder().encode(memory))
        #expect(decoded == memory)

        for round in 1...300 {
            #expect(try memory.remove(cue: a, target: b))
            if round % 2 == 0 { #expect(try memory.remove(cue: a, target: c)) }
        }
        #expect(memory == before)
    }

    @Test("a batch store equals storing the pairs one by one")
    func batchStore() throws {
        let m = 256
        var generator = SeededGenerator(seed: 11)
        var oneByOne = try HebbianAssociator(unitCount: m)
        let first = (0..<30).map { _ in (cue: randomCode(m, 6, &generator), target: randomCode(m, 6, &generator)) }
        for pair in first { try oneByOne.store(cue: pair.cue, target: pair.target) }
        var batched = oneByOne

        var batch = (0..<150).map { _ in (cue: randomCode(m, 6, &generator), target: randomCode(m, 6, &generator)) }
        batch += first.prefix(10)                             // strengthens existing synapses
        batch += Array(repeating: batch[0], count: 300)       // counts past 255
        for pair in batch { try oneByOne.store(cue: pair.cue, target: pair.target) }
        try batched.store(contentsOf: batch)
        #expect(batched == oneByOne)
        #expect(batched.pairCount == 30 + 460)

        // A small batch, and a batch with an invalid pair that changes nothing.
        try batched.store(contentsOf: batch.prefix(3))
        for pair in batch.prefix(3) { try oneByOne.store(cue: pair.cue, target: pair.target) }
        #expect(batched == oneByOne)
        let bad = [batch[0], (cue: try code([1], m + 1), target: batch[0].target)]
        #expect(throws: AssociativeError.dimensionMismatch(expected: m, actual: m + 1)) { try batched.store(contentsOf: bad) }
        #expect(batched == oneByOne)
    }

    @Test("remove restores the previous state exactly; unknown pairs are refused")
    func removeRestores() throws {
        let m = 256
        var generator = SeededGenerator(seed: 9)
        var memory = try HebbianAssociator(unitCount: m)
        let first = (randomCode(m, 8, &generator), randomCode(m, 8, &generator))
        try memory.store(cue: first.0, target: first.1)
        for _ in 0..<49 { try memory.store(cue: randomCode(m, 8, &generator), target: randomCode(m, 8, &generator)) }
        let before = memory
        let extra = (0..<20).map { _ in (randomCode(m, 8, &generator), randomCode(m, 8, &generator)) }
        for (cue, target) in extra { try memory.store(cue: cue, target: target) }
        try memory.store(cue: extra[0].0, target: extra[0].1)
        #expect(memory != before)
        for (cue, target) in extra.reversed() { #expect(try memory.remove(cue: cue, target: target)) }
        #expect(memory.storedCount(cue: extra[0].0, target: extra[0].1) == 1)
        #expect(try memory.remove(cue: extra[0].0, target: extra[0].1))
        #expect(memory == before)

        // Never stored (even when every synapse it would touch exists): refused, nothing changes.
        #expect(try !memory.remove(cue: code(Array(first.0.active.prefix(4)), m), target: first.1))
        #expect(try !memory.remove(cue: extra[1].0, target: extra[1].1))
        #expect(try !memory.remove(cue: extra[0].1, target: extra[0].0))
        #expect(memory == before)

        memory.removeAll()
        #expect(memory == (try HebbianAssociator(unitCount: m)))
    }

    @Test("Codable round trip, and malformed data rejected")
    func codableRoundTrip() throws {
        let m = 512
        var generator = SeededGenerator(seed: 3)
        var memory = try HebbianAssociator(unitCount: m, options: .willshaw)
        var cues: [SparseCode] = []
        for _ in 0..<80 {  // enough for decoding to rebuild by batch
            let cue = randomCode(m, 6, &generator)
            try memory.store(cue: cue, target: randomCode(m, 6, &generator))
            cues.append(cue)
        }
        try memory.store(cue: cues[0], target: cues[1])
        try memory.store(cue: cues[0], target: cues[1])
        let data = try JSONEncoder().encode(memory)
        let decoded = try JSONDecoder().decode(HebbianAssociator.self, from: data)
        #expect(decoded == memory)
        for cue in cues { #expect(try decoded.recall(cue, k: 6) == memory.recall(cue, k: 6)) }
        let sorted = JSONEncoder()
        sorted.outputFormatting = .sortedKeys
        #expect(try sorted.encode(decoded) == sorted.encode(memory))  // canonical pair order

        let empty = try HebbianAssociator(unitCount: 8)
        #expect(try JSONDecoder().decode(HebbianAssociator.self, from: JSONEncoder().encode(empty)) == empty)

        func decode(_ json: String) throws -> HebbianAssociator {
            try JSONDecoder().decode(HebbianAssociator.self, from: Data(json.utf8))
        }
        let options = #""options":{"normalization":"raw"}"#
        #expect(try decode(#"{"unitCount":8,\#(options),"pairs":[{"cue":[1,2],"target":[3],"count":2}]}"#)
            .weight(fromCueUnit: 2, toTargetUnit: 3) == 2)
        for pairs in [#"{"cue":[1,9],"target":[3],"count":1}"#, #"{"cue":[2,1],"target":[3],"count":1}"#,
                      #"{"cue":[],"target":[3],"count":1}"#, #"{"cue":[1],"target":[3],"count":0}"#,
                      #"{"cue":[1],"target":[3],"count":4294967296}"#] {
            #expect(throws: AssociativeError.self) { try decode(#"{"unitCount":8,\#(options),"pairs":[\#(pairs)]}"#) }
        }
        #expect(throws: AssociativeError.self) { try decode(#"{"unitCount":0,\#(options),"pairs":[]}"#) }
        #expect(throws: AssociativeError.self) {
            try decode(#"{"unitCount":8,"options":{"normalization":"raw","weightLimit":0},"pairs":[]}"#)
        }
        #expect(throws: DecodingError.self) { try decode(#"{"unitCount":8,\#(options)}"#) }
    }

    @Test("error cases")
    func errors() throws {
        let m = 16
        let a = try code([1, 2], m), b = try code([3, 4], m), other = try code([1, 2], m + 1)
        #expect(throws: AssociativeError.invalidParameter(name: "unitCount", requirement: "must be in 1...16777216, got 0")) {
            try HebbianAssociator(unitCount: 0)
        }
        #expect(throws: AssociativeError.self) { try HebbianAssociator(unitCount: HebbianAssociator.maximumUnitCount + 1) }
        #expect(throws: AssociativeError.self) { try HebbianAssociator.Options(weightLimit: 0) }
        #expect(throws: AssociativeError.self) { try HebbianAssociator.Options(threshold: .nan) }

        var memory = try HebbianAssociator(unitCount: m)
        // Recall on an empty memory is an error, not an empty answer.
        #expect(throws: AssociativeError.empty) { try memory.recall(a, k: 2) }
        #expect(throws: AssociativeError.empty) { try memory.chain(from: a, hops: 2, k: 2) }
        #expect(throws: AssociativeError.dimensionMismatch(expected: m, actual: m + 1)) { try memory.store(cue: other, target: b) }
        #expect(throws: AssociativeError.dimensionMismatch(expected: m, actual: m + 1)) { try memory.store(cue: a, target: other) }
        #expect(throws: AssociativeError.self) { try memory.store(cue: code([], m), target: b) }
        #expect(memory.isEmpty)

        try memory.store(cue: a, target: b)
        #expect(throws: AssociativeError.dimensionMismatch(expected: m, actual: m + 1)) { try memory.recall(other, k: 2) }
        #expect(throws: AssociativeError.dimensionMismatch(expected: m, actual: m + 1)) { try memory.input(for: other) }
        #expect(throws: AssociativeError.dimensionMismatch(expected: m, actual: m + 1)) { try memory.remove(cue: other, target: b) }
        #expect(throws: AssociativeError.invalidParameter(name: "k", requirement: "must be in 1...\(m), got 0")) {
            try memory.recall(a, k: 0)
        }
        #expect(throws: AssociativeError.invalidParameter(name: "k", requirement: "must be in 1...\(m), got \(m + 1)")) {
            try memory.recall(a, k: m + 1)
        }
        #expect(throws: AssociativeError.invalidParameter(name: "hops", requirement: "must be at least 1, got 0")) {
            try memory.chain(from: a, hops: 0, k: 2)
        }
        #expect(throws: AssociativeError.self) { try memory.chain(from: a, hops: 1, k: m + 1) }
        // A chain that runs out of associations continues with empty codes.
        #expect(try memory.chain(from: a, hops: 3, k: 2) == [b, code([], m), code([], m)])
        #expect(memory.weight(fromCueUnit: -1, toTargetUnit: 3) == 0)
        #expect(memory.weight(fromCueUnit: 1, toTargetUnit: m) == 0)
    }

    @Test("ItemCodebook: nearest by overlap, removal, errors")
    func codebook() throws {
        let m = 64
        var book = try ItemCodebook(unitCount: m)
        #expect(throws: AssociativeError.empty) { try book.nearest(code([1], m)) }
        try book.add(code([1, 2, 3, 4], m), key: 10)
        try book.add(code([3, 4, 5, 6], m), key: 20)
        try book.add(code([5, 6, 7, 8], m), key: 5)
        #expect(throws: AssociativeError.duplicateKey(20)) { try book.add(code([9], m), key: 20) }
        #expect(throws: AssociativeError.dimensionMismatch(expected: m, actual: 8)) { try book.add(code([1], 8), key: 1) }
        #expect(throws: AssociativeError.self) { try book.nearest(code([1], m), count: 0) }

        #expect(try book.nearest(code([1, 2, 3], m)) == [SearchHit(key: 10, score: 3)])
        // Overlap 2 each with 20 and 5: lower key first; 10 shares nothing and is left out.
        #expect(try book.nearest(code([5, 6], m), count: 3) == [SearchHit(key: 5, score: 2), SearchHit(key: 20, score: 2)])
        #expect(try book.nearest(code([60], m), count: 3).isEmpty)

        let removed = book.remove(10), removedAgain = book.remove(10)
        #expect(removed && !removedAgain)
        #expect(book.count == 2 && book.code(for: 10) == nil)
        #expect(try book.code(for: 5) == code([5, 6, 7, 8], m))
        #expect(try book.nearest(code([1, 2, 3], m), count: 3) == [SearchHit(key: 20, score: 1)])
        #expect(try book.nearest(code([7, 8], m)) == [SearchHit(key: 5, score: 2)])
        try book.add(code([1, 2, 3, 4], m), key: 10)
        #expect(try book.nearest(code([1, 2, 3, 4, 5], m), count: 3).map(\.key) == [10, 20, 5])
    }
}
