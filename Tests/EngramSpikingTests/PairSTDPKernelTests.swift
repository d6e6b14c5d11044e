import CEngramKernels
import EngramKernels
import Testing

/// The C walks of pair STDP in a network against the Swift rule's expressions, bit for bit: the
/// dispatching entry (AVX-512 where the machine has it) and the portable loop (what runs on ARM
/// and on x86-64 without AVX-512), in both precisions and both forms, with weights pushed past
/// both bounds.
@Suite("Pair STDP's C walks against the Swift rule")
struct PairSTDPKernelTests {
    static let (lo, hi) = (-0.05, 0.2)

    /// 37 synapses (two full AVX-512 chunks of float32 and a masked one; four of float64 and one
    /// masked) onto 50 neurons, with traces large enough to clip.
    static func data<Scalar: KernelScalar>(_: Scalar.Type, seed: UInt64) -> (targets: [UInt32], weights: [Scalar], traces: [Scalar]) {
        var generator = SeededGenerator(seed: seed)
        let targets = (0..<37).map { _ in UInt32(generator.next() % 50) }
        let weights = (0..<37).map { k in k % 9 == 0 ? Scalar(hi) : Scalar(lo + (hi - lo) * generator.nextUnitDouble()) }
        let traces = (0..<50).map { _ in Scalar(0.3 * generator.nextUnitDouble() - 0.15) }
        return (targets, weights, traces)
    }

    static func clip<Scalar: KernelScalar>(_ value: Scalar) -> Scalar { min(max(value, Scalar(lo)), Scalar(hi)) }

    static func bytes<Scalar: KernelScalar>(_ values: [Scalar]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    @Test("the presynaptic walk, float32 and float64, dispatching and portable", arguments: [true, false])
    func presynapticUpdate(additive: Bool) {
        let bounds = engram_pair_bounds(w_min: Self.lo, w_max: Self.hi, additive: additive ? 1 : 0)
        let (targets, weights32, traces32) = Self.data(Float.self, seed: 3)
        let expected32 = weights32.indices.map { k in
            let (w, a) = (weights32[k], traces32[Int(targets[k])])
            return Self.clip(w + (additive ? a : a * w))
        }
        for walk in [engram_pair_pre_update_f32, engram_pair_pre_update_portable_f32] {
            var w = weights32
            walk(targets, &w, w.count, traces32, bounds)
            #expect(Self.bytes(w) == Self.bytes(expected32))
        }
        let (_, weights64, traces64) = Self.data(Double.self, seed: 3)
        let expected64 = weights64.indices.map { k in
            let (w, a) = (weights64[k], traces64[Int(targets[k])])
            return Self.clip(w + (additive ? a : a * w))
        }
        for walk in [engram_pair_pre_update_f64, engram_pair_pre_update_portable_f64] {
            var w = weights64
            walk(targets, &w, w.count, traces64, bounds)
            #expect(Self.bytes(w) == Self.bytes(expected64))
        }
        if additive { #expect(expected32.contains(Float(Self.hi)) && expected32.contains(Float(Self.lo)), "both bounds must clip") }
    }

    @Test("the postsynaptic walk over the columns of the neurons that fired", arguments: [true, false])
    func postsynapticUpdate(additive: Bool) {
        let bounds = engram_pair_bounds(w_min: Self.lo, w_max: Self.hi, additive: additive ? 1 : 0)
        // Three postsynaptic neurons with 5, 0 and 12 synapses at distinct positions of 37.
        let columnStart = [0, 5, 5, 17]
        var generator = SeededGenerator(seed: 5)
        let positions = Array((0..<37).map(Int32.init).shuffled(using: &generator).prefix(17))
        let sources = (0..<17).map { _ in Int32(generator.next() % 50) }
        let fired: [Int32] = [2, 1, 0]
        let (_, weights, traces) = Self.data(Float.self, seed: 4)
        var expected = weights
        for j in fired {
            for k in columnStart[Int(j)]..<columnStart[Int(j) + 1] {
                let (p, a) = (Int(positions[k]), traces[Int(sources[k])])
                expected[p] = Self.clip(expected[p] + (additive ? a : a * (Float(Self.hi) - expected[p])))
            }
        }
        var w = weights
        engram_pair_post_update_f32(fired, fired.count, columnStart, positions, sources, &w, traces, bounds)
        #expect(Self.bytes(w) == Self.bytes(expected))
        #expect(w != weights, "the walk must change weights")

        let (_, weights64, traces64) = Self.data(Double.self, seed: 4)
        var expected64 = weights64
        for j in fired {
            for k in columnStart[Int(j)]..<columnStart[Int(j) + 1] {
                let (p, a) = (Int(positions[k]), traces64[Int(sources[k])])
                expected64[p] = Self.clip(expected64[p] + (additive ? a : a * (Self.hi - expected64[p])))
            }
        }
        var w64 = weights64
        engram_pair_post_update_f64(fired, fired.count, columnStart, positions, sources, &w64, traces64, bounds)
        #expect(Self.bytes(w64) == Self.bytes(expected64))
    }
}
