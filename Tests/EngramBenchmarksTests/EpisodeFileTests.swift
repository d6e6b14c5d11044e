@testable import EngramData
import EngramFewShot
import Foundation
import Testing
@testable import EngramBenchmarks

@Suite("EpisodeFile")
struct EpisodeFileTests {
    static let path = "episodes.json"

    /// Decodes `json` as the episode file ``path``.
    static func decode(_ json: String) throws -> [FewShotCase] {
        try EpisodeFile.decode(Data(json.utf8), path: path)
    }

    /// A valid case as JSON, with any field replaced or (with `nil`) removed.
    static func caseJSON(_ name: String, replacing overrides: [String: String?] = [:]) -> String {
        var fields: [(String, String?)] = [
            ("name", "\"\(name)\""), ("n_features", "3"), ("n_classes", "2"), ("lr_hebbian", "0.5"),
            ("support_x", "[[1, 0, 0], [0, 1, 0]]"), ("support_y", "[0, 1]"), ("query_x", "[[1, 0, 0]]"),
        ]
        for (key, value) in overrides {
            if let index = fields.firstIndex(where: { $0.0 == key }) { fields[index].1 = value } else { fields.append((key, value)) }
        }
        return "{" + fields.compactMap { key, value in value.map { "\"\(key)\": \($0)" } }.joined(separator: ", ") + "}"
    }

    /// A file of a valid case "a" followed by case "b" with the given fields replaced.
    static func fileWithBadSecondCase(_ overrides: [String: String?]) -> String {
        "{\"cases\": [\(caseJSON("a")), \(caseJSON("b", replacing: overrides))]}"
    }

    // MARK: - Decoding

    @Test("a file in the golden fixture's format decodes, rate vectors and spike trains alike")
    func decodesValidFile() throws {
        let json = """
        {"about": "extra top-level fields are ignored",
         "cases": [
          {"name": "rates", "n_features": 3, "n_classes": 2, "lr_hebbian": 1.0,
           "support_x": [[1, 0, 0.5], [0, 1, 0.25]], "support_y": [0, 1], "query_x": [[0.9, 0.1, 0]],
           "hebbian_predictions": [0]},
          {"name": "train", "n_features": 2, "n_classes": 3, "lr_hebbian": 0.25,
           "support_x": [[[1, 0], [1, 1], [0, 0]], [[0, 1], [0, 1], [0, 0]]], "support_y": [2, 0],
           "query_x": [[[1, 0], [0, 0], [1, 0]]]}
         ]}
        """
        let cases = try Self.decode(json)
        try #require(cases.count == 2)

        let rates = cases[0]
        #expect(rates.name == "rates")
        #expect(rates.featureCount == 3 && rates.classCount == 2 && rates.learningRate == 1.0)
        #expect(rates.support == [[1, 0, 0.5], [0, 1, 0.25]])
        #expect(rates.labels == [0, 1])
        #expect(rates.queries == [[0.9, 0.1, 0]])

        let train = cases[1]
        #expect(train.name == "train")
        #expect(train.featureCount == 2 && train.classCount == 3 && train.learningRate == 0.25)
        #expect(train.support.map(\.shape) == [[3, 2], [3, 2]])
        #expect(train.support[0].values == [1, 0, 1, 1, 0, 0])
        #expect(train.labels == [2, 0])
        #expect(train.queries.map(\.shape) == [[3, 2]])
        #expect(train.queries[0].values == [1, 0, 0, 0, 1, 0])
    }

    @Test("a missing lr_hebbian defaults to 0.1, as in the reference")
    func defaultLearningRate() throws {
        let cases = try Self.decode("{\"cases\": [\(Self.caseJSON("a", replacing: ["lr_hebbian": nil]))]}")
        #expect(cases.map(\.learningRate) == [0.1])
    }

    @Test("a file with no cases decodes to none")
    func noCases() throws {
        #expect(try Self.decode("{\"cases\": []}").isEmpty)
    }

    // MARK: - Malformed files

    /// A malformed file and the exact detail its error must carry (after "episodes.json: ").
    struct Malformed: Sendable, CustomTestStringConvertible {
        var label: String
        var json: String
        /// The start of the detail: the case, its name and the field path.
        var detailPrefix: String
        var testDescription: String { label }
    }

    static let malformed: [Malformed] = [
        Malformed(label: "a ragged spike train",
                  json: fileWithBadSecondCase(["support_x": "[[[1, 0, 0], [1, 0]], [[0, 1, 0], [0, 1, 0]]]"]),
                  detailPrefix: "case 1 (\"b\"), field support_x[0][1]: "),
        Malformed(label: "a number where a row belongs",
                  json: fileWithBadSecondCase(["query_x": "[[[1, 0, 0], 1]]"]),
                  detailPrefix: "case 1 (\"b\"), field query_x[0][1]: "),
        Malformed(label: "a row where a number belongs",
                  json: fileWithBadSecondCase(["support_x": "[[1, 0, 0], [0, [1], 0]]"]),
                  detailPrefix: "case 1 (\"b\"), field support_x[1][1]: "),
        Malformed(label: "a string where a number belongs",
                  json: fileWithBadSecondCase(["support_x": "[[1, 0, \"x\"], [0, 1, 0]]"]),
                  detailPrefix: "case 1 (\"b\"), field support_x[0][2]: "),
        Malformed(label: "a null inside a pattern",
                  json: fileWithBadSecondCase(["query_x": "[[1, null, 0]]"]),
                  detailPrefix: "case 1 (\"b\"), field query_x[0][1]: "),
        Malformed(label: "a string label",
                  json: fileWithBadSecondCase(["support_y": "[0, \"1\"]"]),
                  detailPrefix: "case 1 (\"b\"), field support_y[1]: "),
        Malformed(label: "a string n_classes",
                  json: fileWithBadSecondCase(["n_classes": "\"2\""]),
                  detailPrefix: "case 1 (\"b\"), field n_classes: "),
        Malformed(label: "a string lr_hebbian",
                  json: fileWithBadSecondCase(["lr_hebbian": "\"fast\""]),
                  detailPrefix: "case 1 (\"b\"), field lr_hebbian: "),
        Malformed(label: "a missing query_x",
                  json: fileWithBadSecondCase(["query_x": nil]),
                  detailPrefix: "case 1 (\"b\"): missing field query_x"),
        Malformed(label: "a null query_x",
                  json: fileWithBadSecondCase(["query_x": "null"]),
                  detailPrefix: "case 1 (\"b\"), field query_x: "),
        Malformed(label: "a missing name",
                  json: fileWithBadSecondCase(["name": nil]),
                  detailPrefix: "case 1: missing field name"),
        Malformed(label: "a case that is not an object",
                  json: "{\"cases\": [\(caseJSON("a")), [1, 2]]}",
                  detailPrefix: "case 1: "),
        Malformed(label: "invalid JSON",
                  json: "{\"cases\": [",
                  detailPrefix: "not an episode file ("),
        Malformed(label: "a top-level array",
                  json: "[\(caseJSON("a"))]",
                  detailPrefix: "not an episode file ("),
        Malformed(label: "no cases key",
                  json: "{\"episodes\": []}",
                  detailPrefix: "not an episode file (missing field cases)"),
        Malformed(label: "cases that are not an array",
                  json: "{\"cases\": {}}",
                  detailPrefix: "not an episode file ("),
    ]

    @Test("a malformed file names the case, its name and the field path", arguments: malformed)
    func malformedFile(_ input: Malformed) throws {
        let error = #expect(throws: DataFileError.self) { try Self.decode(input.json) }
        guard case let .malformedEpisodeFile(path, detail) = error else {
            Issue.record("expected malformedEpisodeFile, got \(String(describing: error))")
            return
        }
        #expect(path == Self.path)
        #expect(detail.hasPrefix(input.detailPrefix), "detail: \(detail)")
        #expect(error?.description == "\(Self.path): \(detail)")
    }

    /// Numbers that are valid JSON but do not fit their field. Foundation's `JSONDecoder` reports
    /// these as `dataCorrupted` with an empty coding path and "The given data was not valid JSON.",
    /// so the file is described as "not an episode file" although it is valid JSON and only one
    /// field of one case is wrong.
    static let unfittingNumbers: [Malformed] = [
        Malformed(label: "a fractional n_features",
                  json: fileWithBadSecondCase(["n_features": "2.5"]),
                  detailPrefix: "case 1 (\"b\"), field n_features: "),
        Malformed(label: "a fractional label",
                  json: fileWithBadSecondCase(["support_y": "[0, 1.5]"]),
                  detailPrefix: "case 1 (\"b\"), field support_y[1]: "),
        Malformed(label: "a label beyond Int",
                  json: fileWithBadSecondCase(["support_y": "[0, 1e30]"]),
                  detailPrefix: "case 1 (\"b\"), field support_y[1]: "),
    ]

    @Test("a number that does not fit its field names the case and the field", arguments: unfittingNumbers)
    func unfittingNumber(_ input: Malformed) throws {
        try malformedFile(input)
    }

    @Test("integral numbers written with a fraction or an exponent are accepted as integers")
    func integralNumbers() throws {
        let cases = try Self.decode("{\"cases\": [\(Self.caseJSON("a", replacing: ["n_features": "3.0", "n_classes": "2e0", "support_y": "[0.0, 1]"]))]}")
        #expect(cases.map(\.featureCount) == [3] && cases.map(\.classCount) == [2] && cases.map(\.labels) == [[0, 1]])
    }

    @Test("a file that is not an episode file says what one looks like")
    func notAnEpisodeFile() throws {
        let error = #expect(throws: DataFileError.self) { try Self.decode("[]") }
        #expect(error?.description.hasSuffix("expected {\"cases\": [...]}") == true, "\(String(describing: error))")
    }

    // MARK: - Running and writing a case

    /// What `engram fewshot run` writes for one case, read back with the fixture's field names.
    struct WrittenOutput: Decodable, Equatable {
        var name: String
        var hebbian_predictions: [Int]
        var hebbian_scores: [[Double]]
        var hebbian_weights: [[Double]]
        var prototype_cosine_predictions: [Int]
        var prototype_euclidean_predictions: [Int]
        var prototype_hamming_predictions: [Int]
        var prototypes: [String: [Double]]
    }

    /// Runs the single case of `json` and encodes its output as `engram fewshot run` does.
    static func runAndEncode(_ json: String) throws -> Data {
        let cases = try decode(json)
        try #require(cases.count == 1)
        return try JSONEncoder().encode(EpisodeFile.CaseOutput(cases[0].run()))
    }

    @Test("a case's output has exactly the fixture's keys, with prototypes keyed by label")
    func outputKeys() throws {
        let data = try Self.runAndEncode("{\"cases\": [\(Self.caseJSON("keys"))]}")
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == [
            "name", "hebbian_predictions", "hebbian_scores", "hebbian_weights", "prototype_cosine_predictions",
            "prototype_euclidean_predictions", "prototype_hamming_predictions", "prototypes",
        ])
        let prototypes = try #require(object["prototypes"] as? [String: Any])
        #expect(Set(prototypes.keys) == ["0", "1"])
    }

    @Test("orthogonal supports queried with themselves give the hand-computed outputs")
    func handCheckedEpisode() throws {
        let json = """
        {"cases": [{"name": "orthogonal", "n_features": 2, "n_classes": 2, "lr_hebbian": 0.5,
                    "support_x": [[1, 0], [0, 1]], "support_y": [0, 1], "query_x": [[0, 1], [1, 0]]}]}
        """
        let output = try JSONDecoder().decode(WrittenOutput.self, from: Self.runAndEncode(json))
        #expect(output.name == "orthogonal")
        #expect(output.hebbian_predictions == [1, 0])
        #expect(output.hebbian_weights == [[0.5, 0], [0, 0.5]], "memory[label] += lr · pattern")
        #expect(output.hebbian_scores.count == 2)
        for (scores, expected) in zip(output.hebbian_scores, [[0.0, 1.0], [1.0, 0.0]]) {
            #expect(scores.count == 2)
            for (score, want) in zip(scores, expected) { #expect(abs(score - want) <= 1e-12, "\(scores)") }
        }
        #expect(output.prototype_cosine_predictions == [1, 0])
        #expect(output.prototype_euclidean_predictions == [1, 0])
        #expect(output.prototype_hamming_predictions == [1, 0])
        #expect(output.prototypes == ["0": [1, 0], "1": [0, 1]])
    }

    @Test("spike trains are averaged over time before learning; labels need not be contiguous")
    func spikeTrainEpisode() throws {
        // Class 2's train averages to [0.75, 0.25], class 0's to [0, 1]; the query averages to [1, 0].
        let json = """
        {"cases": [{"name": "trains", "n_features": 2, "n_classes": 3,
                    "support_x": [[[1, 0], [1, 0], [0, 0], [1, 1]], [[0, 1], [0, 1], [0, 1], [0, 1]]],
                    "support_y": [2, 0], "query_x": [[[1, 0], [1, 0], [1, 0], [1, 0]]]}]}
        """
        let output = try JSONDecoder().decode(WrittenOutput.self, from: Self.runAndEncode(json))
        #expect(output.prototypes == ["2": [0.75, 0.25], "0": [0, 1]])
        #expect(output.hebbian_weights.count == 3)
        #expect(output.hebbian_weights[1] == [0, 0], "class 1 has no support")
        #expect(output.hebbian_weights[2].count == 2)
        #expect(zip(output.hebbian_weights[2], [0.075, 0.025]).allSatisfy { abs($0 - $1) <= 1e-15 }, "default lr 0.1")
        #expect(output.hebbian_predictions == [2])
        #expect(output.prototype_cosine_predictions == [2])
        #expect(output.prototype_euclidean_predictions == [2])
        // Hamming: the query's sign pattern [+, 0] differs from [+, +] in one feature and from [0, +] in two.
        #expect(output.prototype_hamming_predictions == [2])
        #expect(output.hebbian_scores.count == 1 && output.hebbian_scores[0][1] == 0)
    }
}
