import EngramKernels

/// The synapses from a presynaptic population of `preCount` neurons to a postsynaptic one of
/// `postCount`: their weights, dense or sparse (CSR), and their delays in whole steps.
///
/// A spike of presynaptic neuron `i` at step t adds each of its synapses' weight to the input of
/// its postsynaptic neuron at step `t + delay`. Delays are at least 1 step: a spike acts on the
/// step after it at the earliest, which keeps a recurrent network well defined clock by clock.
///
/// Dense weights are presynaptic-major (`weights[i * postCount + j]`), so a spike adds one
/// contiguous row; sparse weights are compressed rows (CSR) indexed by the presynaptic neuron:
/// row `i` is `rowStart[i] ..< rowStart[i + 1]` of `columns` (postsynaptic neurons) and `weights`.
public struct Synapses<Scalar: KernelScalar>: Sendable, Equatable {
    /// How the delays are given.
    public enum Delays: Sendable, Equatable {
        /// The same delay for every synapse.
        case uniform(Int)
        /// One delay per presynaptic neuron (axonal delays).
        case perAxon([Int])
        /// One delay per synapse, in the order of the weights.
        case perSynapse([Int])
    }

    /// The number of presynaptic neurons.
    public let preCount: Int
    /// The number of postsynaptic neurons.
    public let postCount: Int
    /// The delays in steps, each in 1 ... ``maxDelay``.
    public let delays: Delays
    /// The largest delay, which sizes the postsynaptic ring buffer.
    public let maxDelay: Int
    /// Whether the weights are a dense matrix (else CSR).
    public let isDense: Bool
    /// The weights: `preCount × postCount` dense, pre-major; or one per stored synapse, CSR order.
    public internal(set) var weights: [Scalar]
    /// CSR row starts, `preCount + 1` values (empty when dense).
    public let rowStart: [Int]
    /// CSR postsynaptic neuron of each synapse (empty when dense).
    public let columns: [Int32]

    /// Dense synapses.
    ///
    /// - Parameters:
    ///   - pre: Presynaptic neurons m, at least 1.
    ///   - post: Postsynaptic neurons n, at least 1.
    ///   - weights: `m × n` finite weights, `weights[i * n + j]` from `i` to `j`.
    ///   - delays: Steps, each at least 1; `.perSynapse` holds `m × n` in the same order.
    /// - Throws: `SpikingError.invalidParameter`, `.inputLengthMismatch`, `.nonFiniteInput` or
    ///   `.delayOutOfRange`.
    public static func dense(pre: Int, post: Int, weights: [Scalar], delays: Delays = .uniform(1)) throws(SpikingError) -> Self {
        try requireSizes(pre: pre, post: post)
        let (count, overflow) = pre.multipliedReportingOverflow(by: post)
        guard !overflow else { throw .sizeOverflow(steps: pre, neurons: post) }
        guard weights.count == count else { throw .inputLengthMismatch(expected: count, actual: weights.count) }
        return try Self(pre: pre, post: post, dense: true, weights: weights, rowStart: [], columns: [], delays: delays)
    }

    /// Sparse synapses in compressed rows (CSR) by presynaptic neuron.
    ///
    /// - Parameters:
    ///   - pre: Presynaptic neurons m, at least 1.
    ///   - post: Postsynaptic neurons n, at least 1.
    ///   - rowStart: `m + 1` non-decreasing offsets from 0 to `weights.count`.
    ///   - columns: The postsynaptic neuron of each synapse, in 0 ..< n.
    ///   - weights: One finite weight per synapse.
    ///   - delays: Steps, each at least 1; `.perSynapse` holds one per synapse.
    /// - Throws: As ``dense(pre:post:weights:delays:)``, and `.neuronIndexOutOfRange` for a column.
    public static func sparse(
        pre: Int, post: Int, rowStart: [Int], columns: [Int32], weights: [Scalar], delays: Delays = .uniform(1)
    ) throws(SpikingError) -> Self {
        try requireSizes(pre: pre, post: post)
        guard rowStart.count == pre + 1 else { throw .inputLengthMismatch(expected: pre + 1, actual: rowStart.count) }
        guard columns.count == weights.count else { throw .inputLengthMismatch(expected: weights.count, actual: columns.count) }
        guard rowStart.first == 0, rowStart.last == weights.count, zip(rowStart, rowStart.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw .invalidParameter(name: "rowStart", requirement: "must rise from 0 to the synapse count \(weights.count) without falling")
        }
        if let bad = columns.firstIndex(where: { $0 < 0 || Int($0) >= post }) {
            throw .neuronIndexOutOfRange(side: "post", index: Int(columns[bad]), count: post)
        }
        return try Self(pre: pre, post: post, dense: false, weights: weights, rowStart: rowStart, columns: columns, delays: delays)
    }

    /// Sparse synapses from a list of connections, in any order (a presynaptic neuron's synapses
    /// keep the list's relative order).
    ///
    /// - Parameters:
    ///   - pre: Presynaptic neurons m.
    ///   - post: Postsynaptic neurons n.
    ///   - connections: `(pre, post, weight, delay)` for each synapse; delays at least 1.
    /// - Throws: `.neuronIndexOutOfRange`, `.nonFiniteInput`, `.delayOutOfRange`.
    public static func sparse(
        pre: Int, post: Int, connections: [(pre: Int, post: Int, weight: Scalar, delay: Int)]
    ) throws(SpikingError) -> Self {
        try requireSizes(pre: pre, post: post)
        var rowStart = [Int](repeating: 0, count: pre + 1)
        for c in connections {
            guard c.pre >= 0, c.pre < pre else { throw .neuronIndexOutOfRange(side: "pre", index: c.pre, count: pre) }
            guard c.post >= 0, c.post < post else { throw .neuronIndexOutOfRange(side: "post", index: c.post, count: post) }
            rowStart[c.pre + 1] += 1
        }
        for i in 0..<pre { rowStart[i + 1] += rowStart[i] }
        var next = rowStart
        var columns = [Int32](repeating: 0, count: connections.count)
        var weights = [Scalar](repeating: 0, count: connections.count)
        var delays = [Int](repeating: 1, count: connections.count)
        for c in connections {
            let k = next[c.pre]
            next[c.pre] += 1
            (columns[k], weights[k], delays[k]) = (Int32(c.post), c.weight, c.delay)
        }
        return try sparse(pre: pre, post: post, rowStart: rowStart, columns: columns, weights: weights, delays: .perSynapse(delays))
    }

    private init(
        pre: Int, post: Int, dense: Bool, weights: [Scalar], rowStart: [Int], columns: [Int32], delays: Delays
    ) throws(SpikingError) {
        if let bad = weights.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteInput(index: bad) }
        let limit = Int(UInt16.max)
        func check(_ values: [Int]) throws(SpikingError) -> Int {
            if let bad = values.firstIndex(where: { $0 < 1 || $0 > limit }) {
                throw .delayOutOfRange(synapse: bad, delay: values[bad], maximum: limit)
            }
            return values.max() ?? 1
        }
        switch delays {
        case let .uniform(d): maxDelay = try check([d])
        case let .perAxon(values):
            guard values.count == pre else { throw .inputLengthMismatch(expected: pre, actual: values.count) }
            maxDelay = try check(values)
        case let .perSynapse(values):
            guard values.count == weights.count else { throw .inputLengthMismatch(expected: weights.count, actual: values.count) }
            maxDelay = try check(values)
        }
        (self.preCount, self.postCount, self.isDense, self.delays) = (pre, post, dense, delays)
        (self.weights, self.rowStart, self.columns) = (weights, rowStart, columns)
    }

    private static func requireSizes(pre: Int, post: Int) throws(SpikingError) {
        guard pre > 0, post > 0 else {
            throw .invalidParameter(name: "pre, post", requirement: "both populations need at least 1 neuron, got \(pre) and \(post)")
        }
    }

    /// The number of stored synapses.
    public var synapseCount: Int { weights.count }

    /// The synapses of presynaptic neuron `i` as `(index into weights, postsynaptic neuron)`.
    public func synapses(from i: Int) -> [(index: Int, post: Int)] {
        precondition(i >= 0 && i < preCount, "presynaptic neuron \(i) out of range 0..<\(preCount)")
        if isDense { return (0..<postCount).map { (i * postCount + $0, $0) } }
        return (rowStart[i]..<rowStart[i + 1]).map { ($0, Int(columns[$0])) }
    }

    /// The delay of the synapse at `index` (into ``weights``) from presynaptic neuron `i`.
    public func delay(ofSynapse index: Int, from i: Int) -> Int {
        switch delays {
        case let .uniform(d): d
        case let .perAxon(values): values[i]
        case let .perSynapse(values): values[index]
        }
    }

    /// The weights as a dense `preCount × postCount` matrix (several synapses between one pair
    /// add up), for checks and small networks.
    public var denseWeights: [Scalar] {
        if isDense { return weights }
        var matrix = [Scalar](repeating: 0, count: preCount * postCount)
        for i in 0..<preCount {
            for k in rowStart[i]..<rowStart[i + 1] { matrix[i * postCount + Int(columns[k])] += weights[k] }
        }
        return matrix
    }
}
