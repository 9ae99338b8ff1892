/// The outcome of checking a PIN, as the credentials store reports it.
public enum PINResult: Hashable, Sendable {
    /// The PIN matched.
    case good
    /// The PIN matched, but it was set by the PIN administrator and must be changed first: the card is not usable yet.
    case mustChange
    /// The PIN did not match; `attemptsLeft` more wrong PINs are allowed before the card is blocked.
    case wrong(attemptsLeft: Int)
    /// This failure (or an earlier one) blocked the card: only the PIN administrator can unblock it.
    case blocked
    /// The PIN could not be checked (the registry failed): nothing was counted, the card is not blocked.
    case unavailable
    /// The card may no longer be used (revoked, suspended, expired, holder disabled since the card was checked).
    case refused(CardRefusal)
}
