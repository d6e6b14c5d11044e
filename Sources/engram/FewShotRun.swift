import ArgumentParser
import EngramBenchmarks
import EngramData
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
            throw CommandFailure("cannot read \(episodes): \(error.localizedDescription)")
        }
        let cases: [FewShotCase]
        do {
            cases = try EpisodeFile.decode(data, path: episodes)
        } catch {
            throw CommandFailure("\(error)")
        }
        var outputs: [EpisodeFile.CaseOutput] = []
        for (index, episode) in cases.enumerated() {
            do {
                outputs.append(EpisodeFile.CaseOutput(try episode.run()))
            } catch let error as FewShotError {
                throw CommandFailure("\(episodes): case \(index) (\"\(episode.name)\"): \(error)")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(["cases": outputs])
        FileHandle.standardOutput.write(json)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}

