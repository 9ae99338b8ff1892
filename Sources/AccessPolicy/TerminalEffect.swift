import Foundation
import Vocabulary

/// Something the caller must do, in the order given, after ``TerminalStateMachine/handle(_:at:)``.
///
/// A ``record(_:)`` always comes before the act it records. When appending a record fails, the caller must skip every
/// later effect of the same batch whose ``grantsAccess`` is true and then feed ``TerminalInput/unlockFailed(_:session:)``;
/// effects that lock are carried out even when their record failed (fail closed).
public enum TerminalEffect: Hashable, Sendable {
    /// Append this event to the history.
    case record(TerminalEvent)
    /// Check this card (challenge against the pinned key, registry look-up, ``CardUsePolicy``) and feed
    /// ``TerminalInput/cardChecked(_:_:)``.
    case verifyCard(CardPresence)
    /// Show the PIN prompt for this card; `attemptsLeft` is set after a wrong PIN.
    case askForPIN(CardPresence, operatorID: String, attemptsLeft: Int?)
    /// Run the configured lock command.
    case runLockCommand
    /// Run the configured unlock command for this session, then feed ``TerminalInput/unlockSucceeded(session:)`` or
    /// ``TerminalInput/unlockFailed(_:session:)``.
    case runUnlockCommand(TerminalSession)
    /// Run the configured alarm command and log at error level (a lock command failed).
    case raiseAlarm(reason: String)
    /// The session is over: forget its API rights, tell the lock screen.
    case endSession(TerminalSession, reason: LockReason)

    /// Whether this effect lets someone in; such an effect must not happen if a record before it failed.
    public var grantsAccess: Bool {
        if case .runUnlockCommand = self { return true }
        return false
    }
}

/// What a terminal event is about; the raw value is the history's event kind.
public enum TerminalEventKind: String, Hashable, Sendable, CaseIterable {
    /// The card decision accepted a card; its PIN is asked.
    case cardAccepted = "auth.card.accepted"
    /// A card was refused (reason: a ``TerminalRefusal`` code).
    case cardRefused = "auth.card.refused"
    /// A wrong PIN (with the attempts left).
    case pinWrong = "auth.pin.wrong"
    /// The PIN failure that blocked the card.
    case pinBlocked = "auth.pin.blocked"
    /// A session starts: recorded before the unlock command runs.
    case sessionStart = "session.start"
    /// A session ends (reason: a ``LockReason`` code): recorded before the lock command runs.
    case sessionEnd = "session.end"
    /// The terminal is locked while no session was open (reason: a ``LockReason`` code).
    case terminalLock = "terminal.lock"
    /// The terminal's reader is usable again.
    case readerReady = "terminal.reader-ready"
    /// The lock command failed after its retries: the screen may still be open (an alarm is raised).
    case lockFailed = "terminal.lock-failed"
    /// A PIN could not be checked because the registry failed (not the holder's fault; nothing was counted).
    case pinUnavailable = "auth.unavailable"
}

/// One history record produced by a terminal state machine.
public struct TerminalEvent: Hashable, Sendable {
    /// The event kind.
    public let kind: TerminalEventKind
    /// The terminal.
    public let terminalID: String
    /// The terminal's reader.
    public let reader: String
    /// The card concerned, when known.
    public let cardGUID: CardGUID?
    /// The operator concerned, when known.
    public let operatorID: String?
    /// The session concerned (start and end records), by its number.
    public let sessionNumber: UInt64?
    /// The reason code (a ``TerminalRefusal`` code or a ``LockReason`` raw value), if any.
    public let reason: String?
    /// For ``TerminalEventKind/pinWrong``: the wrong PINs still allowed.
    public let attemptsLeft: Int?
    /// When it happened.
    public let at: Date

    /// Creates an event; normally only ``TerminalStateMachine`` does this.
    public init(
        kind: TerminalEventKind, terminalID: String, reader: String, cardGUID: CardGUID?, operatorID: String?,
        sessionNumber: UInt64?, reason: String?, attemptsLeft: Int?, at: Date
    ) {
        self.kind = kind
        self.terminalID = terminalID
        self.reader = reader
        self.cardGUID = cardGUID
        self.operatorID = operatorID
        self.sessionNumber = sessionNumber
        self.reason = reason
        self.attemptsLeft = attemptsLeft
        self.at = at
    }
}
