import Foundation
import Testing
@testable import EngramBenchmarks

/// The spiking benchmark on a small network: its wiring, a run, and the files for the peers.
@Suite("SpikingBenchmark")
struct SpikingBenchmarkTests {
    static var small: SpikingBenchmark.Configuration {
        var c = SpikingBenchmark.Configuration()
        c.neurons = 200
        c.fanOut = 10
        c.steps = 100
        return c
    }

    @Test("the network has fanOut distinct targets per neuron, no self-synapse, delays in range")
    func wiring() {
        let c = Self.small
        let network = SpikingBenchmark.makeNetwork(c)
        #expect(network.pre.count == c.neurons * c.fanOut)
        for i in 0..<c.neurons {
            let targets = network.post[(i * c.fanOut)..<((i + 1) * c.fanOut)]
            #expect(Set(targets).count == c.fanOut)
            #expect(!targets.contains(Int32(i)))
        }
        #expect(network.delays.allSatisfy { $0 >= 1 && $0 <= Int32(c.maxDelay) })
        #expect(network.weights.filter { $0 < 0 }.count == (c.neurons - c.excitatory) * c.fanOut)
        #expect(SpikingBenchmark.makeNetwork(c).currents == network.currents, "the seed fixes the network")
    }

    @Test("a run fires and delivers one event per synapse of each spike")
    func run() throws {
        let network = SpikingBenchmark.makeNetwork(Self.small)
        for stdp in [false, true] {
            let run = try SpikingBenchmark.run(network, stdp: stdp, repeats: 1, as: Float.self)
            #expect(run.spikes > 0)
            #expect(run.events == run.spikes * Self.small.fanOut)
        }
    }

    @Test("the peers' files hold the arrays in the documented layout")
    func files() throws {
        let network = SpikingBenchmark.makeNetwork(Self.small)
        try TemporaryDirectory.with { directory in
            try SpikingBenchmark.write(network, to: directory.url)
            let post = try Data(contentsOf: directory.url.appendingPathComponent("post.i32"))
            #expect(post.count == network.post.count * 4)
            let currents = try Data(contentsOf: directory.url.appendingPathComponent("current.f64"))
            let first = currents.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: Double.self) }
            #expect(first == network.currents[0])
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.url.appendingPathComponent("configuration.json"))) as? [String: Any]
            #expect(json?["neurons"] as? Int == 200)
            #expect(json?["excitatory"] as? Int == 160)
        }
    }
}
