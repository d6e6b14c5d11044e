import EngramFewShot
import Foundation

/// Decoding an episode file with errors that name the case and the field.
public enum EpisodeFile {
    private struct File: Decodable { var cases: [FewShotCase] }
    private struct Names: Decodable {
        struct Name: Decodable { var name: String? }
        var cases: [Name]
    }

    /// Decodes the cases of an episode file.
    /// - Throws: ``DataFileError/malformedEpisodeFile(path:detail:)`` naming the case and the field.
    public static func decode(_ data: Data, path: String) throws -> [FewShotCase] {
        do {
            return try JSONDecoder().decode(File.self, from: data).cases
        } catch let error as DecodingError {
            throw DataFileError.malformedEpisodeFile(path: path, detail: describe(error, names: try? JSONDecoder().decode(Names.self, from: data)))
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
        if case .keyNotFound = error { return "\(label): missing field \(field)" }
        return field.isEmpty ? "\(label): \(problem)" : "\(label), field \(field): \(problem)"
    }
}

extension EpisodeFile {
    /// One case's outputs under the fixture's field names, for `engram fewshot run`.
    public struct CaseOutput: Encodable, Sendable {
        var name: String
        var hebbian_predictions: [Int]
        var hebbian_scores: [[Double]]
        var hebbian_weights: [[Double]]
        var prototype_cosine_predictions: [Int]
        var prototype_euclidean_predictions: [Int]
        var prototype_hamming_predictions: [Int]
        var prototypes: [String: [Double]]

        public init(_ result: FewShotCaseResult) {
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
}
