import EngramAssociative
import EngramKernels
import Testing
@testable import EngramBenchmarks

@Suite("MQAR")
struct MQARTests {
    private func vocabulary(seed: UInt64 = 3, dimension: Int = 16) throws -> MQARTask.Vocabulary {
        try MQARTask.Vocabulary(keyDimension: dimension, valueDimension: dimension + 2, keyCount: 300, valueCount: 50, seed: seed)
    }

    @Test func vocabularyIsFixedBySeedAndUnitNorm() throws {
        let a = try vocabulary(seed: 3), b = try vocabulary(seed: 3), c = try vocabulary(seed: 4)
        #expect(a.keys == b.keys && a.values == b.values)
        #expect(a.keys != c.keys)
        #expect(a.keys.count == 300 * 16 && a.values.count == 50 * 18)
        for index in [0, 17, 299] { #expect(abs(Kernels.norm(a.key(index)) - 1) < 1e-5) }
        for index in [0, 49] { #expect(abs(Kernels.norm(a.value(index)) - 1) < 1e-5) }
    }

    @Test func decodeFindsTheNearestValueAndRefusesAnEmptyReadout() throws {
        let v = try vocabulary()
        for index in [0, 7, 49] {
            #expect(v.decode(v.value(index)) == index)
            // A noisy, scaled copy still decodes to the same token.
            #expect(v.decode(zip(v.value(index), v.value((index + 1) % 50)).map { 3 * $0 + 0.3 * $1 }) == index)
        }
        #expect(v.decode([Float](repeating: 0, count: 18)) == nil)
        #expect(v.decode([Float](repeating: 1, count: 17)) == nil)
        #expect(v.decode([.nan] + [Float](repeating: 1, count: 17)) == nil)
    }

    @Test func recallSequenceHasItsShapeAndQueriesEarlierKeys() throws {
        let v = try vocabulary()
        var generator = SeededGenerator(seed: 1)
        let sequence = try MQARTask.recall(pairs: 20, gap: 5, vocabulary: v, generator: &generator)
        #expect(sequence.writes.count == 25)
        #expect(sequence.writes.filter(\.isDistractor).count == 5)
        #expect(sequence.writes.suffix(5).allSatisfy { $0.isDistractor }, "the gap comes after the pairs")
        #expect(Set(sequence.writes.map(\.key)).count == 25, "keys are distinct")
        #expect(sequence.writes.allSatisfy { $0.key < 300 && $0.value < 50 && $0.phase == 0 })
        #expect(sequence.queries.count == 20)
        let bound = Dictionary(uniqueKeysWithValues: sequence.writes.filter { !$0.isDistractor }.map { ($0.key, $0.value) })
        for query in sequence.queries { #expect(bound[query.key] == query.value) }
        #expect(Set(sequence.queries.map(\.key)) == Set(bound.keys))

        var again = SeededGenerator(seed: 1)
        #expect(try MQARTask.recall(pairs: 20, gap: 5, vocabulary: v, generator: &again) == sequence)
        var other = SeededGenerator(seed: 2)
        #expect(try MQARTask.recall(pairs: 20, gap: 5, vocabulary: v, generator: &other) != sequence)
    }

    @Test func continualSequenceTagsPhases() throws {
        let v = try vocabulary()
        var generator = SeededGenerator(seed: 5)
        let sequence = try MQARTask.continual(phases: 4, pairsPerPhase: 6, gap: 2, vocabulary: v, generator: &generator)
        #expect(sequence.writes.count == 32)
        #expect(sequence.writes.map(\.phase) == (0..<4).flatMap { [Int](repeating: $0, count: 8) })
        #expect(sequence.queries.count == 24)
        for phase in 0..<4 { #expect(sequence.queries.filter { $0.phase == phase }.count == 6) }
        for query in sequence.queries {
            #expect(sequence.writes.contains { $0.key == query.key && $0.value == query.value && $0.phase == query.phase && !$0.isDistractor })
        }
    }

    @Test func rebindingQueriesAskForTheNewestValue() throws {
        let v = try vocabulary()
        for seed: UInt64 in 1...5 {
            var generator = SeededGenerator(seed: seed)
            let sequence = try MQARTask.rebinding(phases: 3, pairsPerPhase: 8, rebinds: 4, gap: 1, vocabulary: v, generator: &generator)
            #expect(sequence.writes.count == 3 * 9 + 4)
            #expect(sequence.queries.count == 4)
            #expect(sequence.writes.last?.isDistractor == true, "the last phase's gap stays at its end")
            for query in sequence.queries {
                let writes = sequence.writes.filter { $0.key == query.key }
                #expect(writes.count == 2)
                #expect(writes.first?.phase == 0 && writes.last?.phase == 2)
                #expect(writes.last?.value == query.value, "the newest value answers")
                #expect(writes.first?.value != query.value, "the rebinding changes the value")
                #expect(query.phase == 2)
            }
        }
    }

    @Test func sequencesRefuseImpossibleRequests() throws {
        let v = try vocabulary()
        var generator = SeededGenerator(seed: 1)
        #expect(throws: MQARTask.Failure.self) { try MQARTask.recall(pairs: 301, gap: 0, vocabulary: v, generator: &generator) }
        #expect(throws: MQARTask.Failure.self) { try MQARTask.recall(pairs: 0, gap: 0, vocabulary: v, generator: &generator) }
        #expect(throws: MQARTask.Failure.self) { try MQARTask.recall(pairs: 4, gap: -1, vocabulary: v, generator: &generator) }
        #expect(throws: MQARTask.Failure.self) {
            try MQARTask.rebinding(phases: 1, pairsPerPhase: 4, rebinds: 2, gap: 0, vocabulary: v, generator: &generator)
        }
        #expect(throws: MQARTask.Failure.self) {
            try MQARTask.rebinding(phases: 2, pairsPerPhase: 4, rebinds: 5, gap: 0, vocabulary: v, generator: &generator)
        }
        #expect(throws: MQARTask.Failure.self) {
            try MQARTask.Vocabulary(keyDimension: 0, valueDimension: 4, keyCount: 10, valueCount: 10, seed: 1)
        }
    }

    @Test func answersMatchTheMemories() throws {
        // Few orthogonal-enough keys in a large state: the delta rule (β = 1) answers everything,
        // a strongly gated memory only the newest phase, and only the delta rule takes rebindings.
        let v = try MQARTask.Vocabulary(keyDimension: 1_024, valueDimension: 64, keyCount: 400, valueCount: 64, seed: 2)
        var generator = SeededGenerator(seed: 8)
        let continual = try MQARTask.continual(phases: 3, pairsPerPhase: 5, gap: 0, vocabulary: v, generator: &generator)
        var delta = try DeltaRuleMemory(dKey: 1_024, dValue: 64, beta: 1)
        #expect(try MQARTask.answer(continual, with: &delta, vocabulary: v).allSatisfy { $0 })
        var gated = try GatedLinearMemory(dKey: 1_024, dValue: 64, gate: .scalar(0.3))
        let byPhase = try MQARTask.answerAfterEachPhase(continual, with: &gated, vocabulary: v)
        #expect(byPhase.map(\.phasesWritten) == [1, 2, 3])
        #expect(byPhase.map(\.older.count) == [0, 5, 10])
        #expect(byPhase.map(\.newest.count) == [5, 5, 5])
        #expect(byPhase[2].newest.filter { $0 }.count >= 3)
        #expect(byPhase[2].older.filter { $0 }.count <= 2, "a gate of 0.3 forgets earlier phases (their read-out is below 0.3⁵)")

        let rebinding = try MQARTask.rebinding(phases: 2, pairsPerPhase: 5, rebinds: 5, gap: 0, vocabulary: v, generator: &generator)
        #expect(try MQARTask.answer(rebinding, with: &delta, vocabulary: v).allSatisfy { $0 })
        var linear = try LinearAttentionMemory(dKey: 1_024, dValue: 64)
        let linearAnswers = try MQARTask.answer(rebinding, with: &linear, vocabulary: v)
        #expect(linearAnswers.filter { $0 }.count < 5, "old and new values tie under linear attention")
    }

    @Test func intervalsAreStudentT() {
        let interval = MQARBenchmark.Interval([1, 2, 3])
        #expect(interval.mean == 2)
        #expect(abs(interval.halfWidth95 - 4.303 / 3.0.squareRoot()) < 1e-9)
        let paired = MQARBenchmark.Interval([0.5, 0.7, 0.9]).minus(MQARBenchmark.Interval([0.4, 0.5, 0.6]))
        #expect(paired.samples.map { ($0 * 1000).rounded() } == [100, 200, 300])
        #expect(MQARBenchmark.Interval([1]).halfWidth95.isNaN)
        #expect(MQARBenchmark.studentT975(degreesOfFreedom: 100) == 1.96)
    }

    @Test(.timeLimit(.minutes(2))) func tinyBenchmarkRunsAndIsReproducible() throws {
        var settings = MQARBenchmark.Settings()
        settings.dimension = 16
        settings.stateDimensions = [8, 16]
        settings.pairCounts = [4, 16]
        settings.pairsPerPhase = 4
        settings.phases = 2
        settings.curvePhases = 3
        settings.rebindingPhases = [2, 3]
        settings.rebinds = 2
        settings.keyVocabulary = 64
        settings.valueVocabulary = 32
        settings.sequences = 2
        settings.seeds = [1, 2, 3]
        settings.developmentSeeds = [1_001]
        let result = try MQARBenchmark.run(settings)
        let kinds = MQARBenchmark.Kind.allCases.count
        #expect(result.tuning.map(\.kind) == MQARBenchmark.Kind.allCases)
        #expect(result.tuning.map(\.candidates) == MQARBenchmark.Kind.allCases.map { MQARBenchmark.grid($0).count })
        #expect(result.capacity.count == kinds * 2 * 2)
        #expect(result.phases.count == kinds * 2)
        #expect(result.rebinding.count == kinds * 2)
        #expect(result.headline.count == kinds)
        #expect(result.margins.count == 3)
        for row in result.capacity { #expect(row.accuracy.samples.count == 3 && (0...1).contains(row.accuracy.mean)) }
        for margin in result.margins { #expect(MQARBenchmark.baselines.contains(margin.baseline)) }
        // Few pairs in a big state: the delta rule's chosen setting recalls nearly everything.
        let easy = result.capacity.first { $0.kind == .delta && $0.dimension == 16 && $0.pairs == 4 }
        #expect((easy?.accuracy.mean ?? 0) > 0.7)
        let again = try MQARBenchmark.run(settings)
        #expect(again.headline.map(\.older.samples) == result.headline.map(\.older.samples))
        #expect(again.tuning.map(\.chosen) == result.tuning.map(\.chosen))

        settings.seeds = [1_001]
        #expect(throws: MQARTask.Failure.self) { try MQARBenchmark.run(settings) }
    }
}
