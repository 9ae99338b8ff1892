/// A personal identification number as typed by its holder.
///
/// The digits are kept inside and never printed: `description`, `debugDescription` and the mirror used by
/// `dump` and string interpolation all show `PIN(redacted)`. There is no public way to read the digits back;
/// the hasher and the policy read them inside this module only.
public struct PIN: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The UTF-8 bytes of the PIN as entered.
    let bytes: [UInt8]

    /// Wraps what the holder typed. One trailing line ending (LF or CR LF), as read from standard input,
    /// is removed; nothing else is changed, so validation sees exactly what was typed.
    public init(_ text: String) {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        self.bytes = bytes
    }

    /// Never the digits.
    public var description: String { "PIN(redacted)" }
    /// Never the digits.
    public var debugDescription: String { "PIN(redacted)" }
    /// A mirror with no children, so that `dump` and reflection show nothing of the digits.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Whether two entries are the same PIN (the "type it again" confirmation), compared in constant time.
    public func matches(_ other: PIN) -> Bool {
        ConstantTime.equal(bytes, other.bytes)
    }
}
