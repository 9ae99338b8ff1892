import AccessPolicy
import Foundation
import History
import Registry
import Testing
import Vocabulary
@testable import Gateway

@Suite struct HistoryRecordsTests {
    let at = Date(timeIntervalSince1970: 1_795_000_000)

    func terminalEvent(_ kind: TerminalEventKind, reason: String? = nil, attemptsLeft: Int? = nil, session: UInt64? = nil) -> TerminalEvent {
        TerminalEvent(kind: kind, terminalID: "T01", reader: "CardGate T01 00 00", cardGUID: CardGUID(hex: "00112233445566778899aabbccddeeff"),
                      operatorID: "op1", sessionNumber: session, reason: reason, attemptsLeft: attemptsLeft, at: at)
    }

    @Test func terminalEventsMapOntoTheClosedHistoryKindsWithOperatorCardAndTerminal() {
        let cases: [(TerminalEventKind, String?, EventKind, EventResult)] = [
            (.cardAccepted, nil, .cardAccepted, .success),
            (.cardRefused, "revoked", .cardRefused, .denied),
            (.cardRefused, "unavailable", .cardRefused, .failure),
            (.pinUnavailable, "pin-check", .authUnavailable, .failure),
            (.lockFailed, "lock-command-failed", .terminalLockFailed, .failure),
            (.pinWrong, nil, .pinFailed, .failure),
            (.pinBlocked, "pin-blocked", .pinLocked, .failure),
            (.sessionStart, nil, .sessionStarted, .success),
            (.sessionEnd, "card-removed", .sessionLocked, .success),
            (.sessionEnd, "manual", .sessionEnded, .success),
            (.terminalLock, "reader-lost", .terminalLocked, .success),
            (.readerReady, nil, .systemNotice, .success),
        ]
        for (kind, reason, expected, result) in cases {
            let event = HistoryRecords.event(terminalEvent(kind, reason: reason))
            #expect(event.kind == expected, "\(kind)")
            #expect(event.result == result, "\(kind)")
            #expect(event.actor == "op1")
            #expect(event.place == "T01")
            #expect(event.card == "00112233445566778899aabbccddeeff")
        }
        #expect(HistoryRecords.event(terminalEvent(.readerReady)).details.reason == "reader-ready")
    }

    @Test func aWrongPINCarriesTheAttemptsLeftAndASessionItsIdentifier() {
        #expect(HistoryRecords.event(terminalEvent(.pinWrong, attemptsLeft: 3)).details.retriesLeft == 3)
        #expect(HistoryRecords.event(terminalEvent(.cardAccepted, attemptsLeft: 3)).details.retriesLeft == nil)
        #expect(HistoryRecords.event(terminalEvent(.sessionStart, session: 7)).details.session == "T01-7")
    }

    @Test func doorEventsAreRecordedWithTheDoorAsPlaceAndTheRefusalAsReason() {
        func door(_ kind: DoorEventKind, _ refusal: DoorRefusal?) -> NewEvent {
            HistoryRecords.event(AccessPolicy.DoorEvent(
                kind: kind, doorID: "D1", roomID: "R1", direction: kind == .exit ? .exit : .entry, reader: "r", cardGUID: nil,
                operatorID: "op1", refusal: refusal, at: at))
        }
        #expect(door(.entry, nil).kind == .doorEntry)
        #expect(door(.entry, nil).details.reason == "in")
        #expect(door(.exit, nil).kind == .doorExit)
        #expect(door(.refused, .card(.outsideHours)).kind == .doorRefused)
        #expect(door(.refused, .card(.outsideHours)).result == .denied)
        #expect(door(.refused, .card(.outsideHours)).details.reason == "outside-hours")
        #expect(door(.refused, .card(.unavailable)).result == .failure, "a registry or reader fault is a failure, not a refusal")
        #expect(door(.refused, .antiPassback).details.reason == "anti-passback")
        #expect(door(.entry, nil).place == "R1", "the place of a door event is its room (the entry book reads one place)")
        #expect(door(.entry, nil).details.door == "D1")
    }

    @Test func aStoredGrantBecomesThePolicysGrantWithLocalDatesAndThePINMode() throws {
        let tokyo = TimeZone(identifier: "Asia/Tokyo")!
        // 2026-11-30 15:30 UTC is 2026-12-01 00:30 in Tokyo.
        let validTo = Date(timeIntervalSince1970: 1_796_052_600)
        let grant = try GrantFixture.make(weekdays: [1, 5], validTo: validTo, withPIN: true)
        let converted = CardCheck.accessGrant(grant, operatorID: "op1", timeZone: tokyo)
        #expect(converted.weekdays == [.monday, .friday])
        #expect(converted.fromMinute == 480)
        #expect(converted.toMinute == 1080)
        #expect(converted.validTo == CivilDate(year: 2026, month: 12, day: 1))
        #expect(converted.validFrom == nil)
        #expect(converted.requiresPIN)
        #expect(converted.roomID == "R1")
        #expect(converted.operatorID == "op1")
    }

}
