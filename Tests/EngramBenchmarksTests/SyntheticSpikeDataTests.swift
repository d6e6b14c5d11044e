@testable import EngramData
import EngramFewShot
import Testing
@testable import EngramBenchmarks

@Suite("SyntheticSpikeData.make")
struct SyntheticSpikeDataTests {
    @Test("the data set has the requested shape, classes and class sizes")
    func shape() throws {
        let data = try SyntheticSpikeData.make(classes: 3, examplesPerClass: 5, featureCount: 7, seed: 1)
        #expect(data.featureCount == 7)
        #expect(data.count == 15)
        #expect(data.features.count == 15 * 7)
        #expect(data.classes == [0, 1, 2])
        #expect(data.labels == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
    }

    @Test("the defaults are 10 classes of 100 examples with 64 features")
    func defaults() throws {
        let data = try SyntheticSpikeData.make()
        #expect(data.featureCount == 64)
        #expect(data.count == 1_000)
        #expect(data.classes == Array(0..<10))
        #expect(data.classes.allSatisfy { label in data.labels.count { $0 == label } == 100 })
    }

    @Test("the same seed gives the same data, another seed other data")
    func deterministic() throws {
        let first = try SyntheticSpikeData.make(classes: 4, examplesPerClass: 6, featureCount: 16, seed: 42)
        let again = try SyntheticSpikeData.make(classes: 4, examplesPerClass: 6, featureCount: 16, seed: 42)
        let other = try SyntheticSpikeData.make(classes: 4, examplesPerClass: 6, featureCount: 16, seed: 43)
        #expect(DatasetValues(first) == DatasetValues(again))
        #expect(first.features != other.features)
        #expect(first.labels == other.labels)
    }

    @Test("every rate lies in [0, 1], and strong noise is clipped at both ends", arguments: [0.0, 0.4, 3.0])
    func ratesInUnitInterval(noise: Double) throws {
        let data = try SyntheticSpikeData.make(classes: 5, examplesPerClass: 20, featureCount: 32, noise: noise, seed: 7)
        #expect(data.features.allSatisfy { $0 >= 0 && $0 <= 1 })
        if noise >= 3 {
            #expect(data.features.contains(0) && data.features.contains(1))
        }
    }

    @Test("without noise every example is its class profile: a sparse set of strong rates over weak ones")
    func profiles() throws {
        let featureCount = 64
        let data = try SyntheticSpikeData.make(classes: 10, examplesPerClass: 3, featureCount: featureCount, noise: 0, seed: 2017)
        var profiles: [[Double]] = []
        for label in data.classes {
            let examples = data.labels.indices.filter { data.labels[$0] == label }.map { Array(data.example($0)) }
            #expect(examples.allSatisfy { $0 == examples[0] }, "class \(label)")
            profiles.append(examples[0])
        }
        let rates = profiles.flatMap { $0 }
        #expect(rates.allSatisfy { (0.3..<0.9).contains($0) || (0.02..<0.1).contains($0) })
        let strong = Double(rates.count { $0 >= 0.3 }) / Double(rates.count)
        #expect(strong > 0.15 && strong < 0.35, "about a quarter of the neurons fire strongly (got \(strong))")
        #expect(Set(profiles).count == profiles.count, "each class has its own profile")
    }

    @Test("empty sizes give an empty data set; negative sizes and a non-positive feature count are rejected")
    func degenerateSizes() throws {
        #expect(try SyntheticSpikeData.make(classes: 0).count == 0)
        #expect(try SyntheticSpikeData.make(examplesPerClass: 0).count == 0)
        #expect(throws: FewShotError.self) { try SyntheticSpikeData.make(featureCount: 0) }
        #expect(throws: FewShotError.self) { try SyntheticSpikeData.make(classes: -1) }
        #expect(throws: FewShotError.self) { try SyntheticSpikeData.make(noise: -0.5) }
    }
}
