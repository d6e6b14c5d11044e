/// A read-only trie over Unicode scalars mapping each vocabulary token to its id.
///
/// Tokens are compared scalar by scalar, as Python and Rust compare strings, not by Swift's
/// canonical equivalence: `"é"` (U+00E9) and `"e\u{301}"` are different tokens, as they are in
/// `vocab.txt`. Nodes are stored breadth first in flat arrays; the children of a node are contiguous
/// and sorted by scalar, so a step is a binary search and a look-up builds no string. Nodes with
/// many children (the root, `##`) also get a direct table for ASCII steps.
struct ScalarTrie: Sendable {
    /// A node: the token ending here (or −1), the range of its outgoing edges, and its row in
    /// `asciiChildren` (or −1).
    struct Node: Sendable {
        var tokenID: Int32
        var firstEdge: Int32
        var edgeCount: Int32
        var asciiRow: Int32 = -1
    }

    /// Two tokens with the same scalars, by id (`first < second`).
    struct DuplicateToken: Error {
        var first: Int
        var second: Int
    }

    /// The root is node 0.
    static let root: Int32 = 0

    private var nodes: [Node]
    /// Edge labels: scalar values, sorted within each node's range.
    private var edgeScalars: [UInt32]
    /// Edge targets: node indices, parallel to `edgeScalars`.
    private var edgeTargets: [Int32]
    /// Rows of 128 children (or −1) by ASCII scalar, for the nodes with a row.
    private var asciiChildren: [Int32] = []

    /// Nodes with at least this many children get an ASCII row.
    private static let asciiRowThreshold = 64

    /// Builds the trie of `tokens`, token `i` getting id `i`.
    /// - Parameter tokens: the vocabulary in id order, each token as its scalars.
    /// - Throws: ``DuplicateToken`` for the first two tokens (in sorted order) with equal scalars.
    /// - Complexity: O(L log n) for n tokens of L scalars in all (a sort, then one pass).
    init(tokens: [[UInt32]]) throws(DuplicateToken) {
        let order = tokens.indices.sorted { tokens[$0].lexicographicallyPrecedes(tokens[$1]) }
        nodes = [Node(tokenID: -1, firstEdge: 0, edgeCount: 0)]
        edgeScalars = []
        edgeTargets = []
        edgeScalars.reserveCapacity(tokens.count * 3)
        edgeTargets.reserveCapacity(tokens.count * 3)
        nodes.reserveCapacity(tokens.count * 3)

        // Breadth first: node k covers the sorted tokens in ranges[k] sharing a prefix of depths[k].
        var ranges: [Range<Int>] = [0..<order.count]
        var depths: [Int] = [0]
        var next = 0
        while next < ranges.count {
            let range = ranges[next], depth = depths[next]
            var index = range.lowerBound
            // The token equal to the prefix sorts first in the range; a second one is a duplicate.
            if index < range.upperBound && tokens[order[index]].count == depth {
                let id = order[index]
                index += 1
                if index < range.upperBound && tokens[order[index]].count == depth {
                    let other = order[index]
                    throw DuplicateToken(first: min(id, other), second: max(id, other))
                }
                nodes[next].tokenID = Int32(id)
            }
            nodes[next].firstEdge = Int32(edgeScalars.count)
            while index < range.upperBound {
                let scalar = tokens[order[index]][depth]
                var end = index + 1
                while end < range.upperBound && tokens[order[end]][depth] == scalar { end += 1 }
                edgeScalars.append(scalar)
                edgeTargets.append(Int32(nodes.count))
                nodes.append(Node(tokenID: -1, firstEdge: 0, edgeCount: 0))
                ranges.append(index..<end)
                depths.append(depth + 1)
                index = end
            }
            nodes[next].edgeCount = Int32(edgeScalars.count) - nodes[next].firstEdge
            if nodes[next].edgeCount >= Self.asciiRowThreshold { addASCIIRow(to: next) }
            next += 1
        }
    }

    /// Gives node `index` a direct table of its ASCII children.
    private mutating func addASCIIRow(to index: Int) {
        let row = asciiChildren.count / 128
        asciiChildren.append(contentsOf: repeatElement(-1, count: 128))
        let first = Int(nodes[index].firstEdge)
        for edge in first..<first + Int(nodes[index].edgeCount) where edgeScalars[edge] < 128 {
            asciiChildren[row * 128 + Int(edgeScalars[edge])] = edgeTargets[edge]
        }
        nodes[index].asciiRow = Int32(row)
    }

    /// The child of `node` along `scalar`, or `nil`.
    /// - Complexity: O(log c) for a node with c children.
    func child(of node: Int32, _ scalar: Unicode.Scalar) -> Int32? {
        let entry = nodes[Int(node)]
        let value = scalar.value
        if value < 128 && entry.asciiRow >= 0 {
            let target = asciiChildren[Int(entry.asciiRow) * 128 + Int(value)]
            return target >= 0 ? target : nil
        }
        var low = Int(entry.firstEdge), high = low + Int(entry.edgeCount)
        while low < high {
            let middle = (low + high) >> 1
            let label = edgeScalars[middle]
            if label == value { return edgeTargets[middle] }
            if label < value { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// The node reached from `node` along `scalars`, or `nil`.
    func descend(from node: Int32, along scalars: some Sequence<Unicode.Scalar>) -> Int32? {
        var current = node
        for scalar in scalars {
            guard let next = child(of: current, scalar) else { return nil }
            current = next
        }
        return current
    }

    /// The id of the token ending at `node`, or `nil` when the node is only a prefix.
    func tokenID(at node: Int32) -> Int32? {
        let id = nodes[Int(node)].tokenID
        return id >= 0 ? id : nil
    }
}
