import Foundation
@testable import EngramSpiking

/// The golden traces written by `Benchmarks/peers/make_spiking_fixtures.py` (snntorch 1.0.0 and
/// Brian2 2.9.0; the provenance of each is inside its file).
enum SpikingFixtures {
    struct Leaky: Decodable {
        struct Case: Decodable {
            var name: String
            var beta: Double
            var threshold: Double
            var reset_mechanism: String
            var reset_delay: Bool
            var steps: Int
            var neurons: Int
            var input: [Double]
            var spikes: [Double]
            var membrane: [Double]
        }
        var cases: [Case]
    }

    /// One Brian2 `NeuronGroup` run: I = 0 before `onset_step`, then `current[i]`.
    struct Group: Decodable {
        var steps: Int
        var onset_step: Int
        var current: [Double]
        var spike_steps: [Int]
        var spike_neurons: [Int]
        var dt_ms: Double
        var state: [String: [Double]]
        var parameters: [String: [Double]]

        var neurons: Int { current.count }

        /// The spike steps of neuron `i`.
        func spikeSteps(of i: Int) -> [Int] {
            zip(spike_steps, spike_neurons).filter { $0.1 == i }.map(\.0)
        }

        /// The trace of variable `name` of neuron `i`.
        func trace(_ name: String, of i: Int) -> [Double] {
            let values = state[name] ?? []
            return (0..<steps).map { values[$0 * neurons + i] }
        }

        /// The time-major input of neuron `i` alone.
        func input(of i: Int) -> [Double] {
            (0..<steps).map { $0 < onset_step ? 0 : current[i] }
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            steps = try c.decode(Int.self, forKey: Key(stringValue: "steps"))
            onset_step = try c.decode(Int.self, forKey: Key(stringValue: "onset_step"))
            current = try c.decode([Double].self, forKey: Key(stringValue: "current"))
            spike_steps = try c.decode([Int].self, forKey: Key(stringValue: "spike_steps"))
            spike_neurons = try c.decode([Int].self, forKey: Key(stringValue: "spike_neurons"))
            dt_ms = try c.decode(Double.self, forKey: Key(stringValue: "dt_ms"))
            state = [:]
            parameters = [:]
            let n = current.count
            for key in c.allKeys where !["spike_steps", "spike_neurons", "current"].contains(key.stringValue) {
                guard let values = try? c.decode([Double].self, forKey: key) else { continue }
                if values.count == steps * n {
                    state[key.stringValue] = values
                } else if values.count == n {
                    parameters[key.stringValue] = values
                }
            }
        }
    }

    struct Neurons: Decodable {
        var izhikevich: Group
        var adaptive_lif: Group
        var homeostatic_lif: Group
    }

    struct Plasticity: Decodable {
        struct Rule: Decodable {
            var params: [String: Double]
            var weights: [Double]
        }
        var steps: Int
        var pre: Int
        var post: Int
        var dt_ms: Double
        var pre_spike_steps: [Int]
        var pre_spike_neurons: [Int]
        var post_spike_steps: [Int]
        var post_spike_neurons: [Int]
        var initial_weights: [Double]
        var modulator: [Double]
        var rules: [String: Rule]

        /// 0/1 spikes, time-major, of the pre or post group.
        func spikes(pre isPre: Bool) -> [[Bool]] {
            let n = isPre ? pre : post
            var rows = [[Bool]](repeating: [Bool](repeating: false, count: n), count: steps)
            for (t, i) in zip(isPre ? pre_spike_steps : post_spike_steps, isPre ? pre_spike_neurons : post_spike_neurons) {
                rows[t][i] = true
            }
            return rows
        }
    }

    static func load<T: Decodable>(_ name: String, as type: T.Type) -> T {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json") else {
            fatalError("\(name).json is missing from the test resources")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read \(name).json: \(error)")
        }
    }

    static let leaky = load("snntorch-leaky", as: Leaky.self)
    static let neurons = load("brian2-neurons", as: Neurons.self)
    static let plasticity = load("brian2-plasticity", as: Plasticity.self)

    /// The largest relative difference, `|a − b| / max(1, |b|)`.
    static func maxRelativeError(_ got: [Double], _ want: [Double]) -> Double {
        precondition(got.count == want.count)
        return zip(got, want).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    }
}
