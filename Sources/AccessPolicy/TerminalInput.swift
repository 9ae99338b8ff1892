import Vocabulary

/// Something that happened to a terminal, fed to ``TerminalStateMachine/handle(_:at:)`` with the time it happened.
public enum TerminalInput: Hashable, Sendable {
    /// A card appeared in a reader; `cardGUID` is `nil` when its identifier could not be read.
    case cardInserted(reader: String, cardGUID: CardGUID?)
    /// The one card decision (``CardUsePolicy``) for that presence, answering ``TerminalEffect/verifyCard(_:)``.
    case cardChecked(PresenceID, CardUse)
    /// The result of a PIN check for that presence.
    case pinResult(PresenceID, PINResult)
    /// The unlock command of session `session` exited with status 0: the terminal is unlocked now.
    case unlockSucceeded(session: UInt64)
    /// The unlock of session `session` did not happen (its record or its command failed). A failure of an older
    /// session (its command timed out after the card was pulled and put back) is ignored.
    case unlockFailed(UnlockFailure, session: UInt64)
    /// The last lock command (with its retries) succeeded or failed.
    case lockCommandFinished(succeeded: Bool)
    /// The operator did something (keyboard, mouse, an API operation): pushes the idle timeout back.
    case activity
    /// The clock moved: checks the idle timeout and the maximum session length.
    case tick
    /// The card left the reader.
    case cardRemoved(reader: String)
    /// The terminal's reader disappeared.
    case readerLost
    /// pcscd is gone or stopped answering.
    case pcscServiceLost
    /// The reader is present and pcscd answers again (a card still in it comes as a fresh
    /// ``cardInserted(reader:cardGUID:)``).
    case readerReady
    /// Lock now at someone's request; the PIN is asked again while the card stays.
    case manualLock
    /// Emergency lock (clause 30): the session ends and the card must be pulled and inserted again.
    case emergencyLock
    /// The gateway locks for its own reason (start, shutdown, resume from suspend): whatever was open is locked and
    /// the card, if any, is forgotten (it is checked again when the reader reports it).
    case systemLock(LockReason)
}
