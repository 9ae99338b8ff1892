import Foundation
import Vocabulary

/// An unlocked session: an operator signed in to a terminal with card and PIN.
public struct TerminalSession: Hashable, Sendable {
    /// The session's sequence number within its terminal's state machine.
    public let number: UInt64
    /// The terminal.
    public let terminalID: String
    /// The operator signed in.
    public let operatorID: String
    /// The card that unlocked it.
    public let card: CardPresence
    /// When the PIN was accepted.
    public let startedAt: Date
    /// The last activity (starts at `startedAt`).
    public internal(set) var lastActivity: Date

    /// Creates a session; normally only ``TerminalStateMachine`` does this.
    public init(number: UInt64, terminalID: String, operatorID: String, card: CardPresence, startedAt: Date, lastActivity: Date) {
        self.number = number
        self.terminalID = terminalID
        self.operatorID = operatorID
        self.card = card
        self.startedAt = startedAt
        self.lastActivity = lastActivity
    }
}

/// A card accepted by the card decision, waiting for its holder's PIN.
public struct PINWait: Hashable, Sendable {
    /// The card.
    public let card: CardPresence
    /// The card's holder.
    public let operatorID: String
    /// Wrong PINs still allowed, when a wrong PIN has already been entered; `nil` before any.
    public let attemptsLeft: Int?
    /// Why the PIN is asked again (idle timeout, maximum session, manual lock); `nil` on first sign-in.
    public let relockReason: LockReason?

    /// Creates a wait; normally only ``TerminalStateMachine`` does this.
    public init(card: CardPresence, operatorID: String, attemptsLeft: Int?, relockReason: LockReason?) {
        self.card = card
        self.operatorID = operatorID
        self.attemptsLeft = attemptsLeft
        self.relockReason = relockReason
    }
}
