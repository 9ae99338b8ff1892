import Foundation
import Crypto

/// A SHA-256 value held inline (no heap allocation per event or tree node in the verify loop).
struct Hash32: Hashable, Sendable {
    var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0

    init(_ p: UnsafeRawPointer) {
        a = p.loadUnaligned(as: UInt64.self)
        b = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        c = p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        d = p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
    }

    init(_ bytes: [UInt8]) {
        precondition(bytes.count == 32)
        self = bytes.withUnsafeBytes { Hash32($0.baseAddress!) }
    }

    /// Nil unless exactly 32 bytes (for values read from files and columns).
    init?<C: Collection>(checking bytes: C) where C.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        self.init(Array(bytes))
    }

    init(_ digest: SHA256.Digest) {
        self = digest.withUnsafeBytes { Hash32($0.baseAddress!) }
    }

    var bytes: [UInt8] {
        var copy = self
        return withUnsafeBytes(of: &copy) { Array($0) }
    }

    /// Writes the 32 bytes at `offset` of `buffer`.
    func store(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeBytes(of: a, toByteOffset: offset, as: UInt64.self)
        buffer.storeBytes(of: b, toByteOffset: offset + 8, as: UInt64.self)
        buffer.storeBytes(of: c, toByteOffset: offset + 16, as: UInt64.self)
        buffer.storeBytes(of: d, toByteOffset: offset + 24, as: UInt64.self)
    }

    /// Standard base64 of the 32 bytes (checkpoint notes and proof files).
    var base64: String { Base64.encode(bytes) }
}

/// The hashes of the RFC 9162 Merkle tree (§2.1.1): a leaf is SHA-256(0x00 ‖ leaf data), an inner node
/// SHA-256(0x01 ‖ left ‖ right); the prefixes keep a leaf from posing as a node.
///
/// The history's leaf data is an event's 32-byte chain hash (`HistoryEvent.hash`), so leaf `i` is event `i + 1`.
enum MerkleHash {
    /// The root of the empty tree: SHA-256 of nothing.
    static let emptyRoot = Hash32(SHA256.hash(data: [UInt8]()))

    /// The leaf hash of an event hash.
    static func leaf(_ eventHash: Hash32) -> Hash32 {
        withUnsafeTemporaryAllocation(byteCount: 33, alignment: 8) { buffer in
            buffer[0] = 0
            eventHash.store(into: buffer, at: 1)
            var h = SHA256()
            h.update(bufferPointer: UnsafeRawBufferPointer(buffer))
            return Hash32(h.finalize())
        }
    }

    /// The hash of an inner node from its two children.
    static func node(_ left: Hash32, _ right: Hash32) -> Hash32 {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buffer in
            buffer[0] = 1
            left.store(into: buffer, at: 1)
            right.store(into: buffer, at: 33)
            var h = SHA256()
            h.update(bufferPointer: UnsafeRawBufferPointer(buffer))
            return Hash32(h.finalize())
        }
    }
}
