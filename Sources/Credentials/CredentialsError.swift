/// Why a PIN, a PIN hash, the pepper or the PIN settings were refused.
///
/// Messages name the rule that failed and never contain the PIN.
public struct CredentialsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for a program to switch on.
    public enum Code: String, Sendable {
        /// The pepper file is missing, too open, or unreadable (see the message).
        case pepperFile
        /// The pepper is shorter than 32 bytes.
        case pepperTooShort
        /// A stored PIN hash is not a well-formed `$scrypt$…` string.
        case malformedHash
        /// scrypt parameters outside what this program accepts (too large, or not a power of two).
        case parametersOutOfRange
        /// scrypt parameters below the OWASP minimum without the explicit test switch.
        case parametersBelowMinimum
        /// The key derivation itself failed.
        case hashingFailed
        /// A PIN policy setting outside its allowed range.
        case invalidPolicy
        /// The PIN contains something other than the digits 0–9.
        case pinNotDigits
        /// The PIN is shorter than the policy minimum.
        case pinTooShort
        /// The PIN is longer than the policy maximum.
        case pinTooLong
        /// The PIN is on the blocklist of common or guessable PINs.
        case pinBlocklisted
        /// The PIN equals one of the holder's recent PINs.
        case pinReused
        /// The two entries of a new PIN differ.
        case pinConfirmationMismatch
    }

    /// The code.
    public let code: Code
    /// A message a person can act on.
    public let description: String

    /// Makes an error with its code and message.
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
