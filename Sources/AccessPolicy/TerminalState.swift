/// Where a terminal is. Every state except ``unlocked(_:)`` means the screen is locked.
public enum TerminalState: Hashable, Sendable {
    /// No card; the lock screen says "insert your card".
    case locked
    /// A card was inserted and is being verified (challenge, registry).
    case verifying(CardPresence)
    /// The card was accepted; the holder's PIN is asked.
    case awaitingPIN(PINWait)
    /// Signed in.
    case unlocked(TerminalSession)
    /// The card in the reader was refused; it must be pulled before anything else happens.
    case refused(CardPresence, TerminalRefusal)
    /// The reader or pcscd is gone; the terminal stays locked until the reader is back.
    case readerUnavailable(ReaderFault)

    /// The three-valued state of the API and the lock screen.
    public var display: TerminalDisplayState {
        switch self {
        case .unlocked: return .unlocked
        case .awaitingPIN: return .awaitingPIN
        case .locked, .verifying, .refused, .readerUnavailable: return .locked
        }
    }

    /// The card currently in the reader, if the machine knows of one.
    public var card: CardPresence? {
        switch self {
        case .locked, .readerUnavailable: return nil
        case .verifying(let card), .refused(let card, _): return card
        case .awaitingPIN(let wait): return wait.card
        case .unlocked(let session): return session.card
        }
    }

    /// The card and holder whose PIN is asked, when a PIN is asked; check it before hashing a submitted PIN.
    public var pinWait: PINWait? {
        if case .awaitingPIN(let wait) = self { return wait }
        return nil
    }

    /// The session, when unlocked.
    public var session: TerminalSession? {
        if case .unlocked(let session) = self { return session }
        return nil
    }
}

/// The state the API (`GET /v1/terminals/{id}`) and the lock screen show.
public enum TerminalDisplayState: String, Hashable, Sendable {
    /// Locked, whatever the reason.
    case locked
    /// A card is accepted and its PIN is asked.
    case awaitingPIN = "awaiting-pin"
    /// Signed in.
    case unlocked
}
