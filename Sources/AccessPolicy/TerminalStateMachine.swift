import Foundation
import Vocabulary

/// The pure state machine of one terminal and its reader (clauses 16.5, 22, 30).
///
/// The caller (the gateway daemon) feeds every reader event, card decision, PIN result, command outcome and clock
/// tick with ``handle(_:at:)`` and carries out the returned ``TerminalEffect``s in order. The machine does no I/O and
/// reads no clock: time comes in with each input. See <doc:TerminalTransitions> for the full transition table.
///
/// ```swift
/// var terminal = TerminalStateMachine(terminalID: "T01", reader: "CardGate T01 00 00", policy: TerminalPolicy())
/// let effects = terminal.handle(.cardInserted(reader: "CardGate T01 00 00", cardGUID: guid), at: now)
/// // effects == [.verifyCard(presence)] → check the card, then feed .cardChecked(presence.id, use)
/// ```
public struct TerminalStateMachine: Sendable {
    /// The terminal's identifier (for example `T01`).
    public let terminalID: String
    /// The PC/SC name of the terminal's reader; events from other readers are ignored.
    public let reader: String
    /// The idle and maximum-session rules.
    public var policy: TerminalPolicy
    /// The current phase.
    public private(set) var phase: TerminalPhase = .locked
    /// The last lock command failed (after its retries) and no lock or unlock succeeded since.
    public private(set) var lockFailed = false

    private var presenceCounter: UInt64 = 0
    private var sessionCounter: UInt64 = 0

    /// Creates a machine in the ``TerminalPhase/locked`` phase.
    public init(terminalID: String, reader: String, policy: TerminalPolicy = TerminalPolicy()) {
        self.terminalID = terminalID
        self.reader = reader
        self.policy = policy
    }

    /// What the API and the lock screen show: while a PIN is asked, `awaiting-pin` (the operator can sign in);
    /// otherwise `lock-failed` wins over every other locked phase until a lock or an unlock succeeds.
    public var display: TerminalState {
        switch phase {
        case .unlocked: return .unlocked
        case .unlocking: return .unlocking
        case .awaitingPIN: return .awaitingPIN
        case _ where lockFailed: return .lockFailed
        case .locked, .verifying, .refused, .readerUnavailable: return .locked
        }
    }

    /// The next instant at which a ``TerminalInput/tick`` would change something (idle or maximum-session lock);
    /// `nil` when no timer is needed. The caller sleeps until then instead of polling.
    public var nextDeadline: Date? {
        guard case .unlocked(let session) = phase else { return nil }
        return min(session.lastActivity.adding(policy.idleTimeout), session.startedAt.adding(policy.maximumSession))
    }

    /// Applies one input that happened at `now` and returns the effects to carry out, in order.
    ///
    /// Deadlines are checked first, so an input arriving after the idle timeout finds the session already locked.
    public mutating func handle(_ input: TerminalInput, at now: Date) -> [TerminalEffect] {
        var effects = expireSession(at: now)
        effects += apply(input, at: now)
        return effects
    }

    // MARK: - Transitions

    private mutating func apply(_ input: TerminalInput, at now: Date) -> [TerminalEffect] {
        switch input {
        case .cardInserted(let reader, let cardGUID):
            guard reader == self.reader else { return [] }
            if case .readerUnavailable = phase { return [] }
            var effects: [TerminalEffect] = []
            if phase.card != nil { effects += lockCurrent(reason: .cardReplaced, at: now) }
            presenceCounter += 1
            let card = CardPresence(id: PresenceID(presenceCounter), reader: reader, cardGUID: cardGUID, since: now)
            phase = .verifying(card)
            effects.append(.verifyCard(card))
            return effects

        case .cardChecked(let id, let use):
            guard case .verifying(let card) = phase, card.id == id else { return [] }
            switch use {
            case .refused(let refusal, let operatorID):
                phase = .refused(card, .card(refusal))
                return [.record(event(.cardRefused, card: card, operatorID: operatorID, reason: refusal.rawValue, at: now))]
            case .allowed(let operatorID, _):
                phase = .awaitingPIN(PINWait(card: card, operatorID: operatorID, attemptsLeft: nil, relockReason: nil))
                return [
                    .record(event(.cardAccepted, card: card, operatorID: operatorID, at: now)),
                    .askForPIN(card, operatorID: operatorID, attemptsLeft: nil),
                ]
            }

        case .pinResult(let id, let result):
            guard case .awaitingPIN(let wait) = phase, wait.card.id == id else { return [] }
            switch result {
            case .good:
                sessionCounter += 1
                let session = TerminalSession(
                    number: sessionCounter, terminalID: terminalID, operatorID: wait.operatorID, card: wait.card,
                    startedAt: now, lastActivity: now)
                phase = .unlocking(session)
                return [
                    .record(event(.sessionStart, card: wait.card, operatorID: wait.operatorID, session: session, at: now)),
                    .runUnlockCommand(session),
                ]
            case .mustChange:
                phase = .refused(wait.card, .card(.pinChangeRequired))
                return [.record(event(.cardRefused, card: wait.card, operatorID: wait.operatorID,
                                      reason: CardRefusal.pinChangeRequired.rawValue, at: now))]
            case .refused(let refusal):
                phase = .refused(wait.card, .card(refusal))
                return [.record(event(.cardRefused, card: wait.card, operatorID: wait.operatorID, reason: refusal.rawValue, at: now))]
            case .wrong(let attemptsLeft) where attemptsLeft > 0:
                phase = .awaitingPIN(
                    PINWait(card: wait.card, operatorID: wait.operatorID, attemptsLeft: attemptsLeft, relockReason: wait.relockReason))
                return [
                    .record(event(.pinWrong, card: wait.card, operatorID: wait.operatorID, attemptsLeft: attemptsLeft, at: now)),
                    .askForPIN(wait.card, operatorID: wait.operatorID, attemptsLeft: attemptsLeft),
                ]
            case .wrong, .blocked:
                phase = .refused(wait.card, .pinBlocked)
                return [
                    .record(event(.pinBlocked, card: wait.card, operatorID: wait.operatorID, reason: TerminalRefusal.pinBlocked.code, attemptsLeft: 0, at: now)),
                    .runLockCommand,
                ]
            case .unavailable:
                // Nothing was counted: the PIN may be entered again once the registry answers.
                return [.record(event(.pinUnavailable, card: wait.card, operatorID: wait.operatorID, reason: "pin-check", at: now))]
            }

        case .unlockSucceeded(let number):
            guard case .unlocking(var session) = phase, session.number == number else { return [] }
            session.lastActivity = max(session.lastActivity, now)
            phase = .unlocked(session)
            lockFailed = false
            return []

        case .unlockFailed(let failure, let number):
            guard let session = phase.openingOrOpenSession, session.number == number else { return [] }
            let effects = lockWithSession(session, reason: .unlockFailed, at: now)
            phase = .refused(session.card, failure == .historyWriteFailed ? .historyUnavailable : .unlockCommandFailed)
            return effects

        case .lockCommandFinished(let succeeded):
            if succeeded {
                lockFailed = false
                return []
            }
            guard !lockFailed else { return [] }  // raised once until a lock succeeds again
            lockFailed = true
            let operatorID = phase.openingOrOpenSession?.operatorID ?? phase.pinWait?.operatorID
            return [
                .record(event(.lockFailed, card: phase.card, operatorID: operatorID, reason: "lock-command-failed", at: now)),
                .raiseAlarm(reason: "lock-command-failed"),
            ]

        case .activity:
            if case .unlocked(var session) = phase {
                session.lastActivity = max(session.lastActivity, now)
                phase = .unlocked(session)
            }
            return []

        case .tick:
            return []

        case .cardRemoved(let reader):
            guard reader == self.reader, phase.card != nil else { return [] }
            let effects = lockCurrent(reason: .cardRemoved, at: now)
            phase = .locked
            return effects

        case .readerLost:
            return lose(.readerLost, at: now)

        case .pcscServiceLost:
            return lose(.pcscServiceLost, at: now)

        case .readerReady:
            guard case .readerUnavailable = phase else { return [] }
            phase = .locked
            return [.record(event(.readerReady, card: nil, at: now))]

        case .manualLock:
            guard let session = phase.openingOrOpenSession else { return [] }
            return relock(session, reason: .manual, at: now)

        case .emergencyLock:
            if let card = phase.card {
                let effects = lockCurrent(reason: .emergency, at: now)
                phase = .refused(card, .emergencyLock)
                return effects
            }
            return lockCurrent(reason: .emergency, at: now)

        case .systemLock(let reason):
            let effects = lockCurrent(reason: reason, at: now)
            if case .readerUnavailable = phase { return effects }
            phase = .locked
            return effects
        }
    }

    /// Idle timeout and maximum session: lock, end the session and ask the PIN again while the card stays.
    private mutating func expireSession(at now: Date) -> [TerminalEffect] {
        guard case .unlocked(let session) = phase else { return [] }
        if now >= session.startedAt.adding(policy.maximumSession) {
            return relock(session, reason: .maximumSession, at: now)
        }
        if now >= session.lastActivity.adding(policy.idleTimeout) {
            return relock(session, reason: .idleTimeout, at: now)
        }
        return []
    }

    private mutating func relock(_ session: TerminalSession, reason: LockReason, at now: Date) -> [TerminalEffect] {
        var effects = lockWithSession(session, reason: reason, at: now)
        phase = .awaitingPIN(PINWait(card: session.card, operatorID: session.operatorID, attemptsLeft: nil, relockReason: reason))
        effects.append(.askForPIN(session.card, operatorID: session.operatorID, attemptsLeft: nil))
        return effects
    }

    private mutating func lose(_ fault: ReaderFault, at now: Date) -> [TerminalEffect] {
        if case .readerUnavailable(let current) = phase {
            // pcscd lost is the wider fault; keep the most telling one.
            if fault == .pcscServiceLost && current != fault { phase = .readerUnavailable(fault) }
            return []
        }
        let effects = lockCurrent(reason: fault == .readerLost ? .readerLost : .pcscServiceLost, at: now)
        phase = .readerUnavailable(fault)
        return effects
    }

    /// The effects that lock from the current phase; the caller sets the next phase.
    private func lockCurrent(reason: LockReason, at now: Date) -> [TerminalEffect] {
        switch phase {
        case .unlocked(let session), .unlocking(let session):
            return lockWithSession(session, reason: reason, at: now)
        case .awaitingPIN(let wait):
            return [.record(event(.terminalLock, card: wait.card, operatorID: wait.operatorID, reason: reason.rawValue, at: now)), .runLockCommand]
        case .verifying(let card), .refused(let card, _):
            return [.record(event(.terminalLock, card: card, reason: reason.rawValue, at: now)), .runLockCommand]
        case .locked, .readerUnavailable:
            return [.record(event(.terminalLock, card: nil, reason: reason.rawValue, at: now)), .runLockCommand]
        }
    }

    private func lockWithSession(_ session: TerminalSession, reason: LockReason, at now: Date) -> [TerminalEffect] {
        [
            .record(event(.sessionEnd, card: session.card, operatorID: session.operatorID, session: session, reason: reason.rawValue, at: now)),
            .runLockCommand,
            .endSession(session, reason: reason),
        ]
    }

    private func event(
        _ kind: TerminalEventKind, card: CardPresence?, operatorID: String? = nil, session: TerminalSession? = nil,
        reason: String? = nil, attemptsLeft: Int? = nil, at now: Date
    ) -> TerminalEvent {
        TerminalEvent(
            kind: kind, terminalID: terminalID, reader: reader, cardGUID: card?.cardGUID, operatorID: operatorID,
            sessionNumber: session?.number, reason: reason, attemptsLeft: attemptsLeft, at: now)
    }
}
