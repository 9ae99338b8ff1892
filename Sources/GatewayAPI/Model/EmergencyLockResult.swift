import Foundation

/// The answer of `POST /v1/emergency/lock-all` (clause 30) and the payload of the `emergency` event.
public struct EmergencyLockResult: Codable, Sendable, Equatable {
    /// Every terminal now locked (all configured terminals).
    public var lockedTerminals: [String]
    /// How many open sessions were ended.
    public var endedSessions: Int
    /// The reason given, if any (for example `earthquake`).
    public var reason: String?
    /// When it was recorded.
    public var at: Date

    /// Creates an emergency lock result.
    public init(lockedTerminals: [String], endedSessions: Int, reason: String?, at: Date) {
        self.lockedTerminals = lockedTerminals
        self.endedSessions = endedSessions
        self.reason = reason
        self.at = at
    }
}
