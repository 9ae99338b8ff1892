/// The seal of a closed year: what its chain contained, linked to the seal before. Seals are kept forever,
/// also after the year itself is purged, so what remains stays verifiable.
public struct YearSeal: Sendable, Equatable {
    /// The year.
    public let year: Int
    /// The first and last sequence numbers of the year.
    public let firstSequence: Int64, lastSequence: Int64
    /// The number of events (`lastSequence - firstSequence + 1`).
    public let count: Int64
    /// The hash of the year's last event.
    public let lastHash: [UInt8]
    /// The hash of the seal before (the genesis value for the first year).
    public let previousSealHash: [UInt8]

    /// "cardgate.history.seal.v1" ‖ year ‖ first ‖ last ‖ count (u64 each) ‖ last hash ‖ previous seal hash.
    var encoding: [UInt8] {
        var w = ByteWriter()
        w.raw(Array("cardgate.history.seal.v1".utf8))
        w.u64(UInt64(year))
        w.u64(UInt64(firstSequence))
        w.u64(UInt64(lastSequence))
        w.u64(UInt64(count))
        w.field(lastHash)
        w.field(previousSealHash)
        return w.bytes
    }

    /// SHA-256 of the encoding: what the next year's first event links to.
    public var hash: [UInt8] { sha256(encoding) }
}
