/// The lifecycle status of a card as the registry reports it.
public enum CardStatus: String, Sendable, Hashable, CaseIterable {
    /// Issued and usable.
    case active
    /// Blocked (for example after too many wrong PINs, or suspended); only the PIN administrator lifts it.
    case blocked
    /// Revoked, lost, collected or destroyed: never usable again.
    case revoked
    /// Past its expiry date.
    case expired
    /// Issued, but the holder has not yet replaced the initial PIN the PIN administrator set (`cardgate pin change`);
    /// refused until then, so that nobody who knows the initial PIN can use the card.
    case pinChangeRequired
    /// Not in the registry at all.
    case unknown
}

/// What the caller found out about a card inserted in a terminal reader: the challenge against the pinned key,
/// and the registry's view of the card and its holder.
public struct CardVerdict: Hashable, Sendable {
    /// The card answered the challenge with the key pinned for it at issue (PKI-CAK); `false` for a clone or a mute card.
    public var genuine: Bool
    /// The card's lifecycle status.
    public var cardStatus: CardStatus
    /// The operator the card is issued to, if the registry knows one.
    public var operatorID: String?
    /// The operator's record is active (not suspended, not departed).
    public var operatorActive: Bool
    /// The operator is assigned to this terminal.
    public var allowedOnTerminal: Bool

    /// Creates a verdict.
    public init(genuine: Bool, cardStatus: CardStatus, operatorID: String?, operatorActive: Bool, allowedOnTerminal: Bool) {
        self.genuine = genuine
        self.cardStatus = cardStatus
        self.operatorID = operatorID
        self.operatorActive = operatorActive
        self.allowedOnTerminal = allowedOnTerminal
    }

    /// The first reason, in a fixed order of severity, that this verdict refuses the card; `nil` when it is accepted.
    ///
    /// Order: not genuine, unknown, revoked, expired, blocked, initial PIN not changed, no operator or operator inactive, not allowed on the terminal.
    public var terminalRefusal: TerminalRefusal? {
        if !genuine { return .cardNotGenuine }
        switch cardStatus {
        case .unknown: return .cardUnknown
        case .revoked: return .cardRevoked
        case .expired: return .cardExpired
        case .blocked: return .cardBlocked
        case .pinChangeRequired: return .pinChangeRequired
        case .active: break
        }
        guard operatorID != nil, operatorActive else { return .operatorInactive }
        guard allowedOnTerminal else { return .notAllowedOnTerminal }
        return nil
    }
}

/// The outcome of checking a PIN, as the credentials store reports it.
public enum PINResult: Hashable, Sendable {
    /// The PIN matched.
    case good
    /// The PIN did not match; `attemptsLeft` more wrong PINs are allowed before the card is blocked.
    case wrong(attemptsLeft: Int)
    /// This failure (or an earlier one) blocked the card: only the PIN administrator can unblock it.
    case blocked
}
