@_spi(PINDigits) import Vocabulary

/// A PIN inside an administrative request: on the wire a JSON string of digits, in Swift a ``PIN`` that never prints.
/// Decoding checks the form (4–16 digits) and says nothing of the value.
public struct SecretPIN: Codable, Sendable, CustomStringConvertible {
    /// The PIN.
    public let pin: PIN

    /// Wraps a PIN.
    public init(_ pin: PIN) { self.pin = pin }

    /// Decodes and checks the digits.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            pin = try InputRules.pin(text)
        } catch {
            throw error
        }
    }

    /// Encodes the digits (only the client does this, to send them).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(decoding: pin.digits, as: UTF8.self))
    }

    /// Never the digits.
    public var description: String { "PIN(redacted)" }
}
