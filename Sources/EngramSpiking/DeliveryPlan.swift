import CEngramKernels
import EngramKernels

/// A projection's synapses laid out for delivery: each presynaptic neuron's synapses grouped by
/// delay into runs of contiguous 32-bit postsynaptic indices, so a spike adds one contiguous run
/// of weights into one ring row per delay and reads no delay per synapse.
///
/// The grouping is a stable sort of each neuron's synapses by delay, so the synapses of one delay
/// keep the order of the weights. Every postsynaptic input therefore sums the same weights in the
/// same order as a delivery synapse by synapse in the order of the weights: the sums are exact,
/// bit for bit (a spike's contributions to one input row never come from two runs).
@usableFromInline
internal struct DeliveryPlan<Scalar: KernelScalar>: Sendable {
    /// The runs of presynaptic neuron `i`: `firstRun[i] ..< firstRun[i + 1]`.
    let firstRun: [Int32]
    /// Run `r` covers the positions `runs[2r] ..< runs[2r + 2]` and has the delay `runs[2r + 1]`
    /// (interleaved, so a spike's runs sit in one or two cache lines); a last entry ends the
    /// last run.
    let runs: [Int32]
    /// The postsynaptic neuron at each position.
    let targets: [UInt32]
    /// The index into `Synapses.weights` of each position.
    let synapse: [Int32]
    /// The weights in position order: a copy for fixed synapses, empty for plastic ones (whose
    /// weights change, and are read through ``synapse``).
    let weights: [Scalar]

    /// The plan of `synapses`; `copyWeights` for synapses that never change.
    init(_ synapses: Synapses<Scalar>, copyWeights: Bool) {
        let (m, n) = (synapses.preCount, synapses.postCount)
        var firstRun = [Int32](repeating: 0, count: m + 1)
        var runs: [Int32] = [], targets: [UInt32] = [], synapse: [Int32] = []
        targets.reserveCapacity(synapses.synapseCount)
        synapse.reserveCapacity(synapses.synapseCount)
        var byDelay = [[Int]](repeating: [], count: synapses.maxDelay + 1)
        for i in 0..<m {
            let rows = synapses.isDense ? (i * n)..<((i + 1) * n) : synapses.rowStart[i]..<synapses.rowStart[i + 1]
            for d in byDelay.indices { byDelay[d].removeAll(keepingCapacity: true) }
            for k in rows { byDelay[synapses.delay(ofSynapse: k, from: i)].append(k) }
            for (d, members) in byDelay.enumerated() where !members.isEmpty {
                runs.append(Int32(targets.count))
                runs.append(Int32(d))
                for k in members {
                    targets.append(UInt32(synapses.isDense ? k - i * n : Int(synapses.columns[k])))
                    synapse.append(Int32(k))
                }
            }
            firstRun[i + 1] = Int32(runs.count / 2)
        }
        runs.append(Int32(targets.count))
        (self.firstRun, self.runs, self.targets, self.synapse) = (firstRun, runs, targets, synapse)
        weights = copyWeights ? synapse.map { synapses.weights[Int($0)] } : []
    }

    /// The runs of presynaptic neuron `i`.
    func runRange(of i: Int) -> Range<Int> { Int(firstRun[i])..<Int(firstRun[i + 1]) }

    /// The number of synapses of presynaptic neuron `i`, over all its delays.
    func synapseCount(of i: Int) -> Int { Int(runs[2 * Int(firstRun[i + 1])]) - Int(runs[2 * Int(firstRun[i])]) }

    /// The positions of run `r`.
    func positions(ofRun r: Int) -> Range<Int> { Int(runs[2 * r])..<Int(runs[2 * r + 2]) }

    /// Neuron `i`'s run of delay `d`, or nil when it has no synapse of that delay (a binary
    /// search: a neuron's runs rise by delay).
    @inline(__always)
    func run(of i: Int, delay d: Int) -> Int? {
        var range = runRange(of: i)
        while !range.isEmpty {
            let middle = range.lowerBound + range.count / 2
            let delay = Int(runs[2 * middle + 1])
            if delay == d { return middle }
            range = delay < d ? (middle + 1)..<range.upperBound : range.lowerBound..<middle
        }
        return nil
    }

    /// Adds the weights of the runs of every neuron in `fired` to the ring rows of their delays.
    ///
    /// While it adds one spike's runs it prefetches what the next spikes need (their run entries
    /// two spikes ahead, their targets and weights one spike ahead), so the cache misses of
    /// several spikes overlap instead of following one another.
    ///
    /// - Parameters:
    ///   - fired: The presynaptic neurons that fired.
    ///   - ring: The postsynaptic ring buffer.
    ///   - rowOffset: The ring offset of the input row `delay` steps ahead, for delays 0 ... max.
    /// - Returns: The synaptic events delivered.
    @inline(__always)
    func deliver(
        _ fired: UnsafeBufferPointer<Int32>, into ring: UnsafeMutableBufferPointer<Scalar>, rowOffset: UnsafeBufferPointer<Int>
    ) -> Int {
        precondition(!weights.isEmpty || targets.isEmpty, "DeliveryPlan.deliver: a plan of fixed synapses holds their weights")
        var events = 0
        firstRun.withUnsafeBufferPointer { firstRun in
            runs.withUnsafeBufferPointer { runs in
                targets.withUnsafeBufferPointer { targets in
                    weights.withUnsafeBufferPointer { weights in
                        guard let base = ring.baseAddress else { return }
                        let count = fired.count
                        for f in 0..<count {
                            if f + 8 < count { engram_prefetch(firstRun.baseAddress! + Int(fired[f + 8])) }
                            if f + 4 < count { engram_prefetch(runs.baseAddress! + 2 * Int(firstRun[Int(fired[f + 4])])) }
                            if f + 2 < count {
                                let next = Int(fired[f + 2])
                                let (from, to) = (Int(runs[2 * Int(firstRun[next])]), Int(runs[2 * Int(firstRun[next + 1])]))
                                Self.prefetch(targets, from, to)
                                Self.prefetch(weights, from, to)
                            }
                            let i = Int(fired[f])
                            for r in Int(firstRun[i])..<Int(firstRun[i + 1]) {
                                let row = base + rowOffset[Int(runs[2 * r + 1])]
                                let (start, end) = (Int(runs[2 * r]), Int(runs[2 * r + 2]))
                                events += end - start
                                for p in start..<end { row[Int(targets[p])] += weights[p] }
                            }
                        }
                    }
                }
            }
        }
        return events
    }

    /// Prefetches the cache lines of `values[from ..< to]`.
    @inline(__always)
    static func prefetch<T>(_ values: UnsafeBufferPointer<T>, _ from: Int, _ to: Int) {
        guard from < to, let start = values.baseAddress else { return }
        let last = UnsafeRawPointer(start + to)
        var line = UnsafeRawPointer(bitPattern: UInt(bitPattern: UnsafeRawPointer(start + from)) & ~UInt(63)).unsafelyUnwrapped
        while line < last {
            engram_prefetch(line)
            line += 64
        }
    }
}
