import CEngramKernels
import EngramKernels

/// The postsynaptic pathway of pair STDP, deferred: a postsynaptic spike sets a bit instead of
/// writing every synapse onto its neuron at once (a random write into the weights for each), and
/// each synapse takes the spikes it missed when its presynaptic row is next walked: at its
/// neuron's next spike, when one of its spikes arrives, or at the end of an epoch of 64 steps.
///
/// A synapse takes its missed spikes in time order, each with the presynaptic trace of its step,
/// recomputed from the last snapshot by the same multiplications the eager decay does, and before
/// any later presynaptic update. The weights are therefore the eager ones, bit for bit.
@usableFromInline
internal struct DeferredPairPathway<Scalar: KernelScalar>: Sendable {
    /// The steps of one epoch, one bit each in ``postSpikes``.
    static var epochLength: Int { 64 }

    /// The first step of the current epoch.
    var epochStart: Int
    /// The last step run.
    var lastStep: Int
    /// Bit `b` of `postSpikes[j]`: postsynaptic neuron `j` fired at step `epochStart + b`.
    var postSpikes: [UInt64]
    /// The last step whose postsynaptic spikes the synapses of each delivery run have taken.
    var settled: [Int]
    /// The presynaptic trace of each neuron at step ``snapshotStep``: its last spike or the end of
    /// the last epoch, whichever is later (so at most one epoch before any missed spike).
    var snapshot: [Scalar]
    var snapshotStep: [Int]
    /// The presynaptic trace of one neuron at `snapshotStep + k`, the first `traceCount` known.
    var traceTable: [Scalar]
    /// The weights in the order of the delivery plan's positions, which every walk follows (the
    /// synapses' own weights are stale while these live).
    var weights: [Scalar]

    init(pre: Int, post: Int, runs: Int, traces: [Scalar], weights: [Scalar], step: Int) {
        (epochStart, lastStep) = (step, step - 1)
        postSpikes = [UInt64](repeating: 0, count: post)
        settled = [Int](repeating: step - 1, count: runs)
        snapshot = traces
        snapshotStep = [Int](repeating: step - 1, count: pre)
        traceTable = [Scalar](repeating: 0, count: Self.epochLength + 2)
        self.weights = weights
    }
}

extension PlasticSynapses {
    /// Prepares these synapses for a network that starts at `step`: pair STDP defers its
    /// postsynaptic pathway (see ``DeferredPairPathway``); the other rules stay as they are.
    mutating func joinNetwork(at step: Int) {
        guard case .pair = rule else { return }
        deferred = DeferredPairPathway(
            pre: synapses.preCount, post: synapses.postCount, runs: plan.runCount, traces: preTraces[0],
            weights: plan.synapse.map { synapses.weights[Int($0)] }, step: step)
    }

    /// These synapses with every deferred update applied, as the eager rule would have left them.
    var settledSynapses: Synapses<Scalar> {
        guard case let .pair(r) = rule, let deferred else { return synapses }
        var copy = self
        copy.withPairKernel(r) { kernel in
            for i in 0..<kernel.preCount { kernel.settle(neuron: i, through: deferred.lastStep) }
        }
        var settled = synapses
        if let weights = copy.deferred?.weights {
            for (p, k) in plan.synapse.enumerated() { settled.weights[Int(k)] = weights[p] }
        }
        return settled
    }

    /// One step of a plastic projection inside a network: the rule (pair STDP with its deferred
    /// postsynaptic pathway, the other rules as ``apply(pre:post:modulator:)``), then the delivery
    /// of the spikes that arrive at the next step with the weights they find.
    ///
    /// - Parameters:
    ///   - pre: The presynaptic neurons that fired at step `t`.
    ///   - post: The postsynaptic neurons that fired at step `t`.
    ///   - arriving: `arriving(d)` lists the presynaptic neurons that fired at step `t − d + 1`,
    ///     whose synapses of delay `d` deliver now.
    ///   - ring: The postsynaptic ring buffer; `nextRow` is the offset of step `t + 1`'s inputs.
    /// - Returns: The synaptic events of step `t`'s presynaptic spikes, one per synapse, counted
    ///   when the spike leaves as for static projections (so a spike whose delay runs past the
    ///   end of a run still counts).
    mutating func networkStep(
        step t: Int, pre: UnsafeBufferPointer<Int32>, post: UnsafeBufferPointer<Int32>, modulator: Scalar,
        arriving: (Int) -> [Int32], ring: UnsafeMutableBufferPointer<Scalar>, nextRow: Int
    ) -> Int {
        let plan = plan
        let events = pre.reduce(0) { $0 + plan.synapseCount(of: Int($1)) }
        guard case let .pair(r) = rule, deferred != nil else {
            apply(pre: pre, post: post, modulator: modulator)
            synapses.weights.withUnsafeBufferPointer { w in
                for d in 1...max(1, synapses.maxDelay) {
                    for i in arriving(d) {
                        guard let run = plan.run(of: Int(i), delay: d) else { continue }
                        for p in plan.positions(ofRun: run) { ring[nextRow + Int(plan.targets[p])] += w[Int(plan.synapse[p])] }
                    }
                }
            }
            return events
        }
        decay(&preTraces[0], r.tauPre)
        decay(&postTraces[0], r.tauPost)
        let maxDelay = max(1, synapses.maxDelay)
        let endsEpoch = t + 1 - (deferred?.epochStart ?? 0) == DeferredPairPathway<Scalar>.epochLength
        withPairKernel(r) { kernel in
            // Presynaptic spikes: each row takes its missed postsynaptic spikes, then w += apost.
            for i in pre {
                let i = Int(i)
                kernel.settle(neuron: i, through: t - 1, potentiating: true)
                kernel.preTrace[i] += r.aPre
                kernel.snapshot[i] = kernel.preTrace[i]
                kernel.snapshotStep[i] = t
            }
            // Postsynaptic spikes: the trace and a bit, no weight yet.
            let bit = UInt64(1) << UInt64(t - kernel.epochStart)
            for j in post {
                kernel.postTrace[Int(j)] += r.aPost
                kernel.postSpikes[Int(j)] |= bit
            }
            // Arrivals at step t + 1 carry the weights as they are after step t.
            guard let row = ring.baseAddress.map({ $0 + nextRow }) else { return }
            for d in 1...maxDelay {
                let fired = arriving(d)
                var next = fired.first.flatMap { plan.run(of: Int($0), delay: d) }
                for f in fired.indices {
                    let run = next
                    if f + 4 < fired.count { kernel.prefetchRuns(of: Int(fired[f + 4])) }
                    next = f + 1 < fired.count ? plan.run(of: Int(fired[f + 1]), delay: d) : nil
                    if let next { kernel.prefetch(run: next) }
                    guard let run else { continue }
                    kernel.settle(neuron: Int(fired[f]), runs: run..<(run + 1), through: t, into: row)
                }
            }
            if endsEpoch {
                for i in 0..<kernel.preCount { kernel.settle(neuron: i, through: t) }
            }
        }
        deferred?.lastStep = t
        if endsEpoch, var deferred {
            self.deferred = nil
            deferred.snapshot = preTraces[0]
            for i in deferred.snapshotStep.indices { deferred.snapshotStep[i] = t }
            for j in deferred.postSpikes.indices { deferred.postSpikes[j] = 0 }
            deferred.epochStart = t + 1
            self.deferred = deferred
        }
        return events
    }

    /// Calls `body` with a ``PairKernel`` over these synapses' arrays and the deferred pathway.
    private mutating func withPairKernel(_ r: PairSTDP<Scalar>, _ body: (inout PairKernel<Scalar>) -> Void) {
        guard var deferred else { return }
        self.deferred = nil
        defer { self.deferred = deferred }
        let plan = plan, factor = Scalar.exponential(-dt / r.tauPre)
        plan.firstRun.withUnsafeBufferPointer { firstRun in
        plan.runs.withUnsafeBufferPointer { runs in
        plan.targets.withUnsafeBufferPointer { targets in
        deferred.weights.withUnsafeMutableBufferPointer { weights in
        preTraces[0].withUnsafeMutableBufferPointer { preTrace in
        postTraces[0].withUnsafeMutableBufferPointer { postTrace in
        deferred.postSpikes.withUnsafeMutableBufferPointer { postSpikes in
        deferred.settled.withUnsafeMutableBufferPointer { settled in
        deferred.snapshot.withUnsafeMutableBufferPointer { snapshot in
        deferred.snapshotStep.withUnsafeMutableBufferPointer { snapshotStep in
        deferred.traceTable.withUnsafeMutableBufferPointer { table in
            var kernel = PairKernel(
                firstRun: firstRun, runs: runs, targets: targets, weights: weights,
                preTrace: preTrace, postTrace: postTrace, postSpikes: postSpikes, settled: settled,
                snapshot: snapshot, snapshotStep: snapshotStep, table: table,
                epochStart: deferred.epochStart, factor: factor, wMin: r.wMin, wMax: r.wMax, additive: r.bounds == .additive)
            body(&kernel)
        } } } } } } } } } } }
    }
}

/// The arrays of a plastic projection with a deferred pair pathway, for the duration of one step
/// (a handle over buffers that one `withUnsafe…` scope lends; never stored).
internal struct PairKernel<Scalar: KernelScalar> {
    let firstRun: UnsafeBufferPointer<Int32>
    let runs: UnsafeBufferPointer<Int32>
    let targets: UnsafeBufferPointer<UInt32>
    /// The weights in plan order.
    let weights: UnsafeMutableBufferPointer<Scalar>
    let preTrace: UnsafeMutableBufferPointer<Scalar>
    let postTrace: UnsafeMutableBufferPointer<Scalar>
    let postSpikes: UnsafeMutableBufferPointer<UInt64>
    let settled: UnsafeMutableBufferPointer<Int>
    let snapshot: UnsafeMutableBufferPointer<Scalar>
    let snapshotStep: UnsafeMutableBufferPointer<Int>
    let table: UnsafeMutableBufferPointer<Scalar>
    let epochStart: Int
    let factor: Scalar
    let wMin: Scalar, wMax: Scalar
    let additive: Bool

    var preCount: Int { firstRun.count - 1 }

    /// Prefetches neuron `i`'s entries in `firstRun` and `runs`.
    @inline(__always)
    func prefetchRuns(of i: Int) {
        engram_prefetch(firstRun.baseAddress.unsafelyUnwrapped + i)
        engram_prefetch(runs.baseAddress.unsafelyUnwrapped + 2 * Int(firstRun[i]))
    }

    /// Prefetches the targets and weights of run `r`.
    @inline(__always)
    func prefetch(run r: Int) {
        let (from, to) = (Int(runs[2 * r]), Int(runs[2 * r + 2]))
        DeliveryPlan<Scalar>.prefetch(targets, from, to)
        DeliveryPlan<Scalar>.prefetch(UnsafeBufferPointer(weights), from, to)
    }

    /// Every run of neuron `i` takes its missed postsynaptic spikes up to step `t`; with
    /// `potentiating`, each synapse then takes the presynaptic update `w += apost` (or `apost · w`).
    @inline(__always)
    func settle(neuron i: Int, through t: Int, potentiating: Bool = false) {
        let runs = Int(firstRun[i])..<Int(firstRun[i + 1])
        if potentiating {
            let (lo, hi, additive, apost) = (wMin, wMax, additive, postTrace)
            settle(neuron: i, runs: runs, through: t) { w, j in
                let dw = additive ? apost[j] : apost[j] * w
                w = min(max(w + dw, lo), hi)
            }
        } else {
            settle(neuron: i, runs: runs, through: t) { _, _ in }
        }
    }

    /// As above for the runs `runs` of neuron `i`, then adds each weight to `row[post]`.
    @inline(__always)
    func settle(neuron i: Int, runs: Range<Int>, through t: Int, into row: UnsafeMutablePointer<Scalar>) {
        settle(neuron: i, runs: runs, through: t) { w, j in row[j] += w }
    }

    /// The synapses of neuron `i`'s runs `runs` take, in time order, the postsynaptic spikes
    /// they missed up to step `t` (pair STDP's `w = clip(w + apre, …)` or
    /// `clip(w + apre · (wMax − w), …)` with the presynaptic trace of each spike's step,
    /// recomputed from the snapshot), then `then(&w, post)` each.
    @inline(__always)
    func settle(neuron i: Int, runs: Range<Int>, through t: Int, then: (inout Scalar, Int) -> Void) {
        let (start, age0, lo, hi, additive) = (epochStart, epochStart - snapshotStep[i], wMin, wMax, additive)
        var known = 0
        for run in runs {
            let from = settled[run] + 1 - start
            settled[run] = t
            let window = from > t - start ? 0 : (~UInt64(0) << UInt64(from)) & (~UInt64(0) >> UInt64(63 - (t - start)))
            for p in Int(self.runs[2 * run])..<Int(self.runs[2 * run + 2]) {
                let j = Int(targets[p])
                var weight = weights[p]
                var missed = postSpikes[j] & window
                while missed != 0 {
                    let age = age0 + missed.trailingZeroBitCount
                    while known <= age {
                        table[known] = known == 0 ? snapshot[i] : table[known - 1] * factor
                        known += 1
                    }
                    let dw = additive ? table[age] : table[age] * (hi - weight)
                    weight = min(max(weight + dw, lo), hi)
                    missed &= missed - 1
                }
                then(&weight, j)
                weights[p] = weight
            }
        }
    }
}
