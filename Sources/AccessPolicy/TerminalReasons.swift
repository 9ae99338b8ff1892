/// Why a card in a terminal reader was refused. The raw value is the reason code written to the history.
public enum TerminalRefusal: String, Hashable, Sendable, CaseIterable {
    /// The card failed the challenge against its pinned key (a clone, a foreign or a mute card).
    case cardNotGenuine = "card-not-genuine"
    /// The card is not in the registry.
    case cardUnknown = "card-unknown"
    /// The card is revoked.
    case cardRevoked = "card-revoked"
    /// The card is past its expiry date.
    case cardExpired = "card-expired"
    /// The card is blocked.
    case cardBlocked = "card-blocked"
    /// The holder has not replaced the initial PIN yet.
    case pinChangeRequired = "pin-change-required"
    /// The card has no holder, or the holder's operator record is not active.
    case operatorInactive = "operator-inactive"
    /// The operator is not assigned to this terminal.
    case notAllowedOnTerminal = "not-allowed-on-terminal"
    /// The last wrong PIN blocked the card.
    case pinBlocked = "pin-blocked"
    /// An emergency lock (clause 30) ended the session; pull the card and insert it again.
    case emergencyLock = "emergency-lock"
    /// The history could not record the unlock, so the terminal stays locked (no record, no access).
    case historyUnavailable = "history-unavailable"
    /// The unlock command failed.
    case unlockCommandFailed = "unlock-command-failed"
}

/// Why a terminal was locked or a session ended. The raw value is the reason code written to the history.
public enum LockReason: String, Hashable, Sendable, CaseIterable {
    /// The card left the reader.
    case cardRemoved = "card-removed"
    /// No activity for the idle timeout.
    case idleTimeout = "idle-timeout"
    /// The session reached its maximum length.
    case maximumSession = "maximum-session"
    /// Someone asked to lock (the lock-screen's button, the API).
    case manual = "manual"
    /// The emergency lock of every terminal (clause 30).
    case emergency = "emergency"
    /// The terminal's reader disappeared.
    case readerLost = "reader-lost"
    /// The PC/SC service (pcscd) stopped answering.
    case pcscServiceLost = "pcsc-service-lost"
    /// The unlock could not be recorded or carried out.
    case unlockFailed = "unlock-failed"
    /// The card in the reader was refused, or a PIN failure blocked it.
    case cardRefused = "card-refused"
    /// A new card was reported while another one was still thought to be present.
    case cardReplaced = "card-replaced"
}

/// Why a terminal's reader cannot be used.
public enum ReaderFault: String, Hashable, Sendable {
    /// The reader disappeared from pcscd's list.
    case readerLost = "reader-lost"
    /// pcscd itself is gone.
    case pcscServiceLost = "pcsc-service-lost"
}

/// Why an unlock that the state machine asked for did not happen; fed back with ``TerminalInput/unlockFailed(_:)``.
public enum UnlockFailure: String, Hashable, Sendable {
    /// Appending the `session.start` record failed.
    case historyWriteFailed = "history-write-failed"
    /// The unlock command could not be started or exited with an error.
    case unlockCommandFailed = "unlock-command-failed"
}
