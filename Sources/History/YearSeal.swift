/// The seal of a closed year: what its chain contained, where the Merkle tree stood at its end, and its last
/// checkpoint, linked to the seal before. Seals are kept forever, also after the year itself is purged, so what
/// remains stays verifiable (the chain, the tree and the checkpoint chain all continue from the seal).
public struct YearSeal: Sendable, Equatable {
    /// The year.
    public let year: Int
    /// The first and last sequence numbers of the year.
    public let firstSequence: Int64, lastSequence: Int64
    /// The number of events (`lastSequence - firstSequence + 1`).
    public let count: Int64
    /// The hash of the year's last event.
    public let lastHash: [UInt8]
    /// The root of the whole history's tree at `lastSequence` (all years up to this one).
    public let treeRoot: [UInt8]
    /// The number of the checkpoint at `lastSequence` (every sealed year ends on a checkpoint).
    public let lastCheckpoint: Int64
    /// The text hash of that checkpoint (what the next checkpoint's `previous` names).
    public let lastCheckpointHash: [UInt8]
    /// The hash of the seal before (the genesis value for the first year).
    public let previousSealHash: [UInt8]

    /// "cardgate.history.seal.v2" ‖ year ‖ first ‖ last ‖ count (u64 each) ‖ last hash ‖ tree root ‖
    /// last checkpoint (u64) ‖ last checkpoint hash ‖ previous seal hash (each hash a u16-length field).
    var encoding: [UInt8] {
        var w = ByteWriter()
        w.raw(Array("cardgate.history.seal.v2".utf8))
        w.u64(UInt64(year))
        w.u64(UInt64(firstSequence))
        w.u64(UInt64(lastSequence))
        w.u64(UInt64(count))
        w.field(lastHash)
        w.field(treeRoot)
        w.u64(UInt64(lastCheckpoint))
        w.field(lastCheckpointHash)
        w.field(previousSealHash)
        return w.bytes
    }

    /// SHA-256 of the encoding: what the next year's first event links to.
    public var hash: [UInt8] { sha256(encoding) }
}
