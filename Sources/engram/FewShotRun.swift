import ArgumentParser
import EngramFewShot
import Foundation

/// `engram fewshot run --episodes FILE.json`: every learner on every episode of a file in the
/// golden fixture's format, printed as JSON.
struct FewShotRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run both learners on the episodes of a JSON file and print their outputs as JSON.",
        discussion: """
            The file holds {"cases": [...]}, each case with n_features, n_classes, lr_hebbian, \
            support_x, support_y and query_x (patterns are rate vectors or T×n spike trains). \
            Other fields, such as expected outputs, are ignored.
            """
    )

    @Option(name: .long, help: "The episode file.")
    var episodes: String

    func run() throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: episodes))
        } catch {
            throw ValidationError("cannot read \(episodes): \(error.localizedDescription)")
        }
        let cases = try EpisodeFile.decode(data, path: episodes)
        var outputs: [CaseOutput] = []
        for (index, episode) in cases.enumerated() {
            do {
                outputs.append(CaseOutput(try episode.run()))
            } catch let error as FewShotError {
                throw ValidationError("\(episodes): case \(index) (\"\(episode.name)\"): \(error)")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(["cases": outputs])
        FileHandle.standardOutput.write(json)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}

/// Decoding an episode file with errors that name the case and the field.
enum EpisodeFile {
    private struct File: Decodable { var cases: [FewShotCase] }
    private struct Names: Decodable {
        struct Name: Decodable { var name: String? }
        var cases: [Name]
    }

    static func decode(_ data: Data, path: String) throws -> [FewShotCase] {
        do {
            return try JSONDecoder().decode(File.self, from: data).cases
        } catch let error as DecodingError {
            throw ValidationError("\(path): \(describe(error, names: try? JSONDecoder().decode(Names.self, from: data)))")
        }
    }

    /// "case 3 ("rate-3"), field support_x[2][5]: expected a number …".
    private static func describe(_ error: DecodingError, names: Names?) -> String {
        let (context, problem): (DecodingError.Context, String) = switch error {
        case let .dataCorrupted(context): (context, context.debugDescription)
        case let .keyNotFound(key, context): (context, "missing field \(key.stringValue)")
        case let .typeMismatch(type, context): (context, "expected \(type): \(context.debugDescription)")
        case let .valueNotFound(type, context): (context, "expected \(type), found null")
        @unknown default: (DecodingError.Context(codingPath: [], debugDescription: ""), "\(error)")
        }
        var path = context.codingPath
        if case let .keyNotFound(key, _) = error { path.append(key) }
        guard path.first?.stringValue == "cases", path.count >= 2, let index = path[1].intValue else {
            return "not an episode file (\(problem)); expected {\"cases\": [...]}"
        }
        let name = names.flatMap { index < $0.cases.count ? $0.cases[index].name : nil }
        let field = path.dropFirst(2).reduce("") { partial, key in
            key.intValue.map { "\(partial)[\($0)]" } ?? (partial.isEmpty ? key.stringValue : "\(partial).\(key.stringValue)")
        }
        let label = name.map { "case \(index) (\"\($0)\")" } ?? "case \(index)"
        return field.isEmpty ? "\(label): \(problem)" : "\(label), field \(field): \(problem)"
    }
}

/// One case's outputs under the fixture's field names.
struct CaseOutput: Encodable {
    var name: String
    var hebbian_predictions: [Int]
    var hebbian_scores: [[Double]]
    var hebbian_weights: [[Double]]
    var prototype_cosine_predictions: [Int]
    var prototype_euclidean_predictions: [Int]
    var prototype_hamming_predictions: [Int]
    var prototypes: [String: [Double]]

    init(_ result: FewShotCaseResult) {
        name = result.name
        hebbian_predictions = result.hebbianPredictions
        hebbian_scores = result.hebbianScores
        hebbian_weights = result.hebbianWeights
        prototype_cosine_predictions = result.prototypePredictions[.cosine] ?? []
        prototype_euclidean_predictions = result.prototypePredictions[.euclidean] ?? []
        prototype_hamming_predictions = result.prototypePredictions[.hamming] ?? []
        prototypes = Dictionary(uniqueKeysWithValues: result.prototypes.map { (String($0.key), $0.value) })
    }
}
