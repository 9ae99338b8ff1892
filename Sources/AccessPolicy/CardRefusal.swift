/// Why a presented card may not be used here now, as ``CardUsePolicy/decide(_:at:now:timeZone:)`` finds it. The raw
/// value is the reason code written to the history (`auth.card.refused`, `door.refused`) and sent by the API.
///
/// Each reason is precise: an unknown card is `unknown-card`, not a clone; a card whose pinned-key challenge failed is
/// `not-genuine`; a registry or reader failure is `unavailable` (a fault of the gateway, not of the card).
public enum CardRefusal: String, Hashable, Sendable, Codable, CaseIterable {
    /// The registry could not be read, or the card could not be read (reader fault, mute card): nothing is known.
    case unavailable
    /// The card is not in the registry (no pinned key to challenge it with).
    case unknownCard = "unknown-card"
    /// The card failed the challenge against the key pinned for it at issue (a clone or a foreign card).
    case notGenuine = "not-genuine"
    /// Revoked, collected or destroyed.
    case revoked
    /// Suspended by the PIN administrator.
    case suspended
    /// Blocked after too many wrong PINs.
    case blocked
    /// Past its expiry date.
    case expired = "card-expired"
    /// The PIN was set by the PIN administrator (at issue or by a reset) and its holder has not changed it yet.
    case pinChangeRequired = "pin-change-required"
    /// The holder's operator record is missing, disabled, or outside its validity period.
    case operatorInactive = "operator-inactive"
    /// The holder is not assigned to this terminal.
    case notAllowedOnTerminal = "not-allowed-on-terminal"
    /// The holder has no grant for this room.
    case noGrant = "no-grant"
    /// Grants exist but none is open at this weekday and hour.
    case outsideHours = "outside-hours"
    /// Every grant for this room has expired.
    case grantExpired = "grant-expired"
    /// No grant for this room is valid yet.
    case grantNotYetValid = "grant-not-yet-valid"
    /// The grants that would be open exclude holidays, and today is one.
    case holiday
    /// The admin station needs a holder with an administrative role.
    case noAdministrativeRole = "no-administrative-role"

    /// Whether the refusal is a sign of misuse that the anomaly report lists (clause 16.4, 22): a card that should
    /// not be in anyone's hands, or one that is not what it claims.
    public var isSuspicious: Bool {
        switch self {
        case .unknownCard, .notGenuine, .revoked, .suspended, .expired: return true
        default: return false
        }
    }
}
