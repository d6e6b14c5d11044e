import EngramKernels

/// Synapses that learn: a ``Synapses`` value, a ``Plasticity`` rule and the rule's traces,
/// advanced once per clock step with the step's pre- and postsynaptic spikes.
///
/// Traces are kept per neuron (pre traces per presynaptic neuron, post traces per postsynaptic
/// one), which equals Brian2's per-synapse event-driven traces when every synapse of a neuron
/// sees the same spikes, and costs O(m + n) a step instead of O(synapses). They decay by
/// `exp(−dt/τ)` once a step (clock-driven); Brian2 decays them by `exp(−Δt/τ)` at each event,
/// which differs only by rounding. Plasticity sees a presynaptic spike at the step it is emitted
/// (Brian2's presynaptic pathway without delay); in a ``SpikingNetwork`` the weight a spike
/// delivers is the one its synapse has when the spike arrives, as Brian2 reads it.
public struct PlasticSynapses<Scalar: KernelScalar>: Sendable {
    /// The synapses, whose weights the rule changes.
    public internal(set) var synapses: Synapses<Scalar>
    /// The learning rule.
    public let rule: Plasticity<Scalar>
    /// The clock step (ms).
    public let dt: Scalar

    /// Presynaptic traces: `apre` (pair, three-factor) or `r1, r2` (triplet), one per neuron each.
    @usableFromInline internal var preTraces: [[Scalar]]
    /// Postsynaptic traces: `apost` or `o1, o2`.
    @usableFromInline internal var postTraces: [[Scalar]]
    /// Per-synapse eligibility (three-factor only), in the order of the weights.
    public internal(set) var eligibility: [Scalar]
    /// The synapses onto each postsynaptic neuron: `byPost[byPostStart[j] ..< byPostStart[j + 1]]`
    /// are indices into the weights, with their presynaptic neurons in `byPostPre`.
    @usableFromInline internal let byPostStart: [Int]
    @usableFromInline internal let byPost: [Int32]
    @usableFromInline internal let byPostPre: [Int32]
    /// The synapses grouped by presynaptic neuron and delay, for delivery in a network.
    @usableFromInline internal let plan: DeliveryPlan<Scalar>
    /// Pair STDP's weights in plan order while the synapses run in a network.
    @usableFromInline internal var inNetwork: PairSTDPInNetwork<Scalar>?

    /// Makes `synapses` plastic under `rule`, with every trace at 0.
    ///
    /// - Parameters:
    ///   - synapses: The synapses whose weights will learn.
    ///   - rule: The plasticity rule.
    ///   - dt: The clock step in ms, positive (the rule's time constants are in ms).
    /// - Throws: `SpikingError.invalidParameter` for a bad `dt` or more than `Int32.max` synapses.
    public init(_ synapses: Synapses<Scalar>, rule: Plasticity<Scalar>, dt: Scalar = 1) throws(SpikingError) {
        try NeuronParameter.requirePositive(dt, "dt")
        guard synapses.synapseCount <= Int(Int32.max) else {
            throw .invalidParameter(name: "synapses", requirement: "plastic synapses are limited to \(Int32.max)")
        }
        self.synapses = synapses
        self.rule = rule
        self.dt = dt
        let (m, n) = (synapses.preCount, synapses.postCount)
        let traceCount = if case .triplet = rule { 2 } else { 1 }
        preTraces = [[Scalar]](repeating: [Scalar](repeating: 0, count: m), count: traceCount)
        postTraces = [[Scalar]](repeating: [Scalar](repeating: 0, count: n), count: traceCount)
        if case .threeFactor = rule {
            eligibility = [Scalar](repeating: 0, count: synapses.synapseCount)
        } else {
            eligibility = []
        }
        var start = [Int](repeating: 0, count: n + 1)
        for i in 0..<m { for s in synapses.synapses(from: i) { start[s.post + 1] += 1 } }
        for j in 0..<n { start[j + 1] += start[j] }
        var next = start
        var byPost = [Int32](repeating: 0, count: synapses.synapseCount)
        var byPostPre = [Int32](repeating: 0, count: synapses.synapseCount)
        for i in 0..<m {
            for s in synapses.synapses(from: i) {
                byPost[next[s.post]] = Int32(s.index)
                byPostPre[next[s.post]] = Int32(i)
                next[s.post] += 1
            }
        }
        (byPostStart, self.byPost, self.byPostPre) = (start, byPost, byPostPre)
        plan = DeliveryPlan(synapses, copyWeights: false)
    }

    /// The presynaptic traces (`apre`, or `r1` and `r2`).
    public var presynapticTraces: [[Scalar]] { preTraces }
    /// The postsynaptic traces (`apost`, or `o1` and `o2`).
    public var postsynapticTraces: [[Scalar]] { postTraces }

    /// Sets every trace and eligibility to 0, as a long pause between inputs would.
    public mutating func resetTraces() {
        for k in preTraces.indices { preTraces[k] = [Scalar](repeating: 0, count: synapses.preCount) }
        for k in postTraces.indices { postTraces[k] = [Scalar](repeating: 0, count: synapses.postCount) }
        if !eligibility.isEmpty { eligibility = [Scalar](repeating: 0, count: eligibility.count) }
    }

    /// Scales the synapses onto each postsynaptic neuron so that their weights sum to `total`
    /// (Diehl & Cook's normalisation: learning then redistributes a neuron's weight instead of
    /// growing it). Neurons whose incoming weights sum to 0 are left alone.
    ///
    /// - Throws: `SpikingError.invalidParameter` for a total that is not finite and positive.
    public mutating func normalizeIncoming(to total: Scalar) throws(SpikingError) {
        try NeuronParameter.requirePositive(total, "total")
        for j in 0..<synapses.postCount {
            let range = byPostStart[j]..<byPostStart[j + 1]
            var sum: Scalar = 0
            for s in range { sum += synapses.weights[Int(byPost[s])] }
            guard sum > 0 else { continue }
            let factor = total / sum
            for s in range { synapses.weights[Int(byPost[s])] *= factor }
        }
    }

    /// Advances the rule by one step with checked spike lists.
    ///
    /// - Parameters:
    ///   - preSpikes: The presynaptic neurons that fired this step.
    ///   - postSpikes: The postsynaptic neurons that fired this step.
    ///   - modulator: The third factor M of this step (three-factor rule only; ignored otherwise).
    /// - Throws: `SpikingError.neuronIndexOutOfRange` or `.nonFiniteInput` for a NaN modulator.
    public mutating func update(preSpikes: [Int], postSpikes: [Int], modulator: Scalar = 0) throws(SpikingError) {
        if let bad = preSpikes.first(where: { $0 < 0 || $0 >= synapses.preCount }) {
            throw .neuronIndexOutOfRange(side: "pre", index: bad, count: synapses.preCount)
        }
        if let bad = postSpikes.first(where: { $0 < 0 || $0 >= synapses.postCount }) {
            throw .neuronIndexOutOfRange(side: "post", index: bad, count: synapses.postCount)
        }
        guard modulator.isFinite else { throw .nonFiniteInput(index: 0) }
        let pre = preSpikes.map { Int32($0) }, post = postSpikes.map { Int32($0) }
        pre.withUnsafeBufferPointer { pre in
            post.withUnsafeBufferPointer { post in apply(pre: pre, post: post, modulator: modulator) }
        }
    }

    /// One step of the rule: decay, presynaptic pathway, postsynaptic pathway, modulation.
    ///
    /// - Complexity: O(m + n + synapses of the neurons that fired); the three-factor rule adds
    ///   O(synapses) for the eligibility decay and the modulated update.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    internal mutating func apply(pre: UnsafeBufferPointer<Int32>, post: UnsafeBufferPointer<Int32>, modulator: Scalar) {
        switch rule {
        case let .pair(r):
            decay(&preTraces[0], r.tauPre)
            decay(&postTraces[0], r.tauPost)
            let (lo, hi, additive) = (r.wMin, r.wMax, r.bounds == .additive)
            for i in pre {
                let i = Int(i)
                preTraces[0][i] += r.aPre
                let apost = postTraces[0]
                apost.withUnsafeBufferPointer { apost in
                    forEachSynapse(from: i) { w, j in
                        let dw = additive ? apost[j] : apost[j] * w
                        w = min(max(w + dw, lo), hi)
                    }
                }
            }
            for j in post {
                let j = Int(j)
                postTraces[0][j] += r.aPost
                let apre = preTraces[0]
                apre.withUnsafeBufferPointer { apre in
                    forEachSynapse(onto: j) { w, i in
                        let dw = additive ? apre[i] : apre[i] * (hi - w)
                        w = min(max(w + dw, lo), hi)
                    }
                }
            }
        case let .triplet(r):
            decay(&preTraces[0], r.tauPlus)
            decay(&preTraces[1], r.tauX)
            decay(&postTraces[0], r.tauMinus)
            decay(&postTraces[1], r.tauY)
            let (lo, hi) = (r.wMin, r.wMax)
            for i in pre {
                let i = Int(i)
                let depression = r.a2Minus + r.a3Minus * preTraces[1][i]
                let o1 = postTraces[0]
                o1.withUnsafeBufferPointer { o1 in
                    forEachSynapse(from: i) { w, j in w = min(max(w - o1[j] * depression, lo), hi) }
                }
                preTraces[0][i] += 1
                preTraces[1][i] += 1
            }
            for j in post {
                let j = Int(j)
                let potentiation = r.a2Plus + r.a3Plus * postTraces[1][j]
                let r1 = preTraces[0]
                r1.withUnsafeBufferPointer { r1 in
                    forEachSynapse(onto: j) { w, i in w = min(max(w + r1[i] * potentiation, lo), hi) }
                }
                postTraces[0][j] += 1
                postTraces[1][j] += 1
            }
        case let .threeFactor(r):
            decay(&preTraces[0], r.tauPre)
            decay(&postTraces[0], r.tauPost)
            decay(&eligibility, r.tauEligibility)
            for i in pre {
                let i = Int(i)
                preTraces[0][i] += r.aPre
                let rows = synapseRange(from: i)
                let (dense, n, apost) = (synapses.isDense, synapses.postCount, postTraces[0])
                apost.withUnsafeBufferPointer { apost in
                    synapses.columns.withUnsafeBufferPointer { columns in
                        eligibility.withUnsafeMutableBufferPointer { e in
                            for k in rows { e[k] += apost[dense ? k - i * n : Int(columns[k])] }
                        }
                    }
                }
            }
            for j in post {
                let j = Int(j)
                postTraces[0][j] += r.aPost
                let (range, apre) = (byPostStart[j]..<byPostStart[j + 1], preTraces[0])
                apre.withUnsafeBufferPointer { apre in
                    byPost.withUnsafeBufferPointer { index in
                        byPostPre.withUnsafeBufferPointer { preOf in
                            eligibility.withUnsafeMutableBufferPointer { e in
                                for s in range { e[Int(index[s])] += apre[Int(preOf[s])] }
                            }
                        }
                    }
                }
            }
            if modulator != 0 {
                let (scale, lo, hi) = (r.learningRate * modulator, r.wMin, r.wMax)
                eligibility.withUnsafeBufferPointer { e in
                    synapses.weights.withUnsafeMutableBufferPointer { w in
                        for k in 0..<w.count { w[k] = min(max(w[k] + scale * e[k], lo), hi) }
                    }
                }
            }
        }
    }

    /// Multiplies every value by `exp(−dt/τ)`.
    internal func decay(_ values: inout [Scalar], _ tau: Scalar) {
        let factor = Scalar.exponential(-dt / tau)
        values.withUnsafeMutableBufferPointer { v in for k in 0..<v.count { v[k] *= factor } }
    }

    /// The indices into the weights of presynaptic neuron `i`'s synapses.
    private func synapseRange(from i: Int) -> Range<Int> {
        synapses.isDense ? (i * synapses.postCount)..<((i + 1) * synapses.postCount) : synapses.rowStart[i]..<synapses.rowStart[i + 1]
    }

    /// Calls `body(&weight, post)` for each synapse of presynaptic neuron `i`.
    @inline(__always)
    private mutating func forEachSynapse(from i: Int, _ body: (inout Scalar, Int) -> Void) {
        let range = synapseRange(from: i)
        let dense = synapses.isDense, n = synapses.postCount
        synapses.columns.withUnsafeBufferPointer { columns in
            synapses.weights.withUnsafeMutableBufferPointer { w in
                for k in range { body(&w[k], dense ? k - i * n : Int(columns[k])) }
            }
        }
    }

    /// Calls `body(&weight, pre)` for each synapse onto postsynaptic neuron `j`.
    @inline(__always)
    private mutating func forEachSynapse(onto j: Int, _ body: (inout Scalar, Int) -> Void) {
        let range = byPostStart[j]..<byPostStart[j + 1]
        byPost.withUnsafeBufferPointer { index in
            byPostPre.withUnsafeBufferPointer { preOf in
                synapses.weights.withUnsafeMutableBufferPointer { w in
                    for s in range { body(&w[Int(index[s])], Int(preOf[s])) }
                }
            }
        }
    }
}
