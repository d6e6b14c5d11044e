import EngramKernels

extension SpikingNetwork {
    /// Runs the network for `steps` steps and records its spikes and the probed variables.
    ///
    /// - Parameters:
    ///   - steps: The number of steps, at least 1.
    ///   - record: Variables to record after every step.
    ///   - modulator: The third factor M for three-factor projections during this run (0 by
    ///     default); run one step at a time to change it every step.
    ///   - drive: Adds external input: called once per population and step, before the neurons
    ///     update, with the step, the population and its input (already holding the synaptic input
    ///     that arrived for this step), which it may add to.
    /// - Returns: The spikes of every population, the probes' values and the synaptic events.
    /// - Throws: `SpikingError.invalidParameter` for `steps` below 1, `.unknownPopulation` or
    ///   `.unknownVariable` for a bad probe.
    /// - Complexity: O(steps × (neurons + synapses of the spikes)) plus the rules' costs.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func run(
        steps: Int,
        record: [Probe] = [],
        modulator: Scalar = 0,
        drive: (_ step: Int, _ population: PopulationID, _ input: UnsafeMutableBufferPointer<Scalar>) -> Void = { _, _, _ in }
    ) throws(SpikingError) -> NetworkRecording<Scalar> {
        guard steps > 0 else { throw .invalidParameter(name: "steps", requirement: "must be at least 1, got \(steps)") }
        guard modulator.isFinite else { throw .invalidParameter(name: "modulator", requirement: "must be finite, got \(modulator)") }
        for probe in record {
            guard probe.population.index >= 0, probe.population.index < populations.count else {
                throw .unknownPopulation(index: probe.population.index, count: populations.count)
            }
            let node = populations[probe.population.index].node
            guard node.values(of: probe.variable) != nil else {
                throw .unknownVariable(name: probe.variable, available: node.variableNames)
            }
        }
        var recording = NetworkRecording<Scalar>(
            stepRange: currentStep..<(currentStep + steps),
            spikes: [NetworkRecording<Scalar>.Spikes](repeating: .init(), count: populations.count),
            variables: Dictionary(uniqueKeysWithValues: record.map { ($0, [Scalar]()) }),
            synapticEvents: 0)
        for _ in 0..<steps {
            let t = currentStep
            for p in populations.indices {
                populations[p].advance(step: t) { input in drive(t, PopulationID(index: p), input) }
                let fired = populations[p].fired
                recording.spikes[p].steps.append(contentsOf: repeatElement(t, count: fired.count))
                recording.spikes[p].neurons.append(contentsOf: fired)
            }
            for q in projections.indices where projections[q].learner == nil {
                recording.synapticEvents += deliver(projection: q, step: t)
            }
            for q in projections.indices where projections[q].learner != nil {
                recording.synapticEvents += stepPlastic(projection: q, step: t, modulator: modulator)
            }
            for probe in record {
                recording.variables[probe]?.append(contentsOf: populations[probe.population.index].node.values(of: probe.variable) ?? [])
            }
            currentStep += 1
        }
        return recording
    }

    /// Adds the weights of projection `q`'s synapses of every presynaptic neuron that fired at
    /// step `t` to the postsynaptic inputs of step `t + delay`; returns the events delivered.
    ///
    /// The synapses go by the projection's ``DeliveryPlan``: one contiguous run of weights per
    /// spike and delay, into the ring row of that delay, looked up in a table made once per step.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    internal mutating func deliver(projection q: Int, step t: Int) -> Int {
        let fired = populations[projections[q].pre].fired
        guard !fired.isEmpty, let plan = projections[q].plan else { return 0 }
        let post = projections[q].post
        let (n, slots) = (populations[post].count, populations[post].slots)
        let rowOffset = (0..<slots).map { ((t + $0) % slots) * n }
        return fired.withUnsafeBufferPointer { fired in
            rowOffset.withUnsafeBufferPointer { rowOffset in
                populations[post].ring.withUnsafeMutableBufferPointer { ring in
                    plan.deliver(fired, into: ring, rowOffset: rowOffset)
                }
            }
        }
    }

    /// Step `t` of plastic projection `q`: its rule learns from the step's spikes, then the spikes
    /// that arrive at step `t + 1` (those of step `t − d + 1` on the synapses of delay d) add the
    /// weights they find, as Brian2 reads a weight when its spike arrives. Returns the events.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    internal mutating func stepPlastic(projection q: Int, step t: Int, modulator: Scalar) -> Int {
        let (pre, post) = (populations[projections[q].pre].fired, populations[projections[q].post].fired)
        let slots = projections[q].arrivals.count
        projections[q].arrivals[t % slots] = pre
        let arrivals = projections[q].arrivals
        let (n, ringSlots) = (populations[projections[q].post].count, populations[projections[q].post].slots)
        let target = projections[q].post
        return pre.withUnsafeBufferPointer { pre in
            post.withUnsafeBufferPointer { post in
                populations[target].ring.withUnsafeMutableBufferPointer { ring in
                    projections[q].learner?.networkStep(
                        step: t, pre: pre, post: post, modulator: modulator,
                        arriving: { d in arrivals[((t - d + 1) % slots + slots) % slots] },
                        ring: ring, nextRow: ((t + 1) % ringSlots) * n) ?? 0
                }
            }
        }
    }
}
