import EngramAssociative
import EngramKernels

/// Multi-Query Associative Recall (Zoology; Arora et al. 2023) for memories that are not trained:
/// a sequence binds keys to values, then asks for the values of earlier keys.
///
/// Tokens are fixed random embeddings (``Vocabulary``: unit Gaussian vectors drawn from a seed), so
/// memories are compared on their write rules alone. A sequence is a list of ``Write``s (key →
/// value, tagged with its phase; distractor writes are never queried) followed by ``Query``s. A
/// memory answers a query with the nearest value embedding to its read-out `M·k` (the argmax of the
/// cosine over the whole value vocabulary, ``Vocabulary/decode(_:)``).
///
/// Three kinds of sequence:
/// - ``recall(pairs:gap:vocabulary:generator:)``: `pairs` distinct keys bound to random values,
///   `gap` distractor writes, then one query per key (capacity: pairs stored vs state size);
/// - ``continual(phases:pairsPerPhase:gap:vocabulary:generator:)``: pairs arrive in phases, every
///   key of every phase is queried at the end (stability: how well old phases survive);
/// - ``rebinding(phases:pairsPerPhase:rebinds:gap:vocabulary:generator:)``: as continual, but the
///   last phase also rebinds some keys of the first phase to new values, and those keys are
///   queried (plasticity: the newest value must win).
public enum MQARTask {
    /// Why a sequence cannot be made.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The fixed random embeddings of the key and value tokens: unit Gaussian vectors, row-major.
    public struct Vocabulary: Sendable {
        public let keyDimension: Int
        public let valueDimension: Int
        public let keyCount: Int
        public let valueCount: Int
        /// `keyCount × keyDimension`, one unit row per key token.
        public let keys: [Float]
        /// `valueCount × valueDimension`, one unit row per value token.
        public let values: [Float]

        /// Draws the embeddings from `seed`.
        /// - Throws: ``Failure`` unless every count and dimension is at least 1 (and at least 2 value
        ///   tokens, so that a rebinding can change a value).
        public init(keyDimension: Int, valueDimension: Int, keyCount: Int, valueCount: Int, seed: UInt64) throws {
            for (name, value, least) in [("key dimension", keyDimension, 1), ("value dimension", valueDimension, 1),
                                         ("key vocabulary", keyCount, 1), ("value vocabulary", valueCount, 2)] where value < least {
                throw Failure(description: "the \(name) must be at least \(least), got \(value)")
            }
            self.keyDimension = keyDimension
            self.valueDimension = valueDimension
            self.keyCount = keyCount
            self.valueCount = valueCount
            var generator = SeededGenerator(seed: seed)
            keys = AssociativeBenchmark.unitVectors(count: keyCount, dimension: keyDimension, generator: &generator).flatMap { $0 }
            values = AssociativeBenchmark.unitVectors(count: valueCount, dimension: valueDimension, generator: &generator).flatMap { $0 }
        }

        /// The embedding of key token `index`.
        public func key(_ index: Int) -> [Float] { Array(keys[index * keyDimension..<(index + 1) * keyDimension]) }

        /// The embedding of value token `index`.
        public func value(_ index: Int) -> [Float] { Array(values[index * valueDimension..<(index + 1) * valueDimension]) }

        /// The value token whose embedding has the largest cosine with `readout` (the value
        /// embeddings are unit vectors, so the largest dot product); the first such on a tie.
        /// `nil` for a read-out of the wrong length, zero or with a non-finite element: an empty
        /// memory answers nothing.
        public func decode(_ readout: [Float]) -> Int? {
            guard readout.count == valueDimension, readout.allSatisfy(\.isFinite), readout.contains(where: { $0 != 0 }) else {
                return nil
            }
            return Kernels.argmax(Kernels.gemv(values, rows: valueCount, columns: valueDimension, readout))
        }
    }

    /// One write of the sequence: key token → value token.
    public struct Write: Sendable, Equatable {
        public let key: Int
        public let value: Int
        /// The phase the write belongs to (0 for ``recall(pairs:gap:vocabulary:generator:)``).
        public let phase: Int
        /// A write in a gap: stored like any other, never queried.
        public let isDistractor: Bool
    }

    /// One query: the key token asked for and the value token that answers it.
    public struct Query: Sendable, Equatable {
        public let key: Int
        public let value: Int
        /// The phase of the write whose binding is asked for.
        public let phase: Int
    }

    /// The writes, then the queries (read after every write).
    public struct Sequence: Sendable, Equatable {
        public var writes: [Write]
        public var queries: [Query]
    }

    // MARK: - Sequences

    /// `pairs` distinct keys bound to random values, `gap` distractor writes (keys not among the
    /// pairs'), then a query of every key in random order.
    /// - Throws: ``Failure`` for a negative count or a key vocabulary smaller than `pairs + gap`.
    public static func recall(pairs: Int, gap: Int, vocabulary: Vocabulary, generator: inout SeededGenerator) throws -> Sequence {
        try continual(phases: 1, pairsPerPhase: pairs, gap: gap, vocabulary: vocabulary, generator: &generator)
    }

    /// `phases` phases of `pairsPerPhase` pairs each, all keys distinct, each phase followed by
    /// `gap` distractor writes; then a query of every key of every phase, in random order, tagged
    /// with its phase.
    /// - Throws: ``Failure`` for a non-positive phase count, a negative count, or a key vocabulary
    ///   smaller than `phases · (pairsPerPhase + gap)`.
    public static func continual(phases: Int, pairsPerPhase: Int, gap: Int, vocabulary: Vocabulary,
                                 generator: inout SeededGenerator) throws -> Sequence {
        var sequence = try phasedWrites(phases: phases, pairsPerPhase: pairsPerPhase, gap: gap,
                                        vocabulary: vocabulary, generator: &generator)
        sequence.queries = sequence.writes.filter { !$0.isDistractor }.map { Query(key: $0.key, value: $0.value, phase: $0.phase) }
        sequence.queries.shuffle(using: &generator)
        return sequence
    }

    /// As ``continual(phases:pairsPerPhase:gap:vocabulary:generator:)``, except that the last phase
    /// also rebinds `rebinds` keys of the first phase to a new value (another value token than the
    /// old), the rebinding writes shuffled among the last phase's fresh pairs; the queries are the
    /// rebound keys, answered by their newest value.
    /// - Throws: ``Failure`` for fewer than 2 phases, `rebinds` outside `1...pairsPerPhase`, or the
    ///   conditions of ``continual(phases:pairsPerPhase:gap:vocabulary:generator:)``.
    public static func rebinding(phases: Int, pairsPerPhase: Int, rebinds: Int, gap: Int, vocabulary: Vocabulary,
                                 generator: inout SeededGenerator) throws -> Sequence {
        guard phases >= 2 else { throw Failure(description: "rebinding needs at least 2 phases, got \(phases)") }
        guard rebinds >= 1, rebinds <= pairsPerPhase else {
            throw Failure(description: "rebinds must be in 1...\(pairsPerPhase) (the pairs per phase), got \(rebinds)")
        }
        var sequence = try phasedWrites(phases: phases, pairsPerPhase: pairsPerPhase, gap: gap,
                                        vocabulary: vocabulary, generator: &generator)
        let first = sequence.writes.filter { $0.phase == 0 && !$0.isDistractor }
        let last = phases - 1
        var rebindings: [Write] = []
        for old in first.shuffled(using: &generator).prefix(rebinds) {
            // A value token other than the old one, uniformly.
            var value = Int(generator.next(upperBound: UInt64(vocabulary.valueCount - 1)))
            if value >= old.value { value += 1 }
            rebindings.append(Write(key: old.key, value: value, phase: last, isDistractor: false))
        }
        // Shuffle the rebindings among the last phase's fresh pairs (its gap stays at the end).
        guard let start = sequence.writes.firstIndex(where: { $0.phase == last }) else {
            throw Failure(description: "internal: the last phase is empty")
        }
        let end = start + pairsPerPhase
        var lastPhase = Array(sequence.writes[start..<end]) + rebindings
        lastPhase.shuffle(using: &generator)
        sequence.writes.replaceSubrange(start..<end, with: lastPhase)
        sequence.queries = rebindings.map { Query(key: $0.key, value: $0.value, phase: last) }
        return sequence
    }

    /// The writes of `phases` phases (pairs with distinct keys, values uniform over the value
    /// vocabulary, each phase followed by `gap` distractors whose keys are distinct from every other).
    static func phasedWrites(phases: Int, pairsPerPhase: Int, gap: Int, vocabulary: Vocabulary,
                             generator: inout SeededGenerator) throws -> Sequence {
        guard phases >= 1 else { throw Failure(description: "phases must be at least 1, got \(phases)") }
        guard pairsPerPhase >= 1 else { throw Failure(description: "pairs per phase must be at least 1, got \(pairsPerPhase)") }
        guard gap >= 0 else { throw Failure(description: "the gap must be at least 0, got \(gap)") }
        let needed = phases * (pairsPerPhase + gap)
        guard needed <= vocabulary.keyCount else {
            throw Failure(description: "the sequence needs \(needed) distinct keys, the key vocabulary has \(vocabulary.keyCount)")
        }
        let keys = distinctSample(needed, from: vocabulary.keyCount, generator: &generator)
        var writes: [Write] = []
        writes.reserveCapacity(needed)
        var next = 0
        for phase in 0..<phases {
            for position in 0..<(pairsPerPhase + gap) {
                let value = Int(generator.next(upperBound: UInt64(vocabulary.valueCount)))
                writes.append(Write(key: keys[next], value: value, phase: phase, isDistractor: position >= pairsPerPhase))
                next += 1
            }
        }
        return Sequence(writes: writes, queries: [])
    }

    /// `count` distinct integers of `0..<range` in random order (a partial Fisher–Yates shuffle).
    static func distinctSample(_ count: Int, from range: Int, generator: inout SeededGenerator) -> [Int] {
        var pool = Array(0..<range)
        for i in 0..<count {
            let j = i + Int(generator.next(upperBound: UInt64(range - i)))
            pool.swapAt(i, j)
        }
        return Array(pool.prefix(count))
    }

    // MARK: - Running a memory

    /// Resets `memory`, writes every write of the sequence and answers every query that `include`
    /// accepts.
    /// - Returns: for each accepted query in order, whether the decoded value was the right one.
    /// - Throws: the memory's error (a vocabulary whose dimensions differ from the memory's).
    public static func answer<Memory: FastWeightMemory>(
        _ sequence: Sequence, with memory: inout Memory, vocabulary: Vocabulary,
        include: (Query) -> Bool = { _ in true }
    ) throws -> [Bool] {
        memory.reset()
        for write in sequence.writes {
            try memory.write(key: vocabulary.key(write.key), value: vocabulary.value(write.value))
        }
        return try sequence.queries.filter(include).map { query in
            vocabulary.decode(try memory.read(key: vocabulary.key(query.key))) == query.value
        }
    }

    /// Recall after each phase of a phased sequence: how the phases written so far are answered.
    public struct PhaseRecall: Sendable, Equatable {
        /// The number of phases written.
        public let phasesWritten: Int
        /// Whether each query of an earlier phase (`phase < phasesWritten − 1`) was answered right.
        public let older: [Bool]
        /// Whether each query of the phase just written was answered right.
        public let newest: [Bool]
    }

    /// Resets `memory` and writes the sequence phase by phase; after each phase, answers the queries
    /// of every phase written so far (a query of a later phase is not asked yet).
    /// - Returns: one ``PhaseRecall`` per phase, in order.
    /// - Throws: the memory's error.
    public static func answerAfterEachPhase<Memory: FastWeightMemory>(
        _ sequence: Sequence, with memory: inout Memory, vocabulary: Vocabulary
    ) throws -> [PhaseRecall] {
        memory.reset()
        let phases = (sequence.writes.map(\.phase).max() ?? -1) + 1
        var results: [PhaseRecall] = []
        var next = 0
        for phase in 0..<phases {
            while next < sequence.writes.count, sequence.writes[next].phase == phase {
                let write = sequence.writes[next]
                try memory.write(key: vocabulary.key(write.key), value: vocabulary.value(write.value))
                next += 1
            }
            var older: [Bool] = [], newest: [Bool] = []
            for query in sequence.queries where query.phase <= phase {
                let right = vocabulary.decode(try memory.read(key: vocabulary.key(query.key))) == query.value
                if query.phase == phase { newest.append(right) } else { older.append(right) }
            }
            results.append(PhaseRecall(phasesWritten: phase + 1, older: older, newest: newest))
        }
        return results
    }
}
