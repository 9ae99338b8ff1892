/// Something that happened to a terminal, fed to ``TerminalStateMachine/handle(_:at:)`` with the time it happened.
public enum TerminalInput: Hashable, Sendable {
    /// A card appeared in a reader; `cardGUID` is `nil` when its identifier could not be read.
    case cardInserted(reader: String, cardGUID: String?)
    /// The verdict on a card, answering a ``TerminalEffect/verifyCard(_:)`` for that presence.
    case cardVerified(PresenceID, CardVerdict)
    /// The result of a PIN check for that presence.
    case pinResult(PresenceID, PINResult)
    /// The operator did something (keyboard, mouse, an API operation): pushes the idle timeout back.
    case activity
    /// The clock moved: checks the idle timeout and the maximum session length.
    case tick
    /// The card left the reader.
    case cardRemoved(reader: String)
    /// The terminal's reader disappeared.
    case readerLost
    /// pcscd stopped answering.
    case pcscServiceLost
    /// The reader is present and pcscd answers again (a card still in it comes as a fresh ``cardInserted(reader:cardGUID:)``).
    case readerReady
    /// Lock now at someone's request; the PIN is asked again while the card stays.
    case manualLock
    /// Emergency lock (clause 30): the session ends and the card must be pulled and inserted again.
    case emergencyLock
    /// The unlock that the last effects asked for did not happen (its record or its command failed).
    case unlockFailed(UnlockFailure)
}
