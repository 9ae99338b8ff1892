/// A card's CHUID GUID: 16 bytes, written as 32 lower-case hex digits.
public struct CardGUID: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    /// The 32 lower-case hex digits.
    public let hex: String

    /// From the 16 bytes read from the card.
    public init(bytes: [UInt8]) throws(RegistryError) {
        guard bytes.count == 16 else {
            throw RegistryError(.invalidInput, "a card GUID has 16 bytes, not \(bytes.count)")
        }
        hex = RegistryFormat.hex(bytes)
    }

    /// From 32 hex digits (upper or lower case, dashes allowed as in a UUID).
    public init(_ text: String) throws(RegistryError) {
        let digits = text.lowercased().filter { $0 != "-" }
        guard RegistryFormat.isLowerHex(digits, count: 32) else {
            throw RegistryError(.invalidInput, "\"\(text.prefix(48))\" is not a card GUID: expected 32 hex digits")
        }
        hex = digits
    }

    /// The first 8 digits and an ellipsis, for messages: `3f2a9c01…`.
    public var short: String { String(hex.prefix(8)) + "…" }

    /// The 32 hex digits.
    public var description: String { hex }

    /// Orders by hex digits.
    public static func < (lhs: CardGUID, rhs: CardGUID) -> Bool { lhs.hex < rhs.hex }
}
