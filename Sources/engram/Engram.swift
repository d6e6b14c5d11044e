import ArgumentParser
import EngramServer

/// The `engram` command-line tool: thin parsing and printing over the Engram libraries.
@main
struct Engram: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engram",
        abstract: "Brain-inspired associative memory: a long-term memory for agents, few-shot learning in the spike domain, sentence embeddings.",
        version: EngramServerInfo.version,
        subcommands: [
            Demo.self, Remember.self, Recall.self, Chain.self, Forget.self, List.self, Stats.self, Import.self, Export.self,
            MCPCommand.self, Serve.self,
            FewShot.self, Embed.self, Bench.self,
        ]
    )
}
