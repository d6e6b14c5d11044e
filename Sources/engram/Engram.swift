import ArgumentParser

/// The `engram` command-line tool: thin parsing and printing over the Engram libraries.
@main
struct Engram: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engram",
        abstract: "Brain-inspired associative memory: few-shot learning in the spike domain, sentence embeddings.",
        version: "0.1.0",
        subcommands: [FewShot.self, Embed.self, Bench.self]
    )
}
