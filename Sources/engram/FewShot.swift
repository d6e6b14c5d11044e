import ArgumentParser

/// `engram fewshot …`: run the few-shot learners on episode files or data sets.
struct FewShot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fewshot",
        abstract: "Few-shot learning with the Hebbian class memory and the prototype network.",
        subcommands: [FewShotRun.self, FewShotEval.self]
    )
}
