import Testing
@testable import EngramFewShot

/// Every input the reference rejects, rejected here with the reference's message as the prefix of
/// ours. The fixture names each case; the inputs are rebuilt from those names.
@Suite("Rejected input")
struct ErrorCaseTests {
    static let caseNames = GoldenFixture.shared.errors.map(\.case)

    /// Runs the named error case and returns the error it throws.
    static func provoke(_ name: String) throws -> FewShotError? {
        let a: SpikePattern = [1, 0, 0, 0]
        let b: SpikePattern = [0, 1, 0, 0]
        do {
            switch name {
            case "n_features=0": _ = try HebbianFewShot(featureCount: 0, classCount: 2)
            case "n_classes=-1": _ = try HebbianFewShot(featureCount: 4, classCount: -1)
            case "lr=-0.1": _ = try HebbianFewShot(featureCount: 4, classCount: 2, learningRate: -0.1)
            case "lr=nan": _ = try HebbianFewShot(featureCount: 4, classCount: 2, learningRate: .nan)
            case "label out of range":
                var learner = try HebbianFewShot(featureCount: 4, classCount: 2)
                try learner.store(a, label: 2)
            case "negative label":
                var learner = try HebbianFewShot(featureCount: 4, classCount: 2)
                try learner.store(a, label: -1)
            case "wrong feature count":
                var learner = try HebbianFewShot(featureCount: 4, classCount: 2)
                try learner.store([1, 0, 0], label: 0)
            case "3-d pattern":
                var learner = try HebbianFewShot(featureCount: 4, classCount: 2)
                try learner.store(SpikePattern(shape: [2, 2, 4], values: Array(repeating: 0, count: 16)), label: 0)
            case "nan pattern":
                var learner = try HebbianFewShot(featureCount: 4, classCount: 2)
                try learner.store([1, .nan, 0, 0], label: 0)
            case "inf pattern":
                var learner = try HebbianFewShot(featureCount: 4, classCount: 2)
                try learner.store([1, 0, .infinity, 0], label: 0)
            case "query before store":
                _ = try HebbianFewShot(featureCount: 4, classCount: 2).query(a)
            case "episode length mismatch":
                var learner = try HebbianFewShot(featureCount: 4, classCount: 2)
                _ = try learner.episode(support: [a, b], labels: [0], queries: [a])
            case "metric=manhattan":
                _ = try PrototypeMetric(parsing: "manhattan")
            case "empty support":
                var net = try SpikePrototypeNet(featureCount: 4)
                _ = try net.classify(support: [], labels: [], queries: [a])
            case "prototype length mismatch":
                var net = try SpikePrototypeNet(featureCount: 4)
                _ = try net.classify(support: [a, b], labels: [0], queries: [a])
            case "prototype query wrong size":
                var net = try SpikePrototypeNet(featureCount: 4)
                _ = try net.classify(support: [a, b], labels: [0, 1], queries: [[1, 0, 0]])
            default:
                Issue.record("unknown error case \(name) in the fixture")
            }
        } catch let error as FewShotError {
            return error
        }
        return nil
    }

    @Test("rejected with the reference's message", arguments: caseNames)
    func rejected(name: String) throws {
        let expected = try #require(GoldenFixture.shared.errors.first { $0.case == name }).message
        let error = try #require(try Self.provoke(name), "\(name) was accepted")
        #expect(error.description.hasPrefix(expected), "\(error.description) does not start with \(expected)")
    }

    @Test("a rejected episode leaves the learner's memory unchanged")
    func rejectedEpisodeLosesNothing() throws {
        var learner = try HebbianFewShot(featureCount: 2, classCount: 2, learningRate: 1)
        try learner.store([1, 2], label: 1)
        #expect(throws: FewShotError.self) {
            try learner.episode(support: [[1, 1], [1, .nan]], labels: [0, 1], queries: [[1, 1]])
        }
        #expect(learner.weights == [[0, 0], [1, 2]])

        var net = try SpikePrototypeNet(featureCount: 2)
        _ = try net.classify(support: [[1, 0]], labels: [7], queries: [])
        #expect(throws: FewShotError.self) {
            try net.classify(support: [[0, 1]], labels: [3], queries: [[1, 2, 3]])
        }
        #expect(net.prototypes == [7: [1, 0]])
    }

    @Test("an empty or overflowing spike train is non-finite, as NumPy's mean makes it")
    func degenerateTrains() throws {
        var learner = try HebbianFewShot(featureCount: 2, classCount: 1)
        let empty = #expect(throws: FewShotError.self) {
            try learner.store(SpikePattern(shape: [0, 2], values: []), label: 0)
        }
        guard case .nonFinite(_, 0, let value) = empty, value.isNaN else {
            Issue.record("an empty train resolved to \(String(describing: empty)) instead of NaN")
            return
        }
        let huge = SpikePattern(shape: [2, 2], values: [1e308, 0, 1e308, 0])
        #expect(throws: FewShotError.self) { try learner.store(huge, label: 0) }
        #expect(!learner.hasSupport)
    }
}
