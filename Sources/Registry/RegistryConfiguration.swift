import Credentials
import Foundation

/// Settings of the registry: the PIN policy, session and card lifetimes, and how long to wait for a lock.
public struct RegistryConfiguration: Sendable {
    /// The PIN policy (lengths, history, lockout threshold).
    public var policy: PINPolicy
    /// Lifetime of an administrative session; 10 minutes by default.
    public var adminSessionLifetime: TimeInterval
    /// Validity of a newly issued card when no expiry date is given; 5 years by default.
    public var defaultCardValidity: TimeInterval
    /// How long a write waits for another process's lock before giving up with `databaseLocked`.
    public var busyTimeout: TimeInterval
    /// Open the database read-only (list and show commands); every write then fails with `databaseReadOnly`.
    public var readOnly: Bool

    /// The defaults: `PINPolicy.default`, 10-minute sessions, 5-year cards, 5-second lock wait, read-write.
    public init(policy: PINPolicy = .default, adminSessionLifetime: TimeInterval = 600,
                defaultCardValidity: TimeInterval = 5 * 365 * 86_400, busyTimeout: TimeInterval = 5,
                readOnly: Bool = false) {
        self.policy = policy
        self.adminSessionLifetime = adminSessionLifetime
        self.defaultCardValidity = defaultCardValidity
        self.busyTimeout = busyTimeout
        self.readOnly = readOnly
    }
}
