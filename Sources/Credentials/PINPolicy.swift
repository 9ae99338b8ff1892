@_spi(PINDigits) import Vocabulary

/// The rules a new PIN must meet, and the lockout threshold.
///
/// Defaults: 6–12 digits, not on the blocklist, different from the last 5 PINs, blocked after 5
/// consecutive wrong entries. The lockout threshold may be set from 3 to 10 (NIST SP 800-63B allows at
/// most 10; PCI DSS locks after at most 10); anything outside is refused rather than clamped.
public struct PINPolicy: Sendable, Equatable {
    /// Fewest digits.
    public let minimumLength: Int
    /// Most digits.
    public let maximumLength: Int
    /// How many recent PINs (the current one included) a new PIN must differ from.
    public let historyCount: Int
    /// Consecutive wrong entries that block the PIN.
    public let maximumFailures: Int

    /// Allowed range of `maximumFailures`.
    public static let failureLimitRange = 3...10
    /// Allowed range of `minimumLength` (NIST SP 800-63B: at least 6 digits).
    public static let minimumLengthRange = 6...64
    /// Allowed range of `historyCount`.
    public static let historyCountRange = 1...24

    /// The default policy.
    public static let `default` = PINPolicy(checked: 6, 12, 5, 5)

    /// A policy from configuration; refuses out-of-range settings.
    public init(minimumLength: Int = 6, maximumLength: Int = 12, historyCount: Int = 5, maximumFailures: Int = 5) throws(CredentialsError) {
        guard Self.minimumLengthRange.contains(minimumLength), minimumLength <= maximumLength, maximumLength <= 64 else {
            throw CredentialsError(.invalidPolicy, "PIN length \(minimumLength)–\(maximumLength) is not allowed: the minimum must be 6–64 and not above the maximum (at most 64)")
        }
        guard Self.historyCountRange.contains(historyCount) else {
            throw CredentialsError(.invalidPolicy, "PIN history of \(historyCount) is not allowed: it must be \(Self.historyCountRange.lowerBound)–\(Self.historyCountRange.upperBound)")
        }
        guard Self.failureLimitRange.contains(maximumFailures) else {
            throw CredentialsError(.invalidPolicy, "a lockout after \(maximumFailures) wrong PINs is not allowed: it must be \(Self.failureLimitRange.lowerBound)–\(Self.failureLimitRange.upperBound)")
        }
        self.init(checked: minimumLength, maximumLength, historyCount, maximumFailures)
    }

    private init(checked minimumLength: Int, _ maximumLength: Int, _ historyCount: Int, _ maximumFailures: Int) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        self.historyCount = historyCount
        self.maximumFailures = maximumFailures
    }

    /// Checks a new PIN's form: digits only, length, and the blocklist. The error names the rule, not the PIN.
    public func check(_ pin: PIN) throws(CredentialsError) {
        let bytes = pin.digits
        guard bytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw CredentialsError(.pinNotDigits, "the PIN must contain only the digits 0–9")
        }
        guard bytes.count >= minimumLength else {
            throw CredentialsError(.pinTooShort, "the PIN is too short: at least \(minimumLength) digits are required")
        }
        guard bytes.count <= maximumLength else {
            throw CredentialsError(.pinTooLong, "the PIN is too long: at most \(maximumLength) digits are allowed")
        }
        if let reason = PINBlocklist.reason(for: bytes.map { Int($0 - UInt8(ascii: "0")) }) {
            throw CredentialsError(.pinBlocklisted, "the PIN is too easy to guess (\(reason)); choose another")
        }
    }

    /// Checks that a new PIN differs from the recent ones. `recentHashes` are PHC strings, newest first,
    /// the current PIN's hash included; only the first `historyCount` are compared.
    public func checkNotReused(_ pin: PIN, recentHashes: [String], hasher: PINHasher) throws(CredentialsError) {
        for stored in recentHashes.prefix(historyCount) {
            if case .match = try hasher.verify(pin, against: stored) {
                throw CredentialsError(.pinReused, "the new PIN is the same as one of the last \(historyCount) PINs; choose another")
            }
        }
    }

    /// Checks that both entries of a new PIN are the same.
    public static func checkConfirmation(_ pin: PIN, _ confirmation: PIN) throws(CredentialsError) {
        guard pin.matches(confirmation) else {
            throw CredentialsError(.pinConfirmationMismatch, "the two entries of the new PIN differ; nothing was changed")
        }
    }
}
