/// Why bytes could not be turned into an APDU or a TLV, or why an exchange with a card went wrong.
///
/// Every malformed input has its own ``Code``; ``description`` names the offset or the length involved so
/// a person reading a log can see what the card sent.
public struct APDUError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for a program to switch on.
    public enum Code: String, Sendable, Equatable {
        /// A TLV ended before its tag, length or value was complete.
        case truncatedTLV
        /// A TLV length field uses a form this decoder refuses (indefinite `80`, or more than 3 length bytes).
        case unsupportedLength
        /// A TLV tag is longer than 3 bytes.
        case tagTooLong
        /// A TLV claims more value bytes than are present.
        case lengthOverflow
        /// A response APDU is shorter than the 2 status bytes.
        case responseTooShort
        /// A command APDU could not be parsed (wrong Lc, missing header, trailing bytes).
        case malformedCommand
        /// A command cannot be encoded: data or Le out of range for the short form.
        case commandTooLong
        /// The card kept answering `61xx`/`6Cxx` past any reasonable bound.
        case tooManyResponseBlocks
        /// A block of a chained command was refused by the card.
        case chainingRefused
        /// The channel under the exchange failed (reader gone, card removed, timeout).
        case transport
    }

    /// The code.
    public let code: Code
    /// A message a person can act on.
    public let description: String

    /// For ``Code/transport``: the channel's own error (for example the PC/SC "card removed").
    public let underlying: (any Error)?

    /// Makes an error with a code, a message and, for transport failures, the channel's error.
    public init(_ code: Code, _ description: String, underlying: (any Error)? = nil) {
        self.code = code
        self.description = description
        self.underlying = underlying
    }

    /// Errors are equal when their code and message are; the underlying error is not compared.
    public static func == (a: APDUError, b: APDUError) -> Bool {
        a.code == b.code && a.description == b.description
    }
}
