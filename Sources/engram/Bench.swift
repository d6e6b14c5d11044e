import ArgumentParser
import EngramData

/// `engram bench …`: the benchmarks, as tables or JSON.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Engram's speed; figures are meant to be compared with peers run side by side.",
        subcommands: [
            BenchFewShot.self, BenchEncode.self, BenchAssociative.self, BenchStore.self, BenchLoCoMo.self, BenchRecall.self,
            BenchScale.self, BenchServe.self, BenchMQAR.self, BenchSpiking.self, BenchSTDPFeatures.self,
        ]
    )
}
