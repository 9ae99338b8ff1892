/// Where proofs get the hashes of complete subtrees from: stored nodes, or leaves hashed on demand.
protocol MerkleNodeSource {
    /// The hash of the perfect subtree `node` (all of whose leaves exist).
    mutating func hash(of node: NodeID) throws(HistoryError) -> Hash32
}

extension MerkleNodeSource {
    /// The RFC 9162 hash of the leaves `begin..<end` taken as a tree of their own. `begin` must be aligned to
    /// the largest power of two not above `end - begin` (true of every range the proofs ask for).
    mutating func rangeHash(_ begin: UInt64, _ end: UInt64) throws(HistoryError) -> Hash32 {
        let nodes = CompactRange.decomposition(begin, end)
        var hashes: [Hash32] = []
        hashes.reserveCapacity(nodes.count)
        for n in nodes { hashes.append(try hash(of: n)) }
        return CompactRange(begin: begin, end: end, hashes: hashes)!.folded
    }

    /// The root of the tree of the first `size` leaves.
    mutating func root(size: UInt64) throws(HistoryError) -> Hash32 { try rangeHash(0, size) }
}

/// Inclusion and consistency proofs (RFC 9162 §2.1.3 and §2.1.4): made from a node source, checked with
/// nothing but the hashes.
enum MerkleProof {
    /// The largest power of two smaller than `n` (n > 1).
    static func split(_ n: UInt64) -> UInt64 { 1 << UInt64(63 - (n - 1).leadingZeroBitCount) }

    /// The inclusion path of leaf `leaf` in the tree of `size` leaves, from the leaf up (PATH in RFC 9162).
    static func inclusion<S: MerkleNodeSource>(leaf: UInt64, size: UInt64, source: inout S) throws(HistoryError) -> [Hash32] {
        guard leaf < size else { throw HistoryError(.invalidEvent, "leaf \(leaf) is not in a tree of \(size) leaves") }
        var path: [Hash32] = []
        try inclusion(leaf, 0, size, source: &source, into: &path)
        return path
    }

    private static func inclusion<S: MerkleNodeSource>(_ m: UInt64, _ begin: UInt64, _ end: UInt64, source: inout S,
                                                       into path: inout [Hash32]) throws(HistoryError) {
        guard end - begin > 1 else { return }
        let k = split(end - begin)
        if m < begin + k {
            try inclusion(m, begin, begin + k, source: &source, into: &path)
            path.append(try source.rangeHash(begin + k, end))
        } else {
            try inclusion(m, begin + k, end, source: &source, into: &path)
            path.append(try source.rangeHash(begin, begin + k))
        }
    }

    /// The consistency proof from the tree of `from` leaves to the tree of `to` leaves (PROOF in RFC 9162);
    /// empty when `from == to`.
    static func consistency<S: MerkleNodeSource>(from: UInt64, to: UInt64, source: inout S) throws(HistoryError) -> [Hash32] {
        guard from >= 1, from <= to else { throw HistoryError(.invalidEvent, "no consistency proof from size \(from) to size \(to)") }
        var proof: [Hash32] = []
        if from < to { try subproof(from, 0, to, true, source: &source, into: &proof) }
        return proof
    }

    private static func subproof<S: MerkleNodeSource>(_ m: UInt64, _ begin: UInt64, _ end: UInt64, _ complete: Bool,
                                                      source: inout S, into proof: inout [Hash32]) throws(HistoryError) {
        let n = end - begin
        if m - begin == n {
            if !complete { proof.append(try source.rangeHash(begin, end)) }
            return
        }
        let k = split(n)
        if m - begin <= k {
            try subproof(m, begin, begin + k, complete, source: &source, into: &proof)
            proof.append(try source.rangeHash(begin + k, end))
        } else {
            try subproof(m, begin + k, end, false, source: &source, into: &proof)
            proof.append(try source.rangeHash(begin, begin + k))
        }
    }

    /// The root an inclusion path leads to (RFC 9162 §2.1.3.2), or nil when the path cannot belong to that
    /// leaf index and tree size (too short, too long).
    static func root(leaf index: UInt64, size: UInt64, leafHash: Hash32, path: [Hash32]) -> Hash32? {
        guard index < size else { return nil }
        var fn = index, sn = size - 1
        var r = leafHash
        for p in path {
            guard sn > 0 else { return nil }
            if fn & 1 == 1 || fn == sn {
                r = MerkleHash.node(p, r)
                skipLeftEdge(&fn, &sn)
            } else {
                r = MerkleHash.node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? r : nil
    }

    /// Whether `path` proves that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`.
    static func verifyInclusion(leaf index: UInt64, size: UInt64, leafHash: Hash32, path: [Hash32], root: Hash32) -> Bool {
        Self.root(leaf: index, size: size, leafHash: leafHash, path: path) == root
    }

    /// Whether `proof` shows that the tree of `from` leaves with root `fromRoot` is the beginning of the tree of
    /// `to` leaves with root `toRoot` (RFC 9162 §2.1.4.2).
    static func verifyConsistency(from: UInt64, to: UInt64, fromRoot: Hash32, toRoot: Hash32, proof: [Hash32]) -> Bool {
        guard from >= 1, from <= to else { return false }
        if from == to { return proof.isEmpty && fromRoot == toRoot }
        guard !proof.isEmpty else { return false }
        var path = proof
        if from & (from - 1) == 0 { path.insert(fromRoot, at: 0) }
        var fn = from - 1, sn = to - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            guard sn > 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHash.node(c, fr)
                sr = MerkleHash.node(c, sr)
                skipLeftEdge(&fn, &sn)
            } else {
                sr = MerkleHash.node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == fromRoot && sr == toRoot
    }

    /// RFC 9162: "if LSB(fn) is not set, right-shift both fn and sn equally until either LSB(fn) is set or fn is 0"
    /// (the levels where the node is the last of its row and has no right sibling).
    private static func skipLeftEdge(_ fn: inout UInt64, _ sn: inout UInt64) {
        while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
    }
}
