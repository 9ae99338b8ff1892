import Vocabulary

/// Why a card in a terminal reader was refused, or a sign-in ended without a session. The code is the reason written
/// to the history.
public enum TerminalRefusal: Hashable, Sendable {
    /// The one card decision refused the card (``CardUsePolicy``).
    case card(CardRefusal)
    /// The last wrong PIN blocked the card.
    case pinBlocked
    /// An emergency lock (clause 30) ended the session; pull the card and insert it again.
    case emergencyLock
    /// The history could not record the unlock, so the terminal stays locked (no record, no access).
    case historyUnavailable
    /// The unlock command failed, so the terminal stays locked.
    case unlockCommandFailed

    /// The reason code: a ``CardRefusal`` raw value, `pin-blocked`, `emergency-lock`, `history-unavailable` or
    /// `unlock-command-failed`.
    public var code: String {
        switch self {
        case .card(let refusal): refusal.rawValue
        case .pinBlocked: "pin-blocked"
        case .emergencyLock: "emergency-lock"
        case .historyUnavailable: "history-unavailable"
        case .unlockCommandFailed: "unlock-command-failed"
        }
    }
}

/// Why a terminal's reader cannot be used.
public enum ReaderFault: String, Hashable, Sendable {
    /// The reader disappeared from pcscd's list.
    case readerLost = "reader-lost"
    /// pcscd is gone or stopped answering.
    case pcscServiceLost = "pcsc-service-lost"
}

/// Why an unlock that the state machine asked for did not happen; fed back with ``TerminalInput/unlockFailed(_:session:)``.
public enum UnlockFailure: String, Hashable, Sendable {
    /// Appending the `session.start` record failed.
    case historyWriteFailed = "history-write-failed"
    /// The unlock command could not be started, exited with an error or timed out.
    case unlockCommandFailed = "unlock-command-failed"
}
