import Testing
@testable import EngramBenchmarks

/// The benchmark runs end to end on small configurations; its figures are not checked. (The
/// published configurations take seconds each in a debug build, so they are not run here.)
@Suite("FewShotBenchmark.run")
struct FewShotBenchmarkTests {
    static let configurations: [FewShotBenchmark.Configuration] = [
        FewShotBenchmark.Configuration(name: "tiny", way: 2, shot: 2, featureCount: 3, queryCount: 3),
        FewShotBenchmark.Configuration(name: "tiny-spikes", way: 3, shot: 1, featureCount: 4, queryCount: 2, spikeSteps: 5),
    ]

    @Test("every path reports a positive rate", .timeLimit(.minutes(1)), arguments: configurations.indices)
    func runs(_ index: Int) throws {
        let configuration = Self.configurations[index]
        let result = try FewShotBenchmark.run(configuration, seed: 3, targetSeconds: 0.001)
        #expect(result.configuration.name == configuration.name)
        for (path, throughput) in [
            ("exact Hebbian", result.exactHebbian), ("exact prototype", result.exactPrototype),
            ("batched Hebbian", result.batchedHebbian), ("batched prototype", result.batchedPrototype),
        ] {
            #expect(throughput.median > 0 && throughput.best >= throughput.median, "\(path)")
            #expect(throughput.callsPerRepeat >= 100, "\(path)")
        }
    }

    @Test("the published configurations are the reference's sizes")
    func configurationsAreTheReferences() {
        let all = FewShotBenchmark.Configuration.all
        #expect(all.map(\.name) == ["reference", "large", "spikes"])
        #expect(all.map(\.way) == [5, 20, 5] && all.map(\.shot) == [1, 5, 1])
        #expect(all.map(\.featureCount) == [64, 1024, 64] && all.map(\.queryCount) == [10, 20, 10])
        #expect(all.map(\.spikeSteps) == [nil, nil, 100])
    }
}
