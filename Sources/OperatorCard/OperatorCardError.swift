import APDU

/// Why a card could not be read or authenticated. Every malformed answer from a card lands here with
/// its own ``Code``; nothing a card sends can crash the reader side.
public struct OperatorCardError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, for a program to switch on.
    public enum Code: String, Sendable, Equatable {
        /// The reader or the connection failed (card removed, reader gone, timeout).
        case transport
        /// The card has no PIV application (SELECT answered `6A82` or another error).
        case applicationNotFound
        /// The card answered a command with an unexpected status word.
        case unexpectedStatus
        /// The data object asked for is not on the card (`6A82`).
        case objectMissing
        /// The card's answer is not well-formed BER-TLV, or lacks a required tag.
        case malformedResponse
        /// The CHUID is present but a field has the wrong length or format.
        case malformedCHUID
        /// The certificate object does not hold a parsable X.509 certificate.
        case malformedCertificate
        /// The certificate's key is not ECC P-256 (the only Card Authentication key CardGate accepts).
        case certificateNotP256
        /// The certificate object says the certificate is compressed (`71 01 01`), which CardGate refuses.
        case certificateCompressed
        /// The signature returned by GENERAL AUTHENTICATE is not a DER ECDSA-Sig-Value.
        case malformedSignature
        /// No secure random challenge could be made.
        case randomUnavailable
    }

    /// The code.
    public let code: Code
    /// The status word the card answered, when the error comes from one.
    public let statusWord: StatusWord?
    /// A message a person can act on.
    public let description: String

    /// For ``Code/transport``: the channel's own error (for example the PC/SC "card removed").
    public let underlying: (any Error)?

    /// Makes an error.
    public init(_ code: Code, _ description: String, statusWord: StatusWord? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.description = description
        self.statusWord = statusWord
        self.underlying = underlying
    }

    /// Errors are equal when code, status word and message are; the underlying error is not compared.
    public static func == (a: OperatorCardError, b: OperatorCardError) -> Bool {
        a.code == b.code && a.statusWord == b.statusWord && a.description == b.description
    }

    /// Maps an ``APDUError`` from the exchange layer: transport stays transport, everything else is a
    /// malformed response.
    init(_ error: APDUError, while doing: String) {
        switch error.code {
        case .transport:
            self.init(.transport, "\(doing): \(error.description)", underlying: error.underlying)
        default:
            self.init(.malformedResponse, "\(doing): the card's answer is malformed: \(error.description)")
        }
    }
}
