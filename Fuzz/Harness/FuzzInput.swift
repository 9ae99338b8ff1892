/// Reads one fuzz input as a few parts: a selector byte, then chunks each prefixed with a 2-byte big-endian
/// length (the last chunk is cut where the input ends). ``join(_:)`` writes inputs in the same shape, so
/// that seeds made from real answers read back as the same answers.
public struct FuzzInput {
    private var bytes: ArraySlice<UInt8>

    /// Reads `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes[...]
    }

    /// True when every byte was read.
    public var isEmpty: Bool { bytes.isEmpty }

    /// The next byte, or 0 once the input is used up.
    public mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    /// The next length-prefixed chunk, or nil once the input is used up.
    public mutating func chunk() -> [UInt8]? {
        guard !bytes.isEmpty else { return nil }
        let length = Int(byte()) << 8 | Int(byte())
        let taken = bytes.prefix(length)
        bytes = bytes.dropFirst(taken.count)
        return Array(taken)
    }

    /// Every chunk left.
    public mutating func chunks() -> [[UInt8]] {
        var all: [[UInt8]] = []
        while let next = chunk() { all.append(next) }
        return all
    }

    /// The bytes not read yet.
    public mutating func rest() -> [UInt8] {
        defer { bytes = [] }
        return Array(bytes)
    }

    /// Writes `chunks` (each at most 65535 bytes) the way ``chunk()`` reads them.
    public static func join(_ chunks: [[UInt8]]) -> [UInt8] {
        chunks.flatMap { chunk -> [UInt8] in
            precondition(chunk.count <= 0xFFFF, "a fuzz input chunk is at most 65535 bytes")
            return [UInt8(chunk.count >> 8), UInt8(chunk.count & 0xFF)] + chunk
        }
    }
}
