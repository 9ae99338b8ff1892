/// Why a card was revoked.
public enum RevocationReason: String, Sendable, CaseIterable, Codable {
    /// Lost or stolen.
    case lost
    /// The holder moved to another section (異動).
    case transfer
    /// The holder left.
    case retired
    /// The card is damaged.
    case damaged
    /// Any other reason.
    case other
}
