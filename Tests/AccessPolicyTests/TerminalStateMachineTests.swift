import AccessPolicy
import Foundation
import Testing

@Suite("Terminal state machine")
struct TerminalStateMachineTests {
    @Test func insertingACardFromLockedAsksForVerification() {
        var rig = TerminalRig()
        let effects = rig.send(.cardInserted(reader: terminalReader, cardGUID: cardA))
        #expect(effects.shape == ["verify"])
        guard case .verifying(let card) = rig.machine.state else { Issue.record("state \(rig.machine.state)"); return }
        #expect(card.cardGUID == cardA && card.reader == terminalReader && card.since == rig.clock.now)
        #expect(rig.machine.state.display == .locked)
    }

    @Test func eventsFromAnotherReaderAreIgnored() {
        var rig = TerminalRig()
        #expect(rig.send(.cardInserted(reader: "CardGate T02 00 00", cardGUID: cardA)).isEmpty)
        #expect(rig.machine.state == .locked)
        _ = rig.unlock()
        #expect(rig.send(.cardRemoved(reader: "CardGate T02 00 00")).isEmpty)
        #expect(rig.machine.state.display == .unlocked)
    }

    @Test func anAcceptedVerdictRecordsThenAsksForThePIN() {
        var rig = TerminalRig()
        let card = rig.insert()
        let effects = rig.send(.cardVerified(card.id, acceptedVerdict("op-7")))
        #expect(effects.shape == ["record auth.card.accepted", "ask-pin"])
        #expect(effects.records.first?.operatorID == "op-7")
        #expect(effects.records.first?.cardGUID == cardA)
        #expect(rig.machine.state.display == .awaitingPIN)
    }

    static let refusals: [(CardVerdict, TerminalRefusal)] = [
        (CardVerdict(genuine: false, cardStatus: .active, operatorID: "op-1", operatorActive: true, allowedOnTerminal: true), .cardNotGenuine),
        (CardVerdict(genuine: true, cardStatus: .unknown, operatorID: nil, operatorActive: false, allowedOnTerminal: false), .cardUnknown),
        (CardVerdict(genuine: true, cardStatus: .revoked, operatorID: "op-1", operatorActive: true, allowedOnTerminal: true), .cardRevoked),
        (CardVerdict(genuine: true, cardStatus: .expired, operatorID: "op-1", operatorActive: true, allowedOnTerminal: true), .cardExpired),
        (CardVerdict(genuine: true, cardStatus: .pinChangeRequired, operatorID: "op-1", operatorActive: true, allowedOnTerminal: true), .pinChangeRequired),
        (CardVerdict(genuine: true, cardStatus: .blocked, operatorID: "op-1", operatorActive: true, allowedOnTerminal: true), .cardBlocked),
        (CardVerdict(genuine: true, cardStatus: .active, operatorID: "op-1", operatorActive: false, allowedOnTerminal: true), .operatorInactive),
        (CardVerdict(genuine: true, cardStatus: .active, operatorID: nil, operatorActive: true, allowedOnTerminal: true), .operatorInactive),
        (CardVerdict(genuine: true, cardStatus: .active, operatorID: "op-1", operatorActive: true, allowedOnTerminal: false), .notAllowedOnTerminal),
        // A clone of a revoked card is reported as not genuine first.
        (CardVerdict(genuine: false, cardStatus: .revoked, operatorID: "op-1", operatorActive: true, allowedOnTerminal: true), .cardNotGenuine),
    ]

    @Test(arguments: refusals)
    func aRefusedVerdictRecordsTheReasonAndStaysLocked(verdict: CardVerdict, refusal: TerminalRefusal) {
        var rig = TerminalRig()
        let card = rig.insert()
        let effects = rig.send(.cardVerified(card.id, verdict))
        #expect(effects.shape == ["record auth.card.refused \(refusal.rawValue)"])
        #expect(rig.machine.state == .refused(card, refusal))
        #expect(rig.machine.state.display == .locked)
        // A PIN cannot be entered for a refused card.
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
        #expect(rig.machine.state == .refused(card, refusal))
    }

    @Test func aGoodPINRecordsTheSessionStartBeforeTheUnlock() {
        var rig = TerminalRig()
        let card = rig.insert()
        rig.send(.cardVerified(card.id, acceptedVerdict()))
        let effects = rig.send(.pinResult(card.id, .good))
        #expect(effects.shape == ["record session.start", "unlock"])
        #expect(effects.map(\.grantsAccess) == [false, true])
        guard case .unlocked(let session) = rig.machine.state else { Issue.record("not unlocked"); return }
        #expect(session.operatorID == "op-1" && session.card == card && session.startedAt == rig.clock.now)
        #expect(effects.records.first?.sessionNumber == session.number)
        #expect(rig.machine.state.display == .unlocked)
    }

    @Test func aWrongPINReportsTheAttemptsLeft() {
        var rig = TerminalRig()
        let card = rig.insert()
        rig.send(.cardVerified(card.id, acceptedVerdict()))
        let effects = rig.send(.pinResult(card.id, .wrong(attemptsLeft: 4)))
        #expect(effects.shape == ["record auth.pin.wrong", "ask-pin 4"])
        #expect(effects.records.first?.attemptsLeft == 4)
        guard case .awaitingPIN(let wait) = rig.machine.state else { Issue.record("not awaiting"); return }
        #expect(wait.attemptsLeft == 4)
        #expect(rig.machine.state.pinWait == wait)
    }

    @Test func theLockoutPathBlocksTheCardOnTheFifthWrongPINAndRefusesIt() {
        var rig = TerminalRig()
        let card = rig.insert()
        rig.send(.cardVerified(card.id, acceptedVerdict()))
        for left in stride(from: 4, through: 1, by: -1) {
            #expect(rig.send(.pinResult(card.id, .wrong(attemptsLeft: left))).shape == ["record auth.pin.wrong", "ask-pin \(left)"])
        }
        let effects = rig.send(.pinResult(card.id, .blocked))
        #expect(effects.shape == ["record auth.pin.blocked pin-blocked", "lock"])
        #expect(rig.machine.state == .refused(card, .pinBlocked))
        // Even a good PIN for that card is ignored now; only pulling the card helps.
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
        #expect(rig.send(.cardRemoved(reader: terminalReader)).shape == ["record terminal.lock card-removed", "lock"])
        #expect(rig.machine.state == .locked)
    }

    @Test func aWrongPINWithNoAttemptsLeftIsTreatedAsBlocked() {
        var rig = TerminalRig()
        let card = rig.insert()
        rig.send(.cardVerified(card.id, acceptedVerdict()))
        #expect(rig.send(.pinResult(card.id, .wrong(attemptsLeft: 0))).shape == ["record auth.pin.blocked pin-blocked", "lock"])
        #expect(rig.machine.state == .refused(card, .pinBlocked))
    }

    @Test func removingTheCardFromAnUnlockedTerminalLocksAtOnceAndEndsTheSession() {
        var rig = TerminalRig()
        _ = rig.unlock()
        let session = rig.machine.state.session
        rig.clock.advance(seconds: 30)
        let effects = rig.send(.cardRemoved(reader: terminalReader))
        #expect(effects.shape == ["record session.end card-removed", "lock", "end-session card-removed"])
        if case .endSession(let ended, _)? = effects.last { #expect(ended == session) }
        #expect(rig.machine.state == .locked)
        #expect(rig.machine.nextDeadline == nil)
    }

    @Test func removingTheCardDuringPINEntryLocks() {
        var rig = TerminalRig()
        let card = rig.insert()
        rig.send(.cardVerified(card.id, acceptedVerdict()))
        rig.send(.pinResult(card.id, .wrong(attemptsLeft: 3)))
        let effects = rig.send(.cardRemoved(reader: terminalReader))
        #expect(effects.shape == ["record terminal.lock card-removed", "lock"])
        #expect(effects.records.first?.operatorID == "op-1")
        #expect(rig.machine.state == .locked)
        // The PIN that was being typed arrives too late.
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
        #expect(rig.machine.state == .locked)
    }

    @Test func removingTheCardDuringVerificationLocks() {
        var rig = TerminalRig()
        _ = rig.insert()
        #expect(rig.send(.cardRemoved(reader: terminalReader)).shape == ["record terminal.lock card-removed", "lock"])
        #expect(rig.machine.state == .locked)
    }

    @Test func aRemovalWithNoCardDoesNothing() {
        var rig = TerminalRig()
        #expect(rig.send(.cardRemoved(reader: terminalReader)).isEmpty)
        #expect(rig.machine.state == .locked)
    }

    @Test func aVerdictArrivingAfterTheCardWasPulledIsIgnored() {
        var rig = TerminalRig()
        let card = rig.insert()
        rig.send(.cardRemoved(reader: terminalReader))
        #expect(rig.send(.cardVerified(card.id, acceptedVerdict())).isEmpty)
        #expect(rig.machine.state == .locked)
    }

    @Test func aVerdictForTheSameCardsEarlierInsertionIsIgnored() {
        var rig = TerminalRig()
        let first = rig.insert(cardA)
        rig.send(.cardRemoved(reader: terminalReader))
        let second = rig.insert(cardA)
        #expect(first.id != second.id)
        #expect(rig.send(.cardVerified(first.id, acceptedVerdict())).isEmpty)
        #expect(rig.machine.state == .verifying(second))
        #expect(rig.send(.cardVerified(second.id, acceptedVerdict())).shape == ["record auth.card.accepted", "ask-pin"])
    }

    @Test func aSecondVerdictForTheSameCardIsIgnored() {
        var rig = TerminalRig()
        let card = rig.insert()
        rig.send(.cardVerified(card.id, acceptedVerdict()))
        let refused = CardVerdict(genuine: false, cardStatus: .active, operatorID: "op-1", operatorActive: true, allowedOnTerminal: true)
        #expect(rig.send(.cardVerified(card.id, refused)).isEmpty)
        #expect(rig.machine.state.display == .awaitingPIN)
    }

    @Test func aCardReportedWhileAnotherIsPresentLocksAndVerifiesTheNewOne() {
        var rig = TerminalRig()
        _ = rig.unlock(cardA)
        let effects = rig.send(.cardInserted(reader: terminalReader, cardGUID: cardB))
        #expect(effects.shape == ["record session.end card-replaced", "lock", "end-session card-replaced", "verify"])
        #expect(rig.machine.state.card?.cardGUID == cardB)
        #expect(rig.machine.state.display == .locked)
    }

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
        #expect(rig.machine.state.display == .unlocked)
    }

    @Test func theIdleTimeoutLocksAndAsksForThePINAgainWhileTheCardStays() {
        var rig = TerminalRig()
        let card = rig.unlock()
        let first = rig.machine.state.session
        rig.clock.advance(seconds: 599.999)
        #expect(rig.send(.tick).isEmpty)
        rig.clock.advance(seconds: 0.001)
        let effects = rig.send(.tick)
        #expect(effects.shape == ["record session.end idle-timeout", "lock", "end-session idle-timeout", "ask-pin"])
        guard case .awaitingPIN(let wait) = rig.machine.state else { Issue.record("not awaiting"); return }
        #expect(wait.card == card && wait.relockReason == .idleTimeout)
        #expect(rig.machine.nextDeadline == nil)
        // The same card signs in again with its PIN: a new session.
        #expect(rig.send(.pinResult(card.id, .good)).shape == ["record session.start", "unlock"])
        #expect(rig.machine.state.session?.number == (first?.number ?? 0) + 1)
    }

    @Test func activityAfterTheIdleDeadlineDoesNotRevive() {
        var rig = TerminalRig()
        _ = rig.unlock()
        rig.clock.advance(seconds: 601)
        let effects = rig.send(.activity)
        #expect(effects.shape == ["record session.end idle-timeout", "lock", "end-session idle-timeout", "ask-pin"])
        #expect(rig.machine.state.display == .awaitingPIN)
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
        guard case .awaitingPIN(let wait) = rig.machine.state else { Issue.record("not awaiting"); return }
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
        #expect(rig.machine.state == .locked)
    }

    @Test func losingPcscdWhileUnlockedLocksAndFailsClosed() {
        var rig = TerminalRig()
        _ = rig.unlock()
        let effects = rig.send(.pcscServiceLost)
        #expect(effects.shape == ["record session.end pcsc-service-lost", "lock", "end-session pcsc-service-lost"])
        #expect(rig.machine.state == .readerUnavailable(.pcscServiceLost))
        #expect(rig.machine.state.display == .locked)
        // Nothing is accepted until the reader is back.
        #expect(rig.send(.cardInserted(reader: terminalReader, cardGUID: cardA)).isEmpty)
        #expect(rig.send(.pcscServiceLost).isEmpty)
        #expect(rig.send(.readerReady).shape == ["record terminal.reader-ready"])
        #expect(rig.machine.state == .locked)
        #expect(rig.send(.cardInserted(reader: terminalReader, cardGUID: cardA)).shape == ["verify"])
    }

    @Test func losingTheReaderWhileLockedStillRunsTheLockCommand() {
        var rig = TerminalRig()
        #expect(rig.send(.readerLost).shape == ["record terminal.lock reader-lost", "lock"])
        #expect(rig.machine.state == .readerUnavailable(.readerLost))
        // pcscd going away too is the wider fault.
        #expect(rig.send(.pcscServiceLost).isEmpty)
        #expect(rig.machine.state == .readerUnavailable(.pcscServiceLost))
    }

    @Test func losingTheReaderDuringPINEntryLocks() {
        var rig = TerminalRig()
        let card = rig.insert()
        rig.send(.cardVerified(card.id, acceptedVerdict()))
        #expect(rig.send(.readerLost).shape == ["record terminal.lock reader-lost", "lock"])
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
        #expect(rig.machine.state == .readerUnavailable(.readerLost))
    }

    @Test func readerReadyOutsideAFaultDoesNothing() {
        var rig = TerminalRig()
        #expect(rig.send(.readerReady).isEmpty)
        #expect(rig.machine.state == .locked)
    }

    @Test func aManualLockAsksForThePINAgain() {
        var rig = TerminalRig()
        let card = rig.unlock()
        let effects = rig.send(.manualLock)
        #expect(effects.shape == ["record session.end manual", "lock", "end-session manual", "ask-pin"])
        #expect(rig.machine.state == .awaitingPIN(PINWait(card: card, operatorID: "op-1", attemptsLeft: nil, relockReason: .manual)))
        #expect(rig.send(.manualLock).isEmpty)
    }

    @Test func aManualLockWhileLockedDoesNothing() {
        var rig = TerminalRig()
        #expect(rig.send(.manualLock).isEmpty)
        #expect(rig.machine.state == .locked)
    }

    @Test func anEmergencyLockEndsTheSessionAndRequiresTheCardToBePulled() {
        var rig = TerminalRig()
        let card = rig.unlock()
        let effects = rig.send(.emergencyLock)
        #expect(effects.shape == ["record session.end emergency", "lock", "end-session emergency"])
        #expect(rig.machine.state == .refused(card, .emergencyLock))
        #expect(rig.send(.pinResult(card.id, .good)).isEmpty)
        #expect(rig.send(.manualLock).isEmpty)
        rig.send(.cardRemoved(reader: terminalReader))
        #expect(rig.machine.state == .locked)
    }

    @Test func anEmergencyLockWithoutACardStillRunsTheLockCommand() {
        var rig = TerminalRig()
        #expect(rig.send(.emergencyLock).shape == ["record terminal.lock emergency", "lock"])
        #expect(rig.machine.state == .locked)
    }

    @Test func anEmergencyLockDuringPINEntryRefusesTheCard() {
        var rig = TerminalRig()
        let card = rig.insert()
        rig.send(.cardVerified(card.id, acceptedVerdict()))
        #expect(rig.send(.emergencyLock).shape == ["record terminal.lock emergency", "lock"])
        #expect(rig.machine.state == .refused(card, .emergencyLock))
    }

    @Test(arguments: [(UnlockFailure.historyWriteFailed, TerminalRefusal.historyUnavailable), (.unlockCommandFailed, .unlockCommandFailed)])
    func aFailedUnlockLocksAgainAndRefusesTheCard(failure: UnlockFailure, refusal: TerminalRefusal) {
        var rig = TerminalRig()
        let card = rig.unlock()
        let effects = rig.send(.unlockFailed(failure))
        #expect(effects.shape == ["record session.end unlock-failed", "lock", "end-session unlock-failed"])
        #expect(rig.machine.state == .refused(card, refusal))
        #expect(rig.machine.state.display == .locked)
    }

    @Test func anUnlockFailureWhileLockedIsIgnored() {
        var rig = TerminalRig()
        #expect(rig.send(.unlockFailed(.historyWriteFailed)).isEmpty)
    }

    @Test func onlyTheUnlockCommandGrantsAccess() {
        var rig = TerminalRig()
        let card = rig.insert()
        let session = TerminalSession(number: 1, terminalID: "T01", operatorID: "op", card: card, startedAt: rig.clock.now, lastActivity: rig.clock.now)
        #expect(TerminalEffect.runUnlockCommand(session).grantsAccess)
        #expect(!TerminalEffect.runLockCommand.grantsAccess)
        #expect(!TerminalEffect.verifyCard(card).grantsAccess)
        #expect(!TerminalEffect.endSession(session, reason: .manual).grantsAccess)
    }

    @Test func everyRecordNamesTheTerminalReaderAndTime() {
        var rig = TerminalRig()
        let card = rig.insert()
        var all = rig.send(.cardVerified(card.id, acceptedVerdict()))
        rig.clock.advance(seconds: 5)
        all += rig.send(.pinResult(card.id, .good))
        for event in all.records {
            #expect(event.terminalID == "T01" && event.reader == terminalReader && event.cardGUID == cardA)
        }
        #expect(all.records.last?.at == rig.clock.now)
    }

    @Test func aCardReportedDuringPINEntryLocksWithoutASessionAndVerifiesTheNewOne() {
        var rig = TerminalRig()
        let first = rig.insert(cardA)
        rig.send(.cardVerified(first.id, acceptedVerdict()))
        let effects = rig.send(.cardInserted(reader: terminalReader, cardGUID: cardB))
        #expect(effects.shape == ["record terminal.lock card-replaced", "lock", "verify"])
        #expect(rig.send(.pinResult(first.id, .good)).isEmpty)
        #expect(rig.machine.state.card?.cardGUID == cardB)
    }

    @Test func aPINResultForTheSameCardsEarlierInsertionIsIgnored() {
        var rig = TerminalRig()
        let first = rig.insert(cardA)
        rig.send(.cardVerified(first.id, acceptedVerdict()))
        rig.send(.cardRemoved(reader: terminalReader))
        let second = rig.insert(cardA)
        rig.send(.cardVerified(second.id, acceptedVerdict()))
        #expect(rig.send(.pinResult(first.id, .good)).isEmpty)
        #expect(rig.machine.state.display == .awaitingPIN)
        #expect(rig.send(.pinResult(second.id, .good)).shape == ["record session.start", "unlock"])
    }

    @Test func anEmergencyLockWhileTheReaderIsGoneStillRunsTheLockCommand() {
        var rig = TerminalRig()
        rig.send(.readerLost)
        #expect(rig.send(.emergencyLock).shape == ["record terminal.lock emergency", "lock"])
        #expect(rig.machine.state == .readerUnavailable(.readerLost))
    }

    @Test func aCardWhoseIdentifierCouldNotBeReadIsStillVerifiedAndCanBeRefused() {
        var rig = TerminalRig()
        let effects = rig.send(.cardInserted(reader: terminalReader, cardGUID: nil))
        guard case .verifyCard(let card)? = effects.first else { Issue.record("no verify"); return }
        #expect(card.cardGUID == nil)
        let mute = CardVerdict(genuine: false, cardStatus: .unknown, operatorID: nil, operatorActive: false, allowedOnTerminal: false)
        let refused = rig.send(.cardVerified(card.id, mute))
        #expect(refused.shape == ["record auth.card.refused card-not-genuine"])
        #expect(refused.records.first?.cardGUID == nil)
    }

    @Test func noTimerIsNeededUnlessUnlocked() {
        var rig = TerminalRig()
        #expect(rig.machine.nextDeadline == nil)
        let card = rig.insert()
        #expect(rig.machine.nextDeadline == nil)
        rig.send(.cardVerified(card.id, acceptedVerdict()))
        #expect(rig.machine.nextDeadline == nil)
        rig.send(.pinResult(card.id, .good))
        #expect(rig.machine.nextDeadline != nil)
    }
}
