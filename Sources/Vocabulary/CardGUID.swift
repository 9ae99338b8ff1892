/// An operator card's identifier: the 16-byte GUID of its CHUID (SP 800-73-4), one type from the card reader to the
/// history. Written as 32 lower-case hex digits everywhere (registry, API, history, messages).
public struct CardGUID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The 32 lower-case hex digits.
    public let hex: String

    /// The number of bytes of a GUID.
    public static let byteCount = 16

    /// From the 16 bytes read from the card; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        hex = Hex.encode(bytes)
    }

    /// From 32 hex digits (either case; dashes allowed, as in a UUID); nil for anything else.
    public init?(hex text: String) {
        guard text.utf8.count <= 64 else { return nil }
        let digits = String(decoding: text.utf8.filter { $0 != UInt8(ascii: "-") }, as: UTF8.self).lowercased()
        guard Hex.isLowerHex(digits, count: Self.byteCount * 2) else { return nil }
        hex = digits
    }

    /// The 16 bytes.
    public var bytes: [UInt8] { Hex.decode(hex) ?? [] }

    /// The first 8 digits and an ellipsis, for messages: `3f2a9c01…`.
    public var short: String { String(hex.prefix(8)) + "…" }

    /// The 32 hex digits.
    public var description: String { hex }

    /// Orders by hex digits.
    public static func < (lhs: CardGUID, rhs: CardGUID) -> Bool { lhs.hex < rhs.hex }

    /// Decodes the 32 hex digits; anything else is a decoding error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let guid = CardGUID(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a card GUID (32 hex digits)")
        }
        self = guid
    }

    /// Encodes the 32 hex digits.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
