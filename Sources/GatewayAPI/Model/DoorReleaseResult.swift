import Foundation

/// The answer of `POST /v1/emergency/release-doors` and `POST /v1/emergency/restore-doors`.
public struct DoorReleaseResult: Codable, Sendable, Equatable {
    /// `true` after a release, `false` after a restore.
    public var released: Bool
    /// The doors that were released (or restored).
    public var doors: [String]
    /// The terminals locked with the release (none for a restore).
    public var lockedTerminals: [String]
    /// The doors whose record could not be written (the door was still opened: people must get out).
    public var unrecorded: [String]
    /// Why (for a release), as given.
    public var reason: String?
    /// When.
    public var at: Date

    /// Creates the result.
    public init(released: Bool, doors: [String], lockedTerminals: [String], unrecorded: [String], reason: String?, at: Date) {
        self.released = released
        self.doors = doors
        self.lockedTerminals = lockedTerminals
        self.unrecorded = unrecorded
        self.reason = reason
        self.at = at
    }
}
