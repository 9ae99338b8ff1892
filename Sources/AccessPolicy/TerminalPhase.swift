import Vocabulary

/// Where a terminal's state machine is. Every phase except ``unlocked(_:)`` means the screen is locked.
public enum TerminalPhase: Hashable, Sendable {
    /// No card; the lock screen says "insert your card".
    case locked
    /// A card was inserted and is being checked (challenge, registry).
    case verifying(CardPresence)
    /// The card was accepted; the holder's PIN is asked.
    case awaitingPIN(PINWait)
    /// The PIN was accepted and recorded; the unlock command runs. Not unlocked until it succeeded.
    case unlocking(TerminalSession)
    /// Signed in.
    case unlocked(TerminalSession)
    /// The card in the reader was refused; it must be pulled before anything else happens.
    case refused(CardPresence, TerminalRefusal)
    /// The reader or pcscd is gone; the terminal stays locked until the reader is back.
    case readerUnavailable(ReaderFault)

    /// The card currently in the reader, if the machine knows of one.
    public var card: CardPresence? {
        switch self {
        case .locked, .readerUnavailable: return nil
        case .verifying(let card), .refused(let card, _): return card
        case .awaitingPIN(let wait): return wait.card
        case .unlocking(let session), .unlocked(let session): return session.card
        }
    }

    /// The card and holder whose PIN is asked, when a PIN is asked; check it before hashing a submitted PIN.
    public var pinWait: PINWait? {
        if case .awaitingPIN(let wait) = self { return wait }
        return nil
    }

    /// The session, when unlocked (not while the unlock command still runs).
    public var session: TerminalSession? {
        if case .unlocked(let session) = self { return session }
        return nil
    }

    /// The session being opened or open.
    public var openingOrOpenSession: TerminalSession? {
        switch self {
        case .unlocking(let session), .unlocked(let session): return session
        default: return nil
        }
    }
}
