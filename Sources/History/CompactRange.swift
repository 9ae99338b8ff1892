/// One node of the Merkle tree: the perfect subtree of `2^level` leaves starting at leaf `index << level`.
struct NodeID: Hashable, Sendable, Comparable {
    /// 0 for a leaf.
    var level: Int
    /// The position among the nodes of its level.
    var index: UInt64

    /// The first leaf it covers.
    var begin: UInt64 { index << UInt64(level) }
    /// One past the last leaf it covers.
    var end: UInt64 { (index + 1) << UInt64(level) }

    static func < (a: NodeID, b: NodeID) -> Bool { (a.begin, a.level) < (b.begin, b.level) }
}

/// The perfect subtrees that exactly cover the leaves `begin..<end`, left to right, each as large as its
/// alignment allows (a "compact range"). A prefix `0..<n` folds to the RFC 9162 root of size `n`; two adjacent
/// ranges merge into one, which is how the verify threads join their parts of the tree.
struct CompactRange: Sendable, Equatable {
    private(set) var begin: UInt64
    private(set) var end: UInt64
    /// The hashes of `CompactRange.decomposition(begin, end)`, in that order.
    private(set) var hashes: [Hash32]

    /// An empty range starting at `begin`.
    init(begin: UInt64) {
        self.begin = begin
        end = begin
        hashes = []
        hashes.reserveCapacity(64)
    }

    /// A range from its node hashes; nil unless there is one hash per node of the decomposition.
    init?(begin: UInt64, end: UInt64, hashes: [Hash32]) {
        guard begin <= end, Self.decomposition(begin, end).count == hashes.count else { return nil }
        self.begin = begin
        self.end = end
        self.hashes = hashes
    }

    /// The nodes that cover `begin..<end`: from the left, each the largest node aligned at its start that fits.
    static func decomposition(_ begin: UInt64, _ end: UInt64) -> [NodeID] {
        var out: [NodeID] = []
        var b = begin
        while b < end {
            let fits = 63 - (end - b).leadingZeroBitCount
            let level = b == 0 ? fits : min(b.trailingZeroBitCount, fits)
            out.append(NodeID(level: level, index: b >> UInt64(level)))
            b += 1 << UInt64(level)
        }
        return out
    }

    /// The nodes of this range, left to right.
    var nodes: [NodeID] { Self.decomposition(begin, end) }

    /// Adds the leaf `end`; `visit` sees every inner node that this completes, lowest first.
    @inline(__always)
    mutating func appendLeaf(_ leaf: Hash32, visit: (NodeID, Hash32) -> Void) {
        append(level: 0, leaf, visit: visit)
    }

    /// Adds the perfect subtree of `2^level` leaves that starts at `end` (which must be aligned to it).
    @inline(__always)
    mutating func append(level start: Int, _ hash: Hash32, visit: (NodeID, Hash32) -> Void) {
        var level = start
        var index = end >> UInt64(level)
        var h = hash
        end += 1 << UInt64(level)
        // A right child whose left sibling lies inside the range merges with it (the sibling is the last hash).
        while index & 1 == 1, (index - 1) << UInt64(level) >= begin {
            h = MerkleHash.node(hashes.removeLast(), h)
            index >>= 1
            level += 1
            visit(NodeID(level: level, index: index), h)
        }
        hashes.append(h)
    }

    /// Appends the range `other`, which must start where this one ends.
    mutating func append(_ other: CompactRange, visit: (NodeID, Hash32) -> Void) {
        precondition(other.begin == end, "compact ranges must be adjacent")
        for (node, hash) in zip(other.nodes, other.hashes) { append(level: node.level, hash, visit: visit) }
    }

    /// The hash of the whole range as a tree of its own: the nodes folded from the right. For a prefix
    /// (`begin == 0`) this is the RFC 9162 root of size `end`; the empty prefix gives SHA-256 of nothing.
    var folded: Hash32 {
        guard var h = hashes.last else { return MerkleHash.emptyRoot }
        for x in hashes.dropLast().reversed() { h = MerkleHash.node(x, h) }
        return h
    }
}
