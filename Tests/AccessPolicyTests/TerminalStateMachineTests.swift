import AccessPolicy
import Foundation
import Testing
import Vocabulary

@Suite("Terminal state machine")
struct TerminalStateMachineTests {
    @Test func insertingACardFromLockedAsksForVerification() {
        var rig = TerminalRig()
        let effects = rig.send(.cardInserted(reader: terminalReader, cardGUID: cardA))
        #expect(effects.shape == ["verify"])
        guard case .verifying(let card) = rig.machine.phase else { Issue.record("phase \(rig.machine.phase)"); return }
        #expect(card.cardGUID == cardA && card.reader == terminalReader && card.since == rig.clock.now)
        #expect(rig.machine.display == .locked)
    }

    @Test func eventsFromAnotherReaderAreIgnored() {
        var rig = TerminalRig()
        #expect(rig.send(.cardInserted(reader: "CardGate T02 00 00", cardGUID: cardA)).isEmpty)
        #expect(rig.machine.phase == .locked)
        _ = rig.unlock()
        #expect(rig.send(.cardRemoved(reader: "CardGate T02 00 00")).isEmpty)
        #expect(rig.machine.display == .unlocked)
    }

    @Test func anAllowedCardRecordsThenAsksForThePIN() {
        var rig = TerminalRig()
        let card = rig.insert()
        let effects = rig.send(.cardChecked(card.id, allowedUse("op-7")))
        #expect(effects.shape == ["record auth.card.accepted", "ask-pin"])
        #expect(effects.records.first?.operatorID == "op-7")
        #expect(effects.records.first?.cardGUID == cardA)
        #expect(rig.machine.phase == .awaitingPIN(PINWait(card: card, operatorID: "op-7", attemptsLeft: nil, relockReason: nil)))
        #expect(rig.machine.display == .awaitingPIN)
    }

    @Test(arguments: CardRefusal.allCases)
    func aRefusedCardRecordsTheReasonAndStaysRefusedUntilPulled(refusal: CardRefusal) {
        var rig = TerminalRig()
        let card = rig.insert()
        let effects = rig.send(.cardChecked(card.id, .refused(refusal, operatorID: "op-1")))
        #expect(effects.shape == ["record auth.card.refused \(refusal.rawValue)"])
        #expect(effects.records.first?.operatorID == "op-1")
        #expect(rig.machine.phase == .refused(card, .card(refusal)))
        #expect(rig.machine.display == .locked)
        // A PIN cannot be entered for a refused card, nor can it be unlocked or relocked.
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
        #expect(rig.send(.unlockSucceeded(session: 1)).isEmpty)
        #expect(rig.send(.manualLock).isEmpty)
        #expect(rig.send(.cardChecked(card.id, allowedUse())).isEmpty)
        #expect(rig.machine.phase == .refused(card, .card(refusal)))
        // Only pulling the card leaves the refusal.
        #expect(rig.send(.cardRemoved(reader: terminalReader)).shape == ["record terminal.lock card-removed", "lock"])
        #expect(rig.machine.phase == .locked)
    }

    /// The card decision as the daemon makes it, at this terminal, for the cards the old verdict table described.
    static let decidedRefusals: [(PresentedCard, CardRefusal)] = [
        (cloneCard(), .notGenuine),
        (unknownCard(), .unknownCard),
        (unavailableCard(), .unavailable),
        (proven(cardRecord(status: .revoked)), .revoked),
        (proven(cardRecord(expiresAt: instant("2026-11-01T00:00:00+09:00"))), .expired),
        (proven(cardRecord(pinMustChange: true)), .pinChangeRequired),
        (proven(cardRecord(status: .issued)), .pinChangeRequired),
        (proven(cardRecord(status: .blocked)), .blocked),
        (proven(cardRecord(status: .suspended)), .suspended),
        (proven(cardRecord(holder: holderRecord(enabled: false))), .operatorInactive),
        (proven(cardRecord(holder: nil)), .operatorInactive),
        (proven(cardRecord(holder: holderRecord(terminals: ["T02"]))), .notAllowedOnTerminal),
    ]

    @Test(arguments: decidedRefusals)
    func aCardRefusedByTheCardDecisionIsRefusedAtTheTerminal(card presented: PresentedCard, refusal: CardRefusal) {
        var rig = TerminalRig()
        let card = rig.insert()
        let use = CardUsePolicy.decide(presented, at: .terminal(id: "T01"), now: rig.clock.now, timeZone: tokyo)
        #expect(use.refusal == refusal)
        #expect(rig.send(.cardChecked(card.id, use)).shape == ["record auth.card.refused \(refusal.rawValue)"])
        #expect(rig.machine.phase == .refused(card, .card(refusal)))
    }

    @Test func aGoodPINRecordsTheSessionStartBeforeTheUnlockCommand() {
        var rig = TerminalRig()
        let card = rig.insertAndAccept()
        let effects = rig.send(.pinResult(card.id, .good))
        #expect(effects.shape == ["record session.start", "unlock"])
        #expect(effects.map(\.grantsAccess) == [false, true])
        guard case .unlocking(let session) = rig.machine.phase else { Issue.record("not unlocking: \(rig.machine.phase)"); return }
        #expect(session.operatorID == "op-1" && session.card == card && session.startedAt == rig.clock.now)
        #expect(session.terminalID == "T01")
        #expect(effects.unlockSession == session)
        #expect(effects.records.first?.sessionNumber == session.number)
        #expect(effects.records.first?.operatorID == "op-1")
    }

    @Test func aWrongPINReportsTheAttemptsLeft() {
        var rig = TerminalRig()
        let card = rig.insertAndAccept()
        let effects = rig.send(.pinResult(card.id, .wrong(attemptsLeft: 4)))
        #expect(effects.shape == ["record auth.pin.wrong", "ask-pin 4"])
        #expect(effects.records.first?.attemptsLeft == 4)
        guard case .awaitingPIN(let wait) = rig.machine.phase else { Issue.record("not awaiting"); return }
        #expect(wait.attemptsLeft == 4)
        #expect(rig.machine.phase.pinWait == wait)
    }

    @Test func theLockoutPathBlocksTheCardOnTheFifthWrongPINAndRefusesIt() {
        var rig = TerminalRig()
        let card = rig.insertAndAccept()
        for left in stride(from: 4, through: 1, by: -1) {
            #expect(rig.send(.pinResult(card.id, .wrong(attemptsLeft: left))).shape == ["record auth.pin.wrong", "ask-pin \(left)"])
        }
        let effects = rig.send(.pinResult(card.id, .blocked))
        #expect(effects.shape == ["record auth.pin.blocked pin-blocked", "lock"])
        #expect(effects.records.first?.attemptsLeft == 0)
        #expect(rig.machine.phase == .refused(card, .pinBlocked))
        // Even a good PIN for that card is ignored now; only pulling the card helps.
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
        #expect(rig.send(.cardRemoved(reader: terminalReader)).shape == ["record terminal.lock card-removed", "lock"])
        #expect(rig.machine.phase == .locked)
    }

    @Test func aWrongPINWithNoAttemptsLeftIsTreatedAsBlocked() {
        var rig = TerminalRig()
        let card = rig.insertAndAccept()
        #expect(rig.send(.pinResult(card.id, .wrong(attemptsLeft: 0))).shape == ["record auth.pin.blocked pin-blocked", "lock"])
        #expect(rig.machine.phase == .refused(card, .pinBlocked))
    }

    // MARK: PIN results that refuse or wait

    @Test func aPINThatMustBeChangedRefusesTheCardUntilPulled() {
        var rig = TerminalRig()
        let card = rig.insertAndAccept()
        let effects = rig.send(.pinResult(card.id, .mustChange))
        #expect(effects.shape == ["record auth.card.refused pin-change-required"])
        #expect(effects.records.first?.kind == .cardRefused && effects.records.first?.operatorID == "op-1")
        #expect(!effects.contains { $0.grantsAccess })
        #expect(rig.machine.phase == .refused(card, .card(.pinChangeRequired)))
        #expect(rig.machine.display == .locked)
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
        #expect(rig.machine.phase == .refused(card, .card(.pinChangeRequired)))
        rig.send(.cardRemoved(reader: terminalReader))
        #expect(rig.machine.phase == .locked)
    }

    @Test func anUnavailablePINCheckIsRecordedAndChangesNothing() {
        var rig = TerminalRig()
        let card = rig.insertAndAccept()
        rig.send(.pinResult(card.id, .wrong(attemptsLeft: 3)))
        let before = rig.machine.phase
        let effects = rig.send(.pinResult(card.id, .unavailable))
        #expect(effects.shape == ["record auth.unavailable pin-check"])
        #expect(effects.records.first?.kind == .pinUnavailable)
        #expect(effects.records.first?.operatorID == "op-1" && effects.records.first?.cardGUID == cardA)
        // Nothing was counted: still waiting for this card's PIN, with the same attempts left.
        #expect(rig.machine.phase == before)
        #expect(rig.machine.phase.pinWait?.attemptsLeft == 3)
        #expect(rig.machine.display == .awaitingPIN)
        // The PIN can be entered again once the registry answers.
        #expect(rig.send(.pinResult(card.id, .good)).shape == ["record session.start", "unlock"])
    }

    @Test func aCardRefusedAtThePINCheckIsRefusedWithThatReason() {
        var rig = TerminalRig()
        let card = rig.insertAndAccept()
        let effects = rig.send(.pinResult(card.id, .refused(.revoked)))
        #expect(effects.shape == ["record auth.card.refused revoked"])
        #expect(effects.records.first?.operatorID == "op-1")
        #expect(rig.machine.phase == .refused(card, .card(.revoked)))
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
        #expect(rig.machine.phase == .refused(card, .card(.revoked)))
    }

    // MARK: Unlocking

    @Test func theTerminalIsUnlockingUntilTheUnlockCommandSucceeds() {
        var rig = TerminalRig()
        let session = rig.startUnlocking()
        #expect(rig.machine.phase == .unlocking(session))
        #expect(rig.machine.display == .unlocking)
        #expect(rig.machine.phase.session == nil)
        #expect(rig.machine.phase.openingOrOpenSession == session)
        #expect(rig.machine.phase.card == session.card)
        #expect(rig.machine.nextDeadline == nil)
    }

    @Test func theUnlockCommandsSuccessForThisSessionUnlocks() {
        var rig = TerminalRig()
        let session = rig.startUnlocking()
        let effects = rig.send(.unlockSucceeded(session: session.number))
        #expect(effects.isEmpty)
        #expect(rig.machine.phase == .unlocked(session))
        #expect(rig.machine.phase.session == session)
        #expect(rig.machine.display == .unlocked)
        #expect(rig.machine.nextDeadline == rig.clock.now.addingTimeInterval(600))
        // A second report of the same success changes nothing.
        #expect(rig.send(.unlockSucceeded(session: session.number)).isEmpty)
        #expect(rig.machine.phase == .unlocked(session))
    }

    @Test func theIdleTimeoutCountsFromTheUnlockNotFromThePIN() {
        var rig = TerminalRig()
        let session = rig.startUnlocking()
        rig.clock.advance(seconds: 20)
        rig.send(.unlockSucceeded(session: session.number))
        // Idle from the unlock (t+20+600); the maximum session still counts from the PIN (t+3600).
        #expect(rig.machine.nextDeadline == session.startedAt.addingTimeInterval(620))
        #expect(rig.machine.phase.session?.startedAt == session.startedAt)
    }

    @Test func anUnlockSuccessForAnotherSessionIsIgnored() {
        var rig = TerminalRig()
        let session = rig.startUnlocking()
        #expect(rig.send(.unlockSucceeded(session: session.number + 1)).isEmpty)
        #expect(rig.machine.phase == .unlocking(session))
        #expect(rig.machine.display == .unlocking)
    }

    @Test func anUnlockSuccessOfAnEarlierSessionIsIgnored() {
        var rig = TerminalRig()
        let first = rig.startUnlocking(cardA)
        rig.send(.cardRemoved(reader: terminalReader))
        let second = rig.startUnlocking(cardA)
        #expect(second.number != first.number)
        #expect(rig.send(.unlockSucceeded(session: first.number)).isEmpty)
        #expect(rig.machine.phase == .unlocking(second))
        rig.send(.unlockSucceeded(session: second.number))
        #expect(rig.machine.phase == .unlocked(second))
    }

    @Test func anUnlockSuccessWhileLockedIsIgnored() {
        var rig = TerminalRig()
        #expect(rig.send(.unlockSucceeded(session: 1)).isEmpty)
        #expect(rig.machine.phase == .locked)
        let card = rig.insertAndAccept()
        #expect(rig.send(.unlockSucceeded(session: 1)).isEmpty)
        #expect(rig.machine.phase.pinWait?.card == card)
    }

    @Test func removingTheCardWhileUnlockingLocksWithTheSession() {
        var rig = TerminalRig()
        let session = rig.startUnlocking()
        let effects = rig.send(.cardRemoved(reader: terminalReader))
        #expect(effects.shape == ["record session.end card-removed", "lock", "end-session card-removed"])
        #expect(effects.records.first?.sessionNumber == session.number)
        #expect(effects.endedSession == session)
        #expect(rig.machine.phase == .locked)
        // The unlock command's late success must not unlock a terminal whose card is gone.
        #expect(rig.send(.unlockSucceeded(session: session.number)).isEmpty)
        #expect(rig.machine.phase == .locked)
        #expect(rig.machine.display == .locked)
    }

    @Test(arguments: [(UnlockFailure.historyWriteFailed, TerminalRefusal.historyUnavailable), (.unlockCommandFailed, .unlockCommandFailed)])
    func aFailedUnlockWhileUnlockingLocksAgainAndRefusesTheCard(failure: UnlockFailure, refusal: TerminalRefusal) {
        var rig = TerminalRig()
        let session = rig.startUnlocking()
        #expect(rig.send(.unlockFailed(failure, session: session.number + 1)).isEmpty, "another session's failure is stale")
        let effects = rig.send(.unlockFailed(failure, session: session.number))
        #expect(effects.shape == ["record session.end unlock-failed", "lock", "end-session unlock-failed"])
        #expect(effects.endedSession == session)
        #expect(rig.machine.phase == .refused(session.card, refusal))
        #expect(rig.machine.display == .locked)
        // Nothing revives it: neither a late success nor a PIN; only pulling the card.
        #expect(rig.send(.unlockSucceeded(session: session.number)).isEmpty)
        #expect(rig.send(.pinResult(session.card.id, .good)).isEmpty)
        #expect(rig.machine.phase == .refused(session.card, refusal))
    }

    @Test(arguments: [(UnlockFailure.historyWriteFailed, TerminalRefusal.historyUnavailable), (.unlockCommandFailed, .unlockCommandFailed)])
    func aFailedUnlockWhileUnlockedLocksAgainAndRefusesTheCard(failure: UnlockFailure, refusal: TerminalRefusal) throws {
        var rig = TerminalRig()
        let card = rig.unlock()
        let number = try #require(rig.machine.phase.session?.number)
        let effects = rig.send(.unlockFailed(failure, session: number))
        #expect(effects.shape == ["record session.end unlock-failed", "lock", "end-session unlock-failed"])
        #expect(rig.machine.phase == .refused(card, refusal))
        #expect(rig.machine.display == .locked)
    }

    @Test func anUnlockFailureWithoutAnUnlockIsIgnored() {
        var rig = TerminalRig()
        #expect(rig.send(.unlockFailed(.historyWriteFailed, session: 1)).isEmpty)
        #expect(rig.machine.phase == .locked)
        let card = rig.insertAndAccept()
        #expect(rig.send(.unlockFailed(.unlockCommandFailed, session: 1)).isEmpty)
        #expect(rig.machine.phase.pinWait?.card == card)
    }

    @Test func theSessionDeadlinesDoNotRunWhileUnlocking() {
        var rig = TerminalRig()
        let session = rig.startUnlocking()
        rig.clock.advance(seconds: 700)
        #expect(rig.send(.tick).isEmpty)
        #expect(rig.send(.activity).isEmpty)
        #expect(rig.machine.phase == .unlocking(session))
    }

    @Test func aManualLockWhileUnlockingEndsTheSessionAndAsksForThePINAgain() {
        var rig = TerminalRig()
        let session = rig.startUnlocking()
        let effects = rig.send(.manualLock)
        #expect(effects.shape == ["record session.end manual", "lock", "end-session manual", "ask-pin"])
        #expect(rig.machine.phase == .awaitingPIN(PINWait(card: session.card, operatorID: "op-1", attemptsLeft: nil, relockReason: .manual)))
        #expect(rig.send(.unlockSucceeded(session: session.number)).isEmpty)
        #expect(rig.machine.display == .awaitingPIN)
    }

    @Test func anEmergencyLockWhileUnlockingEndsTheSessionAndRefusesTheCard() {
        var rig = TerminalRig()
        let session = rig.startUnlocking()
        #expect(rig.send(.emergencyLock).shape == ["record session.end emergency", "lock", "end-session emergency"])
        #expect(rig.machine.phase == .refused(session.card, .emergencyLock))
        #expect(rig.send(.unlockSucceeded(session: session.number)).isEmpty)
    }

    @Test func losingTheReaderWhileUnlockingEndsTheSession() {
        var rig = TerminalRig()
        let session = rig.startUnlocking()
        #expect(rig.send(.readerLost).shape == ["record session.end reader-lost", "lock", "end-session reader-lost"])
        #expect(rig.machine.phase == .readerUnavailable(.readerLost))
        #expect(rig.send(.unlockSucceeded(session: session.number)).isEmpty)
        #expect(rig.machine.phase == .readerUnavailable(.readerLost))
    }

    @Test func aCardReportedWhileUnlockingEndsTheSessionAndVerifiesTheNewOne() {
        var rig = TerminalRig()
        let session = rig.startUnlocking(cardA)
        let effects = rig.send(.cardInserted(reader: terminalReader, cardGUID: cardB))
        #expect(effects.shape == ["record session.end card-replaced", "lock", "end-session card-replaced", "verify"])
        #expect(rig.send(.unlockSucceeded(session: session.number)).isEmpty)
        #expect(rig.machine.phase.card?.cardGUID == cardB)
        #expect(rig.machine.display == .locked)
    }

    // MARK: Lock-failed

    @Test func aFailedLockIsRecordedAndRaisesTheAlarmOnce() {
        var rig = TerminalRig()
        let card = rig.insertAndAccept()
        let first = rig.send(.lockCommandFinished(succeeded: false))
        #expect(first.shape == ["record terminal.lock-failed lock-command-failed", "alarm lock-command-failed"])
        #expect(first.records.first?.kind == .lockFailed)
        #expect(first.records.first?.cardGUID == cardA && first.records.first?.operatorID == "op-1")
        #expect(rig.machine.lockFailed)
        // The phase is unchanged: the PIN is still asked.
        #expect(rig.machine.phase.pinWait?.card == card)
        // A second failure is not recorded again and raises no second alarm.
        #expect(rig.send(.lockCommandFinished(succeeded: false)).isEmpty)
        #expect(rig.machine.lockFailed)
    }

    @Test func aSucceededLockClearsLockFailedAndANewFailureIsRecordedAgain() {
        var rig = TerminalRig()
        rig.send(.lockCommandFinished(succeeded: false))
        #expect(rig.machine.display == .lockFailed)
        #expect(rig.send(.lockCommandFinished(succeeded: true)).isEmpty)
        #expect(!rig.machine.lockFailed)
        #expect(rig.machine.display == .locked)
        #expect(rig.send(.lockCommandFinished(succeeded: false)).shape == ["record terminal.lock-failed lock-command-failed", "alarm lock-command-failed"])
        #expect(rig.machine.lockFailed)
    }

    @Test func aSucceededLockWithoutAFailureDoesNothing() {
        var rig = TerminalRig()
        #expect(rig.send(.lockCommandFinished(succeeded: true)).isEmpty)
        #expect(!rig.machine.lockFailed)
        #expect(rig.machine.phase == .locked)
    }

    @Test func lockFailedIsShownInEveryLockedPhaseButThePINPrompt() {
        var rig = TerminalRig()
        rig.send(.lockCommandFinished(succeeded: false))
        #expect(rig.machine.phase == .locked)
        #expect(rig.machine.display == .lockFailed)
        let card = rig.insert()
        #expect(rig.machine.display == .lockFailed)  // verifying
        // While the PIN is asked the operator can sign in: the prompt shows, the failure still stands.
        rig.send(.cardChecked(card.id, allowedUse()))
        #expect(rig.machine.phase.pinWait != nil)
        #expect(rig.machine.display == .awaitingPIN)
        #expect(rig.machine.lockFailed)
        rig.send(.pinResult(card.id, .mustChange))
        #expect(rig.machine.display == .lockFailed)  // refused
        rig.send(.readerLost)
        #expect(rig.machine.display == .lockFailed)  // reader unavailable
    }

    @Test func anUnlockedTerminalIsShownUnlockedEvenAfterALockFailure() {
        var rig = TerminalRig()
        _ = rig.unlock()
        rig.send(.lockCommandFinished(succeeded: false))
        #expect(rig.machine.lockFailed)
        #expect(rig.machine.display == .unlocked)
        // Locked again with the failure still standing: lock-failed shows.
        rig.send(.cardRemoved(reader: terminalReader))
        #expect(rig.machine.phase == .locked)
        #expect(rig.machine.display == .lockFailed)
    }

    @Test func theUnlockingPhaseIsShownAsUnlockingDespiteALockFailure() {
        var rig = TerminalRig()
        rig.send(.lockCommandFinished(succeeded: false))
        _ = rig.startUnlocking()
        #expect(rig.machine.lockFailed)
        #expect(rig.machine.display == .unlocking)
    }

    @Test func aSucceededUnlockClearsLockFailed() {
        var rig = TerminalRig()
        rig.send(.lockCommandFinished(succeeded: false))
        let session = rig.startUnlocking()
        #expect(rig.machine.lockFailed)
        rig.send(.unlockSucceeded(session: session.number))
        #expect(!rig.machine.lockFailed)
        #expect(rig.machine.display == .unlocked)
        // Locking again without a new failure shows plain locked.
        rig.send(.cardRemoved(reader: terminalReader))
        #expect(rig.machine.display == .locked)
    }

    @Test func anIgnoredUnlockSuccessDoesNotClearLockFailed() {
        var rig = TerminalRig()
        rig.send(.lockCommandFinished(succeeded: false))
        let session = rig.startUnlocking()
        rig.send(.unlockSucceeded(session: session.number + 1))
        #expect(rig.machine.lockFailed)
    }

    // MARK: Removal, replacement, stale results

    @Test func removingTheCardFromAnUnlockedTerminalLocksAtOnceAndEndsTheSession() {
        var rig = TerminalRig()
        _ = rig.unlock()
        let session = rig.machine.phase.session
        #expect(session != nil)
        rig.clock.advance(seconds: 30)
        let effects = rig.send(.cardRemoved(reader: terminalReader))
        #expect(effects.shape == ["record session.end card-removed", "lock", "end-session card-removed"])
        #expect(effects.endedSession == session)
        #expect(rig.machine.phase == .locked)
        #expect(rig.machine.nextDeadline == nil)
    }

    @Test func removingTheCardDuringPINEntryLocks() {
        var rig = TerminalRig()
        let card = rig.insertAndAccept()
        rig.send(.pinResult(card.id, .wrong(attemptsLeft: 3)))
        let effects = rig.send(.cardRemoved(reader: terminalReader))
        #expect(effects.shape == ["record terminal.lock card-removed", "lock"])
        #expect(effects.records.first?.operatorID == "op-1")
        #expect(rig.machine.phase == .locked)
        // The PIN that was being typed arrives too late.
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
        #expect(rig.machine.phase == .locked)
    }

    @Test func removingTheCardDuringVerificationLocks() {
        var rig = TerminalRig()
        _ = rig.insert()
        #expect(rig.send(.cardRemoved(reader: terminalReader)).shape == ["record terminal.lock card-removed", "lock"])
        #expect(rig.machine.phase == .locked)
    }

    @Test func aRemovalWithNoCardDoesNothing() {
        var rig = TerminalRig()
        #expect(rig.send(.cardRemoved(reader: terminalReader)).isEmpty)
        #expect(rig.machine.phase == .locked)
    }

    @Test func aDecisionArrivingAfterTheCardWasPulledIsIgnored() {
        var rig = TerminalRig()
        let card = rig.insert()
        rig.send(.cardRemoved(reader: terminalReader))
        #expect(rig.send(.cardChecked(card.id, allowedUse())).isEmpty)
        #expect(rig.machine.phase == .locked)
    }

    @Test func aDecisionForTheSameCardsEarlierInsertionIsIgnored() {
        var rig = TerminalRig()
        let first = rig.insert(cardA)
        rig.send(.cardRemoved(reader: terminalReader))
        let second = rig.insert(cardA)
        #expect(first.id != second.id)
        #expect(rig.send(.cardChecked(first.id, allowedUse())).isEmpty)
        #expect(rig.machine.phase == .verifying(second))
        #expect(rig.send(.cardChecked(second.id, allowedUse())).shape == ["record auth.card.accepted", "ask-pin"])
    }

    @Test func aSecondDecisionForTheSameCardIsIgnored() {
        var rig = TerminalRig()
        let card = rig.insertAndAccept()
        #expect(rig.send(.cardChecked(card.id, .refused(.notGenuine, operatorID: "op-1"))).isEmpty)
        #expect(rig.machine.display == .awaitingPIN)
        #expect(rig.machine.phase.pinWait?.card == card)
    }

    @Test func aCardReportedWhileAnotherIsPresentLocksAndVerifiesTheNewOne() {
        var rig = TerminalRig()
        _ = rig.unlock(cardA)
        let effects = rig.send(.cardInserted(reader: terminalReader, cardGUID: cardB))
        #expect(effects.shape == ["record session.end card-replaced", "lock", "end-session card-replaced", "verify"])
        #expect(rig.machine.phase.card?.cardGUID == cardB)
        #expect(rig.machine.display == .locked)
    }

    @Test func aCardReportedDuringPINEntryLocksWithoutASessionAndVerifiesTheNewOne() {
        var rig = TerminalRig()
        let first = rig.insertAndAccept(cardA)
        let effects = rig.send(.cardInserted(reader: terminalReader, cardGUID: cardB))
        #expect(effects.shape == ["record terminal.lock card-replaced", "lock", "verify"])
        #expect(rig.send(.pinResult(first.id, .good)).isEmpty)
        #expect(rig.machine.phase.card?.cardGUID == cardB)
    }

    @Test func aPINResultForTheSameCardsEarlierInsertionIsIgnored() {
        var rig = TerminalRig()
        let first = rig.insertAndAccept(cardA)
        rig.send(.cardRemoved(reader: terminalReader))
        _ = rig.insertAndAccept(cardA)
        #expect(rig.send(.pinResult(first.id, .good)).isEmpty)
        #expect(rig.send(.pinResult(first.id, .unavailable)).isEmpty)
        #expect(rig.send(.pinResult(first.id, .mustChange)).isEmpty)
        #expect(rig.machine.display == .awaitingPIN)
        guard let second = rig.machine.phase.pinWait?.card else { Issue.record("not awaiting: \(rig.machine.phase)"); return }
        #expect(rig.send(.pinResult(second.id, .good)).shape == ["record session.start", "unlock"])
    }

    // MARK: Activity and deadlines

    @Test func activityPushesTheIdleTimeoutBack() {
        var rig = TerminalRig()
        _ = rig.unlock()
        let start = rig.clock.now
        #expect(rig.machine.nextDeadline == start.addingTimeInterval(600))
        rig.clock.advance(seconds: 300)
        #expect(rig.send(.activity).isEmpty)
        #expect(rig.machine.nextDeadline == start.addingTimeInterval(900))
        rig.clock.advance(seconds: 599)
        #expect(rig.send(.tick).isEmpty)
        #expect(rig.machine.display == .unlocked)
    }

    @Test func theIdleTimeoutLocksAndAsksForThePINAgainWhileTheCardStays() {
        var rig = TerminalRig()
        let card = rig.unlock()
        let first = rig.machine.phase.session
        #expect(first != nil)
        rig.clock.advance(seconds: 599.999)
        #expect(rig.send(.tick).isEmpty)
        rig.clock.advance(seconds: 0.001)
        let effects = rig.send(.tick)
        #expect(effects.shape == ["record session.end idle-timeout", "lock", "end-session idle-timeout", "ask-pin"])
        #expect(effects.endedSession == first)
        guard case .awaitingPIN(let wait) = rig.machine.phase else { Issue.record("not awaiting"); return }
        #expect(wait.card == card && wait.relockReason == .idleTimeout)
        #expect(rig.machine.nextDeadline == nil)
        // The same card signs in again with its PIN: a new session.
        let again = rig.send(.pinResult(card.id, .good))
        #expect(again.shape == ["record session.start", "unlock"])
        #expect(again.unlockSession?.number == (first?.number ?? 0) + 1)
        rig.send(.unlockSucceeded(session: (first?.number ?? 0) + 1))
        #expect(rig.machine.phase.session?.number == (first?.number ?? 0) + 1)
    }

    @Test func activityAfterTheIdleDeadlineDoesNotRevive() {
        var rig = TerminalRig()
        _ = rig.unlock()
        rig.clock.advance(seconds: 601)
        let effects = rig.send(.activity)
        #expect(effects.shape == ["record session.end idle-timeout", "lock", "end-session idle-timeout", "ask-pin"])
        #expect(rig.machine.display == .awaitingPIN)
    }

    @Test func theMaximumSessionLocksDespiteActivity() {
        var rig = TerminalRig()
        _ = rig.unlock()
        let start = rig.clock.now
        for _ in 1..<60 {
            rig.clock.advance(seconds: 60)
            #expect(rig.send(.activity).isEmpty)
        }
        #expect(rig.machine.nextDeadline == start.addingTimeInterval(3600))
        rig.clock.advance(seconds: 60)
        let effects = rig.send(.tick)
        #expect(effects.shape == ["record session.end maximum-session", "lock", "end-session maximum-session", "ask-pin"])
        guard case .awaitingPIN(let wait) = rig.machine.phase else { Issue.record("not awaiting"); return }
        #expect(wait.relockReason == .maximumSession)
    }

    @Test func aRemovalAfterAnUnnoticedIdleDeadlineLocksForBoth() {
        var rig = TerminalRig()
        _ = rig.unlock()
        rig.clock.advance(seconds: 700)
        let effects = rig.send(.cardRemoved(reader: terminalReader))
        #expect(effects.shape == [
            "record session.end idle-timeout", "lock", "end-session idle-timeout", "ask-pin",
            "record terminal.lock card-removed", "lock",
        ])
        #expect(rig.machine.phase == .locked)
    }

    @Test func noTimerIsNeededUnlessUnlocked() {
        var rig = TerminalRig()
        #expect(rig.machine.nextDeadline == nil)
        let card = rig.insert()
        #expect(rig.machine.nextDeadline == nil)
        rig.send(.cardChecked(card.id, allowedUse()))
        #expect(rig.machine.nextDeadline == nil)
        let session = rig.send(.pinResult(card.id, .good)).unlockSession
        #expect(rig.machine.nextDeadline == nil)  // unlocking
        rig.send(.unlockSucceeded(session: session?.number ?? 0))
        #expect(rig.machine.nextDeadline != nil)
    }

    // MARK: Reader faults

    @Test func losingPcscdWhileUnlockedLocksAndFailsClosed() {
        var rig = TerminalRig()
        _ = rig.unlock()
        let effects = rig.send(.pcscServiceLost)
        #expect(effects.shape == ["record session.end pcsc-service-lost", "lock", "end-session pcsc-service-lost"])
        #expect(rig.machine.phase == .readerUnavailable(.pcscServiceLost))
        #expect(rig.machine.display == .locked)
        // Nothing is accepted until the reader is back.
        #expect(rig.send(.cardInserted(reader: terminalReader, cardGUID: cardA)).isEmpty)
        #expect(rig.send(.pcscServiceLost).isEmpty)
        #expect(rig.send(.readerReady).shape == ["record terminal.reader-ready"])
        #expect(rig.machine.phase == .locked)
        #expect(rig.send(.cardInserted(reader: terminalReader, cardGUID: cardA)).shape == ["verify"])
    }

    @Test func losingTheReaderWhileLockedStillRunsTheLockCommand() {
        var rig = TerminalRig()
        #expect(rig.send(.readerLost).shape == ["record terminal.lock reader-lost", "lock"])
        #expect(rig.machine.phase == .readerUnavailable(.readerLost))
        // pcscd going away too is the wider fault.
        #expect(rig.send(.pcscServiceLost).isEmpty)
        #expect(rig.machine.phase == .readerUnavailable(.pcscServiceLost))
        // …and losing the reader after that does not narrow it again.
        #expect(rig.send(.readerLost).isEmpty)
        #expect(rig.machine.phase == .readerUnavailable(.pcscServiceLost))
    }

    @Test func losingTheReaderDuringPINEntryLocks() {
        var rig = TerminalRig()
        let card = rig.insertAndAccept()
        #expect(rig.send(.readerLost).shape == ["record terminal.lock reader-lost", "lock"])
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
        #expect(rig.machine.phase == .readerUnavailable(.readerLost))
    }

    @Test func readerReadyOutsideAFaultDoesNothing() {
        var rig = TerminalRig()
        #expect(rig.send(.readerReady).isEmpty)
        #expect(rig.machine.phase == .locked)
    }

    // MARK: Manual, emergency and system locks

    @Test func aManualLockAsksForThePINAgain() {
        var rig = TerminalRig()
        let card = rig.unlock()
        let effects = rig.send(.manualLock)
        #expect(effects.shape == ["record session.end manual", "lock", "end-session manual", "ask-pin"])
        #expect(rig.machine.phase == .awaitingPIN(PINWait(card: card, operatorID: "op-1", attemptsLeft: nil, relockReason: .manual)))
        #expect(rig.send(.manualLock).isEmpty)
    }

    @Test func aManualLockWhileLockedDoesNothing() {
        var rig = TerminalRig()
        #expect(rig.send(.manualLock).isEmpty)
        #expect(rig.machine.phase == .locked)
    }

    @Test func anEmergencyLockEndsTheSessionAndRequiresTheCardToBePulled() {
        var rig = TerminalRig()
        let card = rig.unlock()
        let effects = rig.send(.emergencyLock)
        #expect(effects.shape == ["record session.end emergency", "lock", "end-session emergency"])
        #expect(rig.machine.phase == .refused(card, .emergencyLock))
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
        #expect(rig.send(.manualLock).isEmpty)
        rig.send(.cardRemoved(reader: terminalReader))
        #expect(rig.machine.phase == .locked)
    }

    @Test func anEmergencyLockWithoutACardStillRunsTheLockCommand() {
        var rig = TerminalRig()
        #expect(rig.send(.emergencyLock).shape == ["record terminal.lock emergency", "lock"])
        #expect(rig.machine.phase == .locked)
    }

    @Test func anEmergencyLockDuringPINEntryRefusesTheCard() {
        var rig = TerminalRig()
        let card = rig.insertAndAccept()
        #expect(rig.send(.emergencyLock).shape == ["record terminal.lock emergency", "lock"])
        #expect(rig.machine.phase == .refused(card, .emergencyLock))
    }

    @Test func anEmergencyLockWhileTheReaderIsGoneStillRunsTheLockCommand() {
        var rig = TerminalRig()
        rig.send(.readerLost)
        #expect(rig.send(.emergencyLock).shape == ["record terminal.lock emergency", "lock"])
        #expect(rig.machine.phase == .readerUnavailable(.readerLost))
    }

    @Test func aSystemLockOnResumeLocksAndForgetsTheCard() {
        var rig = TerminalRig()
        let card = rig.unlock()
        let session = rig.machine.phase.session
        let effects = rig.send(.systemLock(.resumed))
        #expect(effects.shape == ["record session.end resumed", "lock", "end-session resumed"])
        #expect(effects.endedSession == session)
        #expect(rig.machine.phase == .locked)
        #expect(rig.machine.phase.card == nil)
        #expect(rig.machine.nextDeadline == nil)
        // The forgotten card's results and removal are ignored; it comes back as a fresh insertion.
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
        #expect(rig.send(.cardRemoved(reader: terminalReader)).isEmpty)
        #expect(rig.send(.cardInserted(reader: terminalReader, cardGUID: cardA)).shape == ["verify"])
    }

    @Test func aSystemLockOnResumeDuringPINEntryLocksWithoutASession() {
        var rig = TerminalRig()
        let card = rig.insertAndAccept()
        let effects = rig.send(.systemLock(.resumed))
        #expect(effects.shape == ["record terminal.lock resumed", "lock"])
        #expect(effects.records.first?.operatorID == "op-1")
        #expect(rig.machine.phase == .locked)
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
    }

    @Test func aSystemLockOnResumeWhileTheReaderIsUnavailableStaysUnavailable() {
        var rig = TerminalRig()
        rig.send(.readerLost)
        let effects = rig.send(.systemLock(.resumed))
        #expect(effects.shape == ["record terminal.lock resumed", "lock"])
        #expect(rig.machine.phase == .readerUnavailable(.readerLost))
        #expect(rig.send(.cardInserted(reader: terminalReader, cardGUID: cardA)).isEmpty)
    }

    @Test func aSystemLockAtStartRunsTheLockCommandWithNoCard() {
        var rig = TerminalRig()
        #expect(rig.send(.systemLock(.start)).shape == ["record terminal.lock start", "lock"])
        #expect(rig.machine.phase == .locked)
    }

    @Test func aSystemLockAtShutdownWhileUnlockingEndsTheSession() {
        var rig = TerminalRig()
        let session = rig.startUnlocking()
        #expect(rig.send(.systemLock(.shutdown)).shape == ["record session.end shutdown", "lock", "end-session shutdown"])
        #expect(rig.machine.phase == .locked)
        #expect(rig.send(.unlockSucceeded(session: session.number)).isEmpty)
        #expect(rig.machine.phase == .locked)
    }

    // MARK: Effects and records

    @Test func onlyTheUnlockCommandGrantsAccess() {
        var rig = TerminalRig()
        let card = rig.insert()
        let session = TerminalSession(number: 1, terminalID: "T01", operatorID: "op", card: card, startedAt: rig.clock.now, lastActivity: rig.clock.now)
        let event = TerminalEvent(
            kind: .sessionStart, terminalID: "T01", reader: terminalReader, cardGUID: cardA, operatorID: "op", sessionNumber: 1,
            reason: nil, attemptsLeft: nil, at: rig.clock.now)
        #expect(TerminalEffect.runUnlockCommand(session).grantsAccess)
        #expect(!TerminalEffect.runLockCommand.grantsAccess)
        #expect(!TerminalEffect.verifyCard(card).grantsAccess)
        #expect(!TerminalEffect.askForPIN(card, operatorID: "op", attemptsLeft: nil).grantsAccess)
        #expect(!TerminalEffect.record(event).grantsAccess)
        #expect(!TerminalEffect.raiseAlarm(reason: "lock-command-failed").grantsAccess)
        #expect(!TerminalEffect.endSession(session, reason: .manual).grantsAccess)
    }

    @Test func everyRecordNamesTheTerminalReaderAndTime() {
        var rig = TerminalRig()
        let card = rig.insert()
        var all = rig.send(.cardChecked(card.id, allowedUse()))
        rig.clock.advance(seconds: 5)
        all += rig.send(.pinResult(card.id, .good))
        #expect(all.records.count == 2)
        for event in all.records {
            #expect(event.terminalID == "T01" && event.reader == terminalReader && event.cardGUID == cardA)
        }
        #expect(all.records.last?.at == rig.clock.now)
    }

    @Test func aCardWhoseIdentifierCouldNotBeReadIsStillVerifiedAndCanBeRefused() {
        var rig = TerminalRig()
        let effects = rig.send(.cardInserted(reader: terminalReader, cardGUID: nil))
        guard case .verifyCard(let card)? = effects.first else { Issue.record("no verify"); return }
        #expect(card.cardGUID == nil)
        let mute = CardUsePolicy.decide(unavailableCard(guid: nil), at: .terminal(id: "T01"), now: rig.clock.now, timeZone: tokyo)
        let refused = rig.send(.cardChecked(card.id, mute))
        #expect(refused.shape == ["record auth.card.refused unavailable"])
        #expect(refused.records.first?.cardGUID == nil)
        #expect(refused.records.first?.operatorID == nil)
        #expect(rig.machine.phase == .refused(card, .card(.unavailable)))
    }

    @Test(arguments: [
        (TerminalRefusal.card(.revoked), "revoked"),
        (.card(.notAllowedOnTerminal), "not-allowed-on-terminal"),
        (.card(.pinChangeRequired), "pin-change-required"),
        (.pinBlocked, "pin-blocked"),
        (.emergencyLock, "emergency-lock"),
        (.historyUnavailable, "history-unavailable"),
        (.unlockCommandFailed, "unlock-command-failed"),
    ])
    func terminalRefusalCodes(refusal: TerminalRefusal, code: String) {
        #expect(refusal.code == code)
    }

    @Test func theDisplayStatesAreTheVocabularyOnes() {
        #expect(TerminalState.lockFailed.rawValue == "lock-failed")
        #expect(TerminalState.awaitingPIN.rawValue == "awaiting-pin")
        #expect(TerminalState.unlocking.rawValue == "unlocking")
        #expect(TerminalEventKind.lockFailed.rawValue == "terminal.lock-failed")
        #expect(TerminalEventKind.pinUnavailable.rawValue == "auth.unavailable")
    }
}
