import Foundation
import Testing
@testable import EngramFewShot

/// The golden episodes of the reference learners.
///
/// `Resources/fewshot-golden.json` is a verbatim copy of `../shared/fixtures/fewshot-golden.json`,
/// produced by the documented reference implementation (sc_neurocore `few_shot.haam`, float64).
struct GoldenFixture: Decodable {
    struct Expected: Decodable {
        var name: String
        var hebbian_predictions: [Int]
        var hebbian_scores: [[Double]]
        var hebbian_weights: [[Double]]
        var prototype_cosine_predictions: [Int]
        var prototype_euclidean_predictions: [Int]
        var prototype_hamming_predictions: [Int]
        var prototypes: [String: [Double]]
    }
    struct ErrorCase: Decodable {
        var `case`: String
        var message: String
    }
    var cases: [FewShotCase]
    var expected: [Expected]
    var errors: [ErrorCase]

    enum CodingKeys: String, CodingKey { case cases, errors }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cases = try container.decode([FewShotCase].self, forKey: .cases)
        expected = try container.decode([Expected].self, forKey: .cases)
        errors = try container.decode([ErrorCase].self, forKey: .errors)
    }

    static let shared: GoldenFixture = {
        guard let url = Bundle.module.url(forResource: "fewshot-golden", withExtension: "json") else {
            fatalError("fewshot-golden.json is missing from the test resources")
        }
        do {
            return try JSONDecoder().decode(GoldenFixture.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read fewshot-golden.json: \(error)")
        }
    }()
}

@Suite("Golden fixture of the reference learners")
struct GoldenFixtureTests {
    static let caseNames = GoldenFixture.shared.cases.map(\.name)

    @Test("the fixture holds every kind of episode")
    func fixtureCoverage() {
        let fixture = GoldenFixture.shared
        #expect(fixture.cases.count == 75)
        #expect(fixture.errors.count == 16)
        #expect(fixture.cases.contains { $0.support.first?.shape.count == 2 })
    }

    @Test("each case reproduces the reference exactly", arguments: caseNames)
    func reproduces(name: String) throws {
        let fixture = GoldenFixture.shared
        let index = try #require(fixture.cases.firstIndex { $0.name == name })
        let episode = fixture.cases[index]
        let expected = fixture.expected[index]
        let result = try episode.run()

        #expect(result.hebbianPredictions == expected.hebbian_predictions)
        #expect(result.hebbianWeights == expected.hebbian_weights, "weights must match bit for bit")
        #expect(result.prototypePredictions[.cosine] == expected.prototype_cosine_predictions)
        #expect(result.prototypePredictions[.euclidean] == expected.prototype_euclidean_predictions)
        #expect(result.prototypePredictions[.hamming] == expected.prototype_hamming_predictions)

        let expectedPrototypes = Dictionary(uniqueKeysWithValues: expected.prototypes.map { (Int($0.key) ?? -1, $0.value) })
        #expect(result.prototypes == expectedPrototypes, "prototypes must match bit for bit")

        #expect(result.hebbianScores.count == expected.hebbian_scores.count)
        for (got, want) in zip(result.hebbianScores, expected.hebbian_scores) {
            #expect(got.count == want.count)
            for (g, w) in zip(got, want) {
                #expect(abs(g - w) <= 1e-12, "score \(g) differs from the reference's \(w)")
            }
        }
    }
}
