/// Where a card is in its lifecycle (clauses 7, 16).
///
/// ```
/// issued ─→ active ─→ blocked / suspended ─→ revoked(reason) ─→ collected ─→ destroyed
/// ```
/// ``transitions`` is the whole table; anything else is refused, by the registry and by a database trigger.
public enum CardStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Handed out; the holder has not yet replaced the initial PIN.
    case issued
    /// In use.
    case active
    /// Too many wrong PINs; only the PIN administrator unblocks it.
    case blocked
    /// Temporarily stopped by the PIN administrator (leave, investigation).
    case suspended
    /// Cancelled for good, with a reason.
    case revoked
    /// Back in the PIN administrator's hands, kept locked (clause 16.6).
    case collected
    /// Physically destroyed.
    case destroyed

    /// The legal moves.
    public static let transitions: [CardStatus: Set<CardStatus>] = [
        .issued: [.active, .blocked, .suspended, .revoked],
        .active: [.blocked, .suspended, .revoked],
        .blocked: [.issued, .active, .revoked],
        .suspended: [.issued, .active, .revoked],
        .revoked: [.collected],
        .collected: [.destroyed],
        .destroyed: [],
    ]

    /// Whether moving from this status to `next` is in the lifecycle.
    public func canMove(to next: CardStatus) -> Bool {
        Self.transitions[self, default: []].contains(next)
    }

    /// Revoked, collected or destroyed: the card can never be used or issued again.
    public var isFinished: Bool { self == .revoked || self == .collected || self == .destroyed }
}
