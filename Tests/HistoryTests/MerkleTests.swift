import Crypto
import Testing
@testable import History

/// A second, naive implementation straight from RFC 9162 §2.1, over an array of leaf data.
enum NaiveMerkle {
    static func h(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    /// MTH(D[n]).
    static func mth(_ d: ArraySlice<[UInt8]>) -> [UInt8] {
        if d.isEmpty { return h([]) }
        if d.count == 1 { return h([0] + d.first!) }
        var k = 1
        while k * 2 < d.count { k *= 2 }
        return h([1] + mth(d.prefix(k)) + mth(d.dropFirst(k)))
    }

    /// PATH(m, D[n]).
    static func path(_ m: Int, _ d: ArraySlice<[UInt8]>) -> [[UInt8]] {
        if d.count <= 1 { return [] }
        var k = 1
        while k * 2 < d.count { k *= 2 }
        if m < k { return path(m, d.prefix(k)) + [mth(d.dropFirst(k))] }
        return path(m - k, d.dropFirst(k)) + [mth(d.prefix(k))]
    }

    /// PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
    static func proof(_ m: Int, _ d: ArraySlice<[UInt8]>) -> [[UInt8]] { subproof(m, d, true) }

    static func subproof(_ m: Int, _ d: ArraySlice<[UInt8]>, _ b: Bool) -> [[UInt8]] {
        if m == d.count { return b ? [] : [mth(d)] }
        var k = 1
        while k * 2 < d.count { k *= 2 }
        if m <= k { return subproof(m, d.prefix(k), b) + [mth(d.dropFirst(k))] }
        return subproof(m - k, d.dropFirst(k), false) + [mth(d.prefix(k))]
    }
}

/// The production node source over leaves held in memory.
struct ArraySource: MerkleNodeSource {
    let leaves: [[UInt8]]
    mutating func hash(of node: NodeID) throws(HistoryError) -> Hash32 {
        Hash32(NaiveMerkle.mth(leaves[Int(node.begin)..<Int(node.end)]))
    }
}

@Suite struct MerkleTests {
    /// 64 distinct pieces of leaf data (32 bytes each, like event hashes).
    static let data: [[UInt8]] = (0..<64).map { NaiveMerkle.h([UInt8($0), 0xC6]) }

    @Test func emptyTreeAndOneLeafFollowRFC9162() {
        #expect(MerkleHash.emptyRoot.bytes == NaiveMerkle.h([]))
        #expect(Hex.encode(MerkleHash.emptyRoot.bytes) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(MerkleHash.leaf(Hash32(Self.data[0])).bytes == NaiveMerkle.h([0] + Self.data[0]))
        #expect(MerkleHash.node(Hash32(Self.data[0]), Hash32(Self.data[1])).bytes == NaiveMerkle.h([1] + Self.data[0] + Self.data[1]))
    }

    @Test func compactRangeRootsEqualTheNaiveRootForEverySizeUpTo64() {
        var range = CompactRange(begin: 0)
        for n in 1...64 {
            range.appendLeaf(MerkleHash.leaf(Hash32(Self.data[n - 1]))) { _, _ in }
            #expect(range.folded.bytes == NaiveMerkle.mth(Self.data[0..<n][...]), "size \(n)")
            #expect(range.hashes.count == n.nonzeroBitCount)
        }
    }

    @Test func adjacentRangesMergeToTheSameTreeAndReportEachCompletedNodeOnce() {
        for split in 0...64 {
            var left = CompactRange(begin: 0), right = CompactRange(begin: UInt64(split))
            var seen: [NodeID] = []
            for i in 0..<64 {
                let leaf = MerkleHash.leaf(Hash32(Self.data[i]))
                if i < split { left.appendLeaf(leaf) { n, _ in seen.append(n) } } else { right.appendLeaf(leaf) { n, _ in seen.append(n) } }
            }
            left.append(right) { n, _ in seen.append(n) }
            #expect(left.folded.bytes == NaiveMerkle.mth(Self.data[...]), "split \(split)")
            // A perfect tree of 64 leaves has 63 inner nodes; each completes exactly once across the two walks and the join.
            #expect(seen.count == 63 && Set(seen).count == 63, "split \(split)")
        }
    }

    @Test func inclusionProofsMatchTheNaivePathAndVerifyForEverySizeAndLeaf() throws {
        for n in 1...64 {
            var source = ArraySource(leaves: Array(Self.data[0..<n]))
            let root = Hash32(NaiveMerkle.mth(Self.data[0..<n][...]))
            for m in 0..<n {
                let path = try MerkleProof.inclusion(leaf: UInt64(m), size: UInt64(n), source: &source)
                #expect(path.map(\.bytes) == NaiveMerkle.path(m, Self.data[0..<n][...]), "n \(n) m \(m)")
                let leaf = MerkleHash.leaf(Hash32(Self.data[m]))
                #expect(MerkleProof.verifyInclusion(leaf: UInt64(m), size: UInt64(n), leafHash: leaf, path: path, root: root))
            }
        }
    }

    @Test func consistencyProofsMatchTheNaiveProofAndVerifyForEveryPairOfSizes() throws {
        for n in 1...64 {
            var source = ArraySource(leaves: Array(Self.data[0..<n]))
            let root = Hash32(NaiveMerkle.mth(Self.data[0..<n][...]))
            for m in 1...n {
                let proof = try MerkleProof.consistency(from: UInt64(m), to: UInt64(n), source: &source)
                #expect(proof.map(\.bytes) == NaiveMerkle.proof(m, Self.data[0..<n][...]), "m \(m) n \(n)")
                let old = Hash32(NaiveMerkle.mth(Self.data[0..<m][...]))
                #expect(MerkleProof.verifyConsistency(from: UInt64(m), to: UInt64(n), fromRoot: old, toRoot: root, proof: proof), "m \(m) n \(n)")
            }
        }
    }

    @Test func aChangedLeafIndexSizeOrPathElementFailsInclusion() throws {
        let n = 37
        var source = ArraySource(leaves: Array(Self.data[0..<n]))
        let root = Hash32(NaiveMerkle.mth(Self.data[0..<n][...]))
        for m in [0, 5, 31, 32, 36] {
            let leaf = MerkleHash.leaf(Hash32(Self.data[m]))
            let path = try MerkleProof.inclusion(leaf: UInt64(m), size: UInt64(n), source: &source)
            #expect(!MerkleProof.verifyInclusion(leaf: UInt64(m), size: UInt64(n), leafHash: MerkleHash.leaf(Hash32(Self.data[m + 1])), path: path, root: root))
            #expect(!MerkleProof.verifyInclusion(leaf: UInt64(m ^ 1), size: UInt64(n), leafHash: leaf, path: path, root: root))
            // The size is bound by the checkpoint that signs the root: against the next tree's root the path fails.
            let next = Hash32(NaiveMerkle.mth(Self.data[0...n][...]))
            #expect(!MerkleProof.verifyInclusion(leaf: UInt64(m), size: UInt64(n + 1), leafHash: leaf, path: path, root: next))
            #expect(!MerkleProof.verifyInclusion(leaf: UInt64(m), size: UInt64(n), leafHash: leaf, path: path.dropLast(), root: root))
            #expect(!MerkleProof.verifyInclusion(leaf: UInt64(m), size: UInt64(n), leafHash: leaf, path: path + [root], root: root))
            for i in path.indices {
                var bad = path
                bad[i].a ^= 1
                #expect(!MerkleProof.verifyInclusion(leaf: UInt64(m), size: UInt64(n), leafHash: leaf, path: bad, root: root))
            }
        }
        #expect(!MerkleProof.verifyInclusion(leaf: 37, size: 37, leafHash: root, path: [], root: root))
    }

    @Test func aConsistencyProofFailsForAnotherOldRootOrAChangedElement() throws {
        for (m, n) in [(1, 2), (3, 7), (4, 8), (6, 64), (32, 33), (17, 40)] {
            var source = ArraySource(leaves: Array(Self.data[0..<n]))
            let root = Hash32(NaiveMerkle.mth(Self.data[0..<n][...]))
            let old = Hash32(NaiveMerkle.mth(Self.data[0..<m][...]))
            let proof = try MerkleProof.consistency(from: UInt64(m), to: UInt64(n), source: &source)
            // A forked old tree (one leaf changed) is not consistent with the new one.
            var forked = Array(Self.data[0..<m])
            forked[m - 1] = NaiveMerkle.h([9, 9])
            #expect(!MerkleProof.verifyConsistency(from: UInt64(m), to: UInt64(n), fromRoot: Hash32(NaiveMerkle.mth(forked[...])), toRoot: root, proof: proof))
            #expect(!MerkleProof.verifyConsistency(from: UInt64(m), to: UInt64(n), fromRoot: old, toRoot: old, proof: proof))
            for i in proof.indices {
                var bad = proof
                bad[i].d ^= 1 << 63
                #expect(!MerkleProof.verifyConsistency(from: UInt64(m), to: UInt64(n), fromRoot: old, toRoot: root, proof: bad))
            }
            #expect(!MerkleProof.verifyConsistency(from: UInt64(m), to: UInt64(n), fromRoot: old, toRoot: root, proof: []))
        }
        #expect(MerkleProof.verifyConsistency(from: 5, to: 5, fromRoot: Hash32(Self.data[0]), toRoot: Hash32(Self.data[0]), proof: []))
        #expect(!MerkleProof.verifyConsistency(from: 5, to: 5, fromRoot: Hash32(Self.data[0]), toRoot: Hash32(Self.data[1]), proof: []))
    }

    @Test func decompositionsCoverTheirRangeWithAlignedNodes() {
        for begin in 0..<40 {
            for end in begin...70 {
                let nodes = CompactRange.decomposition(UInt64(begin), UInt64(end))
                var at = UInt64(begin)
                for n in nodes {
                    #expect(n.begin == at && n.begin % (1 << UInt64(n.level)) == 0)
                    at = n.end
                }
                #expect(at == UInt64(end))
            }
        }
    }
}
