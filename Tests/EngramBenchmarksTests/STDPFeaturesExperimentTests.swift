import EngramBenchmarks
import EngramFewShot
import EngramKernels
import Testing

@Suite("The STDP-features experiment")
struct STDPFeaturesExperimentTests {
    /// Ten classes of twelve noisy copies of a class template over 16 rates.
    static func dataset() throws -> LabelledDataset {
        var generator = SeededGenerator(seed: 9)
        let templates = (0..<10).map { _ in (0..<16).map { _ in generator.nextUnitDouble() } }
        var features: [Double] = [], labels: [Int] = []
        for label in 0..<10 {
            for _ in 0..<12 {
                features += templates[label].map { min(1, max(0, $0 + 0.1 * (generator.nextUnitDouble() - 0.5))) }
                labels.append(label)
            }
        }
        return try LabelledDataset(featureCount: 16, features: features, labels: labels)
    }

    static var smallSettings: STDPFeaturesExperiment.Settings {
        var settings = STDPFeaturesExperiment.Settings()
        settings.layer.neurons = 8
        settings.layer.presentationSteps = 20
        settings.layer.responseSteps = 40
        settings.episodes = 20
        settings.queriesPerClass = 3
        return settings
    }

    @Test("learns from the base classes only and scores both inputs on every shot")
    func runs() throws {
        let result = try STDPFeaturesExperiment.run(Self.dataset(), Self.smallSettings)
        #expect(result.trainingExamples == 60, "five base classes of twelve, one pass")
        #expect(result.novelExamples == 60)
        for shot in [1, 5] {
            for table in [result.features, result.pixels] {
                let summaries = try #require(table[shot])
                #expect(summaries.count == FewShotLearner.allCases.count)
                #expect(summaries.values.allSatisfy { (0...1).contains($0.mean) })
            }
        }
    }

    @Test("base classes the data set lacks are an error that lists its labels")
    func unknownBaseClasses() throws {
        for classes: Set<Int> in [[42], [0, 42], []] {
            var settings = Self.smallSettings
            settings.baseClasses = classes
            #expect {
                try STDPFeaturesExperiment.run(Self.dataset(), settings)
            } throws: { error in
                String(describing: error).contains("baseClasses") && String(describing: error).contains("[0, 1, 2")
            }
        }
    }
}
