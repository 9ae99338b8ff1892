/// The outcome of a challenge-response with a card's Card Authentication key.
public enum AuthenticityResult: Equatable, Sendable {
    /// The card signed the fresh challenge with the private key matching the expected public key.
    case genuine
    /// The card answered, but the answer does not prove it holds the expected key.
    case notGenuine(Reason)

    /// Why a card is not genuine.
    public enum Reason: String, Equatable, Sendable {
        /// The signature is well-formed but does not verify with the expected public key (a clone, or a
        /// card whose key is not the one pinned).
        case signatureDoesNotVerify
    }

    /// True only for ``genuine``.
    public var isGenuine: Bool { self == .genuine }

    /// A sentence for a person: "genuine" or why not.
    public var explanation: String {
        switch self {
        case .genuine: return "genuine: the card signed a fresh challenge with the expected key"
        case .notGenuine(.signatureDoesNotVerify):
            return "not genuine: the card's signature does not verify with the expected public key (cloned card or wrong key)"
        }
    }
}
