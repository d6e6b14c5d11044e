import CEngramKernels
import EngramKernels

/// Pair STDP laid out for a network: the weights in the order of the delivery plan, so that a
/// presynaptic spike's update and its deliveries read one contiguous run of weights per delay, and
/// the synapses onto each postsynaptic neuron as positions into them, for its spike's update.
///
/// The rule is the eager one of ``PlasticSynapses/apply(pre:post:modulator:)``, synapse for
/// synapse and operation for operation: only the order in which the weights are stored differs, so
/// the weights are the same bit for bit.
@usableFromInline
internal struct PairSTDPInNetwork<Scalar: KernelScalar>: Sendable {
    /// The weights in the order of the delivery plan's positions (the synapses' own weights are
    /// stale while these live).
    var weights: [Scalar]
    /// The plan position of each entry of ``PlasticSynapses``' column index `byPost`, so that a
    /// postsynaptic spike finds the weights of the synapses onto its neuron.
    let columnPosition: [Int32]

    init(_ synapses: Synapses<Scalar>, plan: DeliveryPlan<Scalar>, byPost: [Int32]) {
        weights = plan.synapse.map { synapses.weights[Int($0)] }
        var positionOfSynapse = [Int32](repeating: 0, count: plan.synapse.count)
        for (p, k) in plan.synapse.enumerated() { positionOfSynapse[Int(k)] = Int32(p) }
        columnPosition = byPost.map { positionOfSynapse[Int($0)] }
    }
}

extension PlasticSynapses {
    /// Prepares these synapses for a network: pair STDP in Float or Double moves its weights into
    /// plan order (see ``PairSTDPInNetwork``); the other rules and scalar types stay as they are.
    mutating func joinNetwork() {
        guard case .pair = rule, Scalar.self == Float.self || Scalar.self == Double.self else { return }
        inNetwork = PairSTDPInNetwork(synapses, plan: plan, byPost: byPost)
    }

    /// These synapses with their current weights.
    var settledSynapses: Synapses<Scalar> {
        guard let inNetwork else { return synapses }
        var settled = synapses
        for (p, k) in plan.synapse.enumerated() { settled.weights[Int(k)] = inNetwork.weights[p] }
        return settled
    }

    /// One step of a plastic projection inside a network: the rule, then the delivery of the
    /// spikes that arrive at the next step with the weights they find.
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
        let maxDelay = max(1, synapses.maxDelay)
        guard case let .pair(r) = rule, var state = inNetwork else {
            apply(pre: pre, post: post, modulator: modulator)
            synapses.weights.withUnsafeBufferPointer { w in
                for d in 1...maxDelay {
                    for i in arriving(d) {
                        guard let run = plan.run(of: Int(i), delay: d) else { continue }
                        for p in plan.positions(ofRun: run) { ring[nextRow + Int(plan.targets[p])] += w[Int(plan.synapse[p])] }
                    }
                }
            }
            return events
        }
        inNetwork = nil  // `state` holds the only reference to the weights while it changes them
        defer { inNetwork = state }
        decay(&preTraces[0], r.tauPre)
        decay(&postTraces[0], r.tauPost)
        let (columnStart, columnPosition, columnSource) = (byPostStart, state.columnPosition, byPostPre)
        let bounds = engram_pair_bounds(w_min: Double(r.wMin), w_max: Double(r.wMax), additive: r.bounds == .additive ? 1 : 0)
        plan.firstRun.withUnsafeBufferPointer { firstRun in
        plan.runs.withUnsafeBufferPointer { runs in
        plan.targets.withUnsafeBufferPointer { targets in
        state.weights.withUnsafeMutableBufferPointer { weights in
        preTraces[0].withUnsafeMutableBufferPointer { preTrace in
        postTraces[0].withUnsafeMutableBufferPointer { postTrace in
            let walk = PairWalk(firstRun: firstRun, runs: runs, targets: targets, weights: weights, bounds: bounds)
            // Presynaptic spikes: apre += Apre, then w += apost on every synapse of the neuron.
            for f in pre.indices {
                if f + 2 < pre.count { walk.prefetch(walk.positions(of: Int(pre[f + 2]))) }
                let i = Int(pre[f])
                preTrace[i] += r.aPre
                walk.updateOnPresynapticSpike(walk.positions(of: i), with: UnsafeBufferPointer(postTrace))
            }
            // Postsynaptic spikes: apost += Apost, then w += apre on every synapse onto the neuron.
            for j in post { postTrace[Int(j)] += r.aPost }
            walk.updateOnPostsynapticSpikes(onto: post, columnStart: columnStart, positions: columnPosition, sources: columnSource,
                         with: UnsafeBufferPointer(preTrace))
            // Arrivals at step t + 1 carry the weights as they are after step t.
            for d in 1...maxDelay {
                let fired = arriving(d)
                var next = fired.first.flatMap { plan.run(of: Int($0), delay: d) }
                for f in fired.indices {
                    let run = next
                    if f + 4 < fired.count { walk.prefetchRuns(of: Int(fired[f + 4])) }
                    next = f + 1 < fired.count ? plan.run(of: Int(fired[f + 1]), delay: d) : nil
                    if let next { walk.prefetch(plan.positions(ofRun: next)) }
                    guard let run else { continue }
                    for p in plan.positions(ofRun: run) { ring[nextRow + Int(targets[p])] += weights[p] }
                }
            }
        } } } } } }
        return events
    }
}

/// The plan of a plastic projection over its weights in plan order, for the duration of one step
/// (a handle over buffers that one `withUnsafe…` scope lends; never stored).
private struct PairWalk<Scalar: KernelScalar> {
    let firstRun: UnsafeBufferPointer<Int32>
    let runs: UnsafeBufferPointer<Int32>
    let targets: UnsafeBufferPointer<UInt32>
    let weights: UnsafeMutableBufferPointer<Scalar>
    let bounds: engram_pair_bounds

    /// The positions of presynaptic neuron `i`'s synapses (all its runs, contiguous).
    func positions(of i: Int) -> Range<Int> { Int(runs[2 * Int(firstRun[i])])..<Int(runs[2 * Int(firstRun[i + 1])]) }

    /// Prefetches neuron `i`'s entries in `firstRun` and `runs`.
    @inline(__always)
    func prefetchRuns(of i: Int) {
        engram_prefetch(firstRun.baseAddress.unsafelyUnwrapped + i)
        engram_prefetch(runs.baseAddress.unsafelyUnwrapped + 2 * Int(firstRun[i]))
    }

    /// Prefetches the targets and weights at `positions`.
    @inline(__always)
    func prefetch(_ positions: Range<Int>) {
        DeliveryPlan<Scalar>.prefetch(targets, positions.lowerBound, positions.upperBound)
        DeliveryPlan<Scalar>.prefetch(UnsafeBufferPointer(weights), positions.lowerBound, positions.upperBound)
    }

    /// The presynaptic update of the synapses at `positions` with the postsynaptic traces.
    func updateOnPresynapticSpike(_ positions: Range<Int>, with postTrace: UnsafeBufferPointer<Scalar>) {
        let (targets, count) = (targets.baseAddress.unsafelyUnwrapped + positions.lowerBound, positions.count)
        let weights = UnsafeMutableRawPointer(weights.baseAddress.unsafelyUnwrapped + positions.lowerBound)
        let trace = UnsafeRawPointer(postTrace.baseAddress.unsafelyUnwrapped)
        if Scalar.self == Float.self {
            engram_pair_pre_update_f32(targets, weights.assumingMemoryBound(to: Float.self), count, trace.assumingMemoryBound(to: Float.self), bounds)
        } else {
            precondition(Scalar.self == Double.self, "PairWalk: pair STDP in a network runs in Float or Double")
            engram_pair_pre_update_f64(targets, weights.assumingMemoryBound(to: Double.self), count, trace.assumingMemoryBound(to: Double.self), bounds)
        }
    }

    /// The postsynaptic update of the synapses onto the neurons `fired` (see ``PairSTDPInNetwork``
    /// for the columns) with the presynaptic traces.
    func updateOnPostsynapticSpikes(
        onto fired: UnsafeBufferPointer<Int32>, columnStart: [Int], positions: [Int32], sources: [Int32],
        with preTrace: UnsafeBufferPointer<Scalar>
    ) {
        guard let spikes = fired.baseAddress else { return }
        columnStart.withUnsafeBufferPointer { columnStart in
            positions.withUnsafeBufferPointer { positions in
                sources.withUnsafeBufferPointer { sources in
                    let (start, at, from) = (columnStart.baseAddress.unsafelyUnwrapped, positions.baseAddress, sources.baseAddress)
                    let weights = UnsafeMutableRawPointer(weights.baseAddress.unsafelyUnwrapped)
                    let trace = UnsafeRawPointer(preTrace.baseAddress.unsafelyUnwrapped)
                    if Scalar.self == Float.self {
                        engram_pair_post_update_f32(
                            spikes, fired.count, start, at, from, weights.assumingMemoryBound(to: Float.self),
                            trace.assumingMemoryBound(to: Float.self), bounds)
                    } else {
                        precondition(Scalar.self == Double.self, "PairWalk: pair STDP in a network runs in Float or Double")
                        engram_pair_post_update_f64(
                            spikes, fired.count, start, at, from, weights.assumingMemoryBound(to: Double.self),
                            trace.assumingMemoryBound(to: Double.self), bounds)
                    }
                }
            }
        }
    }
}
