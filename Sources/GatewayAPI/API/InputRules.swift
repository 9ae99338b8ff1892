import Vocabulary

/// The conservative patterns every input must match before the gateway sees it.
///
/// Messages name the field and the rule, never the value: a value can be a mistyped PIN.
public enum InputRules {
    /// Longest id (terminal, door, room) accepted.
    public static let maximumIDLength = 32
    /// Longest action accepted.
    public static let maximumActionLength = 64
    /// Longest target accepted.
    public static let maximumTargetLength = 128
    /// Longest emergency reason accepted.
    public static let maximumReasonLength = 64

    /// An id: 1–32 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit.
    public static func id(_ raw: String, field: String) throws(GatewayError) -> String {
        let bytes = Array(raw.utf8)
        guard (1...maximumIDLength).contains(bytes.count), isAlphanumeric(bytes[0]),
            bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else {
            throw GatewayError(.invalidID, "\(field) must be 1–\(maximumIDLength) characters of A-Z a-z 0-9 . _ - starting with a letter or digit")
        }
        return raw
    }

    /// A PIN: 4–16 ASCII digits.
    public static func pin(_ raw: String) throws(GatewayError) -> PIN {
        let pin = PIN(raw)
        guard raw.utf8.count == pin.count, pin.isDigits(length: pinLengths) else {
            throw GatewayError(.invalidPIN, "pin must be \(pinLengths.lowerBound)–\(pinLengths.upperBound) digits 0-9")
        }
        return pin
    }

    /// The lengths of a PIN the API accepts (the PIN policy, which is stricter, applies when a PIN is set).
    public static let pinLengths = 4...16

    /// An action: `[a-z][a-z0-9._-]{0,63}`, for example `resident.view`.
    public static func action(_ raw: String) throws(GatewayError) -> String {
        let bytes = Array(raw.utf8)
        guard (1...maximumActionLength).contains(bytes.count), isLower(bytes[0]),
            bytes.allSatisfy({ isLower($0) || isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else {
            throw GatewayError(.invalidField, "action must be 1–\(maximumActionLength) characters of a-z 0-9 . _ - starting with a-z")
        }
        return raw
    }

    /// A target: `[A-Za-z0-9][A-Za-z0-9._:/@#-]{0,127}`, for example `resident:000123456789`.
    public static func target(_ raw: String) throws(GatewayError) -> String {
        let bytes = Array(raw.utf8)
        let extra = Set(".:_/@#-".utf8)
        guard (1...maximumTargetLength).contains(bytes.count), isAlphanumeric(bytes[0]),
            bytes.allSatisfy({ isAlphanumeric($0) || extra.contains($0) })
        else {
            throw GatewayError(.invalidField, "target must be 1–\(maximumTargetLength) characters of A-Z a-z 0-9 . _ : / @ # - starting with a letter or digit")
        }
        return raw
    }

    /// An emergency reason: like an action, up to 64 characters (for example `earthquake`).
    public static func reason(_ raw: String) throws(GatewayError) -> String {
        let bytes = Array(raw.utf8)
        guard (1...maximumReasonLength).contains(bytes.count), isLower(bytes[0]),
            bytes.allSatisfy({ isLower($0) || isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else {
            throw GatewayError(.invalidField, "reason must be 1–\(maximumReasonLength) characters of a-z 0-9 . _ - starting with a-z")
        }
        return raw
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    private static func isLower(_ b: UInt8) -> Bool { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }
    private static func isUpper(_ b: UInt8) -> Bool { b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") }
    private static func isAlphanumeric(_ b: UInt8) -> Bool { isDigit(b) || isLower(b) || isUpper(b) }
}
