/// A personal identification number as typed by its holder: the one PIN type of CardGate.
///
/// The digits are kept inside and never printed: `description`, `debugDescription` and the mirror used by `dump`
/// and string interpolation all show `PIN(redacted)`. Not `Equatable`, not `Codable`: compare two entries with
/// ``matches(_:)`` (constant time) and check a PIN only through the Credentials hasher. The bytes are readable only
/// through the `PINDigits` SPI, which the hasher (Credentials) and the API client's wire encoding import.
public struct PIN: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The UTF-8 bytes as entered.
    let bytes: [UInt8]

    /// The longest entry kept; anything longer is cut here and then fails every check (no PIN is this long).
    public static let maximumEntryBytes = 64

    /// Wraps what the holder typed. One trailing line ending (LF or CR LF), as read from standard input, is removed;
    /// nothing else is changed, so validation sees exactly what was typed.
    public init(_ text: String) {
        var bytes = Array(text.utf8.prefix(Self.maximumEntryBytes + 2))
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        self.bytes = bytes
    }

    /// The number of characters entered.
    public var count: Int { bytes.count }

    /// Whether the entry is only ASCII digits, between `lengths.lowerBound` and `lengths.upperBound` of them.
    public func isDigits(length lengths: ClosedRange<Int>) -> Bool {
        lengths.contains(bytes.count) && bytes.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// Whether two entries are the same PIN (the "type it again" confirmation), compared in constant time.
    public func matches(_ other: PIN) -> Bool {
        ConstantTime.equal(bytes, other.bytes)
    }

    /// The bytes, for the hasher and the API's wire encoding only. Do not log, store or echo them.
    @_spi(PINDigits) public var digits: [UInt8] { bytes }

    /// Never the digits.
    public var description: String { "PIN(redacted)" }
    /// Never the digits.
    public var debugDescription: String { "PIN(redacted)" }
    /// A mirror with no children, so that `dump` and reflection show nothing of the digits.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
