/// Lower-case hexadecimal text for bytes, and bytes from hexadecimal text.
public enum Hex {
    private static let digits: [Character] = Array("0123456789abcdef")

    /// Lower-case hex, two digits per byte, no separators: `[0x5F, 0xC1]` → `"5fc1"`.
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out = ""
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return out
    }

    /// Parses hex text (either case; spaces and colons are ignored). Returns nil for any other character
    /// or an odd number of digits.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8?
        for ch in text.unicodeScalars {
            if ch == " " || ch == ":" { continue }
            let v: UInt8
            switch ch.value {
            case 0x30...0x39: v = UInt8(ch.value - 0x30)
            case 0x41...0x46: v = UInt8(ch.value - 0x41 + 10)
            case 0x61...0x66: v = UInt8(ch.value - 0x61 + 10)
            default: return nil
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return high == nil ? out : nil
    }
}
