/// The two status bytes SW1 SW2 that end every response APDU (ISO/IEC 7816-4).
///
/// Named constants cover what the PIV profile meets; ``family`` groups the rest so code can
/// `switch sw.family { case .retriesLeft(let n): … }`.
public struct StatusWord: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// SW1 << 8 | SW2.
    public let rawValue: UInt16

    /// Makes a status word from its 16-bit value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Makes a status word from SW1 and SW2.
    public init(sw1: UInt8, sw2: UInt8) { self.rawValue = UInt16(sw1) << 8 | UInt16(sw2) }

    /// The first status byte.
    public var sw1: UInt8 { UInt8(rawValue >> 8) }
    /// The second status byte.
    public var sw2: UInt8 { UInt8(rawValue & 0xFF) }
    /// The two bytes as they travel on the wire.
    public var bytes: [UInt8] { [sw1, sw2] }

    /// `9000`: normal processing.
    public static let success = StatusWord(rawValue: 0x9000)
    /// `6700`: wrong length (Lc or Le).
    public static let wrongLength = StatusWord(rawValue: 0x6700)
    /// `6982`: security status not satisfied (PIN or key needed first).
    public static let securityStatusNotSatisfied = StatusWord(rawValue: 0x6982)
    /// `6983`: authentication method blocked.
    public static let authenticationBlocked = StatusWord(rawValue: 0x6983)
    /// `6984`: reference data not usable (data invalid).
    public static let dataInvalid = StatusWord(rawValue: 0x6984)
    /// `6985`: conditions of use not satisfied.
    public static let conditionsNotSatisfied = StatusWord(rawValue: 0x6985)
    /// `6A80`: incorrect parameters in the data field.
    public static let incorrectData = StatusWord(rawValue: 0x6A80)
    /// `6A82`: file or application (data object) not found.
    public static let notFound = StatusWord(rawValue: 0x6A82)
    /// `6A86`: incorrect parameters P1-P2.
    public static let incorrectP1P2 = StatusWord(rawValue: 0x6A86)
    /// `6A88`: referenced data (for example a PIN or key reference) not found.
    public static let referencedDataNotFound = StatusWord(rawValue: 0x6A88)
    /// `6B00`: wrong parameters P1-P2.
    public static let wrongP1P2 = StatusWord(rawValue: 0x6B00)
    /// `6D00`: instruction code not supported.
    public static let instructionNotSupported = StatusWord(rawValue: 0x6D00)
    /// `6E00`: class not supported.
    public static let classNotSupported = StatusWord(rawValue: 0x6E00)
    /// `6883`: the last command of a chain was expected.
    public static let lastCommandOfChainExpected = StatusWord(rawValue: 0x6883)
    /// `6F00`: no precise diagnosis.
    public static let noPreciseDiagnosis = StatusWord(rawValue: 0x6F00)

    /// Groups of status words that carry a number or share a meaning.
    public enum Family: Equatable, Sendable {
        /// `9000`.
        case success
        /// `61xx`: `n` more bytes wait for GET RESPONSE (`61 00` = 256 or more).
        case bytesRemaining(Int)
        /// `63Cx`: `n` tries left before the reference data is blocked.
        case retriesLeft(Int)
        /// `6Cxx`: wrong Le; resend with Le = `exact` (`6C 00` = 256).
        case wrongLength(exact: Int)
        /// `62xx`, other `63xx`: a warning; the command was processed.
        case warning(StatusWord)
        /// `64xx`–`66xx`: execution error.
        case executionError(StatusWord)
        /// `67xx`–`6Fxx` other than `6Cxx`: checking error (the command was refused as sent).
        case checkingError(StatusWord)
        /// Anything else (`90xx` other than `9000`, proprietary values).
        case other(StatusWord)
    }

    /// The family this status word belongs to.
    public var family: Family {
        switch sw1 {
        case 0x90 where sw2 == 0x00: return .success
        case 0x61: return .bytesRemaining(sw2 == 0 ? 256 : Int(sw2))
        case 0x63 where sw2 & 0xF0 == 0xC0: return .retriesLeft(Int(sw2 & 0x0F))
        case 0x6C: return .wrongLength(exact: sw2 == 0 ? 256 : Int(sw2))
        case 0x62, 0x63: return .warning(self)
        case 0x64, 0x65, 0x66: return .executionError(self)
        case 0x67...0x6F: return .checkingError(self)
        default: return .other(self)
        }
    }

    /// True for `9000` only.
    public var isSuccess: Bool { rawValue == 0x9000 }

    /// A short English meaning, for logs and error messages.
    public var meaning: String {
        switch self {
        case .success: return "success"
        case .wrongLength: return "wrong length"
        case .securityStatusNotSatisfied: return "security status not satisfied"
        case .authenticationBlocked: return "authentication method blocked"
        case .dataInvalid: return "reference data not usable"
        case .conditionsNotSatisfied: return "conditions of use not satisfied"
        case .incorrectData: return "incorrect data"
        case .notFound: return "not found"
        case .incorrectP1P2, .wrongP1P2: return "wrong parameters P1-P2"
        case .referencedDataNotFound: return "referenced data not found"
        case .instructionNotSupported: return "instruction not supported"
        case .classNotSupported: return "class not supported"
        case .lastCommandOfChainExpected: return "last command of chain expected"
        default: break
        }
        switch family {
        case .bytesRemaining(let n): return "\(n) bytes remaining"
        case .retriesLeft(let n): return "\(n) tries left"
        case .wrongLength(let n): return "wrong Le, \(n) bytes available"
        case .warning: return "warning"
        case .executionError: return "execution error"
        case .checkingError: return "checking error"
        case .success, .other: return "unknown status"
        }
    }

    /// `"6A82 (not found)"`.
    public var description: String {
        let hex = String(rawValue, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - hex.count) + hex + " (\(meaning))"
    }
}
