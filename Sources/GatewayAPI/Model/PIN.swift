/// A PIN as typed: 4 to 16 ASCII digits. It never prints: its descriptions are redacted, so that
/// string interpolation into a log line or an error cannot leak it.
///
/// Not `Equatable` and not `Codable` on purpose: compare PINs only through the constant-time hash check
/// of the Credentials module, and never serialise one.
public struct PIN: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The digits, for hashing. Do not log, store or echo them.
    public let digits: String

    /// The shortest PIN accepted.
    public static let minimumLength = 4
    /// The longest PIN accepted.
    public static let maximumLength = 16

    /// Accepts 4–16 ASCII digits, or returns nil.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard (Self.minimumLength...Self.maximumLength).contains(bytes.count),
            bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        self.digits = text
    }

    /// Always `PIN(redacted)`.
    public var description: String { "PIN(redacted)" }
    /// Always `PIN(redacted)`.
    public var debugDescription: String { "PIN(redacted)" }
    /// Hides the digits from `dump` and debuggers' mirrors.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
