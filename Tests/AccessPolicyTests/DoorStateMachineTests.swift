import AccessPolicy
import Foundation
import Testing
import Vocabulary

@Suite("Door state machine")
struct DoorStateMachineTests {
    @Test func aGrantedEntryRecordsDoorEntryThenOpensTheDoor() {
        var rig = DoorRig()
        let presentation = rig.present(at: doorIn)
        #expect(presentation.direction == .entry)
        let effects = rig.check(presentation)
        #expect(effects.shape == ["record door.entry", "open D1 5s"])
        #expect(effects.map(\.grantsAccess) == [false, true])
        let event = effects.records[0]
        #expect(event.operatorID == "op-1" && event.roomID == "R1" && event.doorID == "D1" && event.reader == doorIn)
        #expect(event.cardGUID == cardA && event.at == rig.clock.now && event.direction == .entry && event.refusal == nil)
        #expect(rig.machine.state == .idle)
    }

    @Test func anExitRecordsDoorExit() {
        var rig = DoorRig()
        let effects = rig.pass(at: doorOut)
        #expect(effects.shape == ["record door.exit", "open D1 5s"])
        #expect(effects.records.first?.direction == .exit)
    }

    @Test func anExitIsAllowedOutsideTheGrantHours() {
        var rig = DoorRig()
        rig.clock = FakeClock("2026-11-23T22:00:00+09:00")
        #expect(rig.pass(at: doorIn).shape == ["record door.refused outside-hours"])
        #expect(rig.pass(at: doorOut).shape == ["record door.exit", "open D1 5s"])
    }

    @Test func anExitNeedsNoGrantAtAll() {
        var rig = DoorRig()
        #expect(rig.pass(at: doorIn, doorCard(grants: [])).shape == ["record door.refused no-grant"])
        #expect(rig.pass(at: doorOut, doorCard(grants: [])).shape == ["record door.exit", "open D1 5s"])
    }

    static let refusals: [(PresentedCard, DoorRefusal)] = [
        (unavailableCard(), .card(.unavailable)),
        (unknownCard(), .card(.unknownCard)),
        (cloneCard(), .card(.notGenuine)),
        (doorCard(status: .revoked), .card(.revoked)),
        (doorCard(status: .collected), .card(.revoked)),
        (doorCard(status: .suspended), .card(.suspended)),
        (doorCard(status: .blocked), .card(.blocked)),
        (proven(cardRecord(holder: holderRecord(grants: [weekdayGrant()]), expiresAt: instant("2026-11-23T09:00:00+09:00"))), .card(.expired)),
        (proven(cardRecord(holder: holderRecord(grants: [weekdayGrant()]), pinMustChange: true)), .card(.pinChangeRequired)),
        (doorCard(status: .issued), .card(.pinChangeRequired)),
        (proven(cardRecord(holder: holderRecord(enabled: false, grants: [weekdayGrant()]))), .card(.operatorInactive)),
        (proven(cardRecord(holder: nil)), .card(.operatorInactive)),
        (doorCard(grants: []), .card(.noGrant)),
        (doorCard(grants: [AccessGrant(operatorID: "op-1", roomID: "R2", weekdays: Set(Weekday.allCases), fromMinute: 0, toMinute: 1440)]), .card(.noGrant)),
        (doorCard(grants: [weekdayGrant("op-2")]), .card(.noGrant)),
        (doorCard(grants: [AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [.saturday], fromMinute: 0, toMinute: 1440)]), .card(.outsideHours)),
        (doorCard(grants: [weekdayGrant(validTo: CivilDate(year: 2026, month: 11, day: 22))]), .card(.grantExpired)),
        (doorCard(grants: [AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [.monday], fromMinute: 0, toMinute: 1440, validFrom: CivilDate(year: 2026, month: 11, day: 24))]), .card(.grantNotYetValid)),
    ]

    @Test(arguments: refusals)
    func everyRefusalIsRecordedWithItsReasonAndTheDoorStaysShut(card: PresentedCard, refusal: DoorRefusal) {
        var rig = DoorRig()
        let effects = rig.pass(at: doorIn, card)
        #expect(effects.shape == ["record door.refused \(refusal.code)"])
        #expect(effects.records.first?.refusal == refusal)
        #expect(!effects.contains { $0.grantsAccess })
        #expect(rig.machine.state == .idle)
        #expect(!rig.occupancy.isInside("op-1", room: "R1"))
    }

    @Test func aRefusalNamesTheHolderWhenKnown() {
        var rig = DoorRig()
        #expect(rig.pass(at: doorIn, doorCard("op-4", status: .revoked)).records.first?.operatorID == "op-4")
        #expect(rig.pass(at: doorIn, cloneCard(of: "op-5")).records.first?.operatorID == "op-5")
        #expect(rig.pass(at: doorIn, unknownCard()).records.first?.operatorID == nil)
    }

    @Test func aRevokedCardCannotLeaveEither() {
        var rig = DoorRig()
        #expect(rig.pass(at: doorOut, doorCard(status: .revoked)).shape == ["record door.refused revoked"])
    }

    @Test func anExpiredGrantBesideAnOpenOneStillOpens() {
        var rig = DoorRig()
        let card = doorCard(grants: [weekdayGrant(validTo: CivilDate(year: 2026, month: 1, day: 1)), weekdayGrant()])
        #expect(rig.pass(at: doorIn, card).shape == ["record door.entry", "open D1 5s"])
    }

    @Test func grantHoursAreReadInTheDoorsTimeZone() {
        // Monday 08:30 in Tokyo is Sunday 23:30 UTC: the Monday 08:00–20:00 grant is open in Tokyo only.
        var tokyoDoor = DoorRig()
        tokyoDoor.clock = FakeClock("2026-11-22T23:30:00Z")
        #expect(tokyoDoor.pass(at: doorIn).shape == ["record door.entry", "open D1 5s"])
        var utcDoor = DoorRig()
        utcDoor.machine.configuration.timeZone = TimeZone(identifier: "UTC")!
        utcDoor.clock = FakeClock("2026-11-22T23:30:00Z")
        #expect(utcDoor.pass(at: doorIn).shape == ["record door.refused outside-hours"])
    }

    // MARK: PIN

    @Test func aCardPlusPINRoomAsksForThePINWithin30Seconds() {
        var rig = DoorRig(requiresPIN: true)
        let presentation = rig.present(at: doorIn)
        let asked = rig.check(presentation)
        #expect(asked.shape == ["ask-pin"])
        if case .askForPIN(let asking, let operatorID, let deadline)? = asked.first {
            #expect(asking == presentation)
            #expect(operatorID == "op-1" && deadline == rig.clock.now.addingTimeInterval(30))
        } else {
            Issue.record("no PIN asked: \(asked)")
        }
        #expect(rig.machine.nextDeadline == rig.clock.now.addingTimeInterval(30))
        #expect(rig.machine.pendingPIN?.presentation == presentation && rig.machine.pendingPIN?.operatorID == "op-1")
        rig.clock.advance(seconds: 29.9)
        #expect(rig.send(.tick).isEmpty)
        #expect(rig.send(.pinResult(presentation.card.id, .good)).shape == ["record door.entry", "open D1 5s"])
        #expect(rig.machine.nextDeadline == nil)
        #expect(rig.machine.pendingPIN == nil)
    }

    @Test func aGrantThatRequiresAPINAsksForItInAnOrdinaryRoom() {
        var rig = DoorRig(requiresPIN: false)
        let presentation = rig.present(at: doorIn)
        #expect(rig.check(presentation, doorCard(grants: [weekdayGrant(requiresPIN: true)])).shape == ["ask-pin"])
    }

    @Test func theStricterOfTwoOpenGrantsAsksForThePIN() {
        var rig = DoorRig(requiresPIN: false)
        let presentation = rig.present(at: doorIn)
        #expect(rig.check(presentation, doorCard(grants: [weekdayGrant(), weekdayGrant(requiresPIN: true)])).shape == ["ask-pin"])
    }

    @Test func theExitDoesNotAskForThePIN() {
        var rig = DoorRig(requiresPIN: true)
        #expect(rig.pass(at: doorOut).shape == ["record door.exit", "open D1 5s"])
        #expect(rig.pass(at: doorOut, doorCard(grants: [weekdayGrant(requiresPIN: true)])).shape == ["record door.exit", "open D1 5s"])
    }

    @Test func noPINWithin30SecondsIsRefusedAsTimeout() {
        var rig = DoorRig(requiresPIN: true)
        let presentation = rig.present(at: doorIn)
        rig.check(presentation)
        rig.clock.advance(seconds: 30)
        let effects = rig.send(.tick)
        #expect(effects.shape == ["record door.refused pin-timeout"])
        #expect(effects.records.first?.operatorID == "op-1")
        #expect(rig.machine.state == .idle)
    }

    @Test func aPINArrivingAtTheDeadlineIsTooLate() {
        var rig = DoorRig(requiresPIN: true)
        let presentation = rig.present(at: doorIn)
        rig.check(presentation)
        rig.clock.advance(seconds: 30)
        #expect(rig.send(.pinResult(presentation.card.id, .good)).shape == ["record door.refused pin-timeout"])
        #expect(rig.machine.state == .idle)
    }

    @Test(arguments: [
        (PINResult.wrong(attemptsLeft: 3), DoorRefusal.pinWrong),
        (.wrong(attemptsLeft: 0), .pinBlocked),
        (.blocked, .pinBlocked),
    ])
    func aWrongPINKeepsTheDoorShut(result: PINResult, refusal: DoorRefusal) {
        var rig = DoorRig(requiresPIN: true)
        let presentation = rig.present(at: doorIn)
        rig.check(presentation)
        #expect(rig.send(.pinResult(presentation.card.id, result)).shape == ["record door.refused \(refusal.code)"])
        #expect(rig.send(.pinResult(presentation.card.id, .good)).isEmpty)
    }

    @Test(arguments: [
        (PINResult.mustChange, DoorRefusal.card(.pinChangeRequired), "pin-change-required"),
        (.unavailable, .card(.unavailable), "unavailable"),
        (.refused(.revoked), .card(.revoked), "revoked"),
        (.refused(.operatorInactive), .card(.operatorInactive), "operator-inactive"),
    ])
    func aPINResultThatRefusesTheCardKeepsTheDoorShutWithItsCode(result: PINResult, refusal: DoorRefusal, code: String) {
        var rig = DoorRig(requiresPIN: true)
        let presentation = rig.present(at: doorIn)
        rig.check(presentation)
        let effects = rig.send(.pinResult(presentation.card.id, result))
        #expect(effects.shape == ["record door.refused \(code)"])
        #expect(effects.records.first?.refusal == refusal)
        #expect(effects.records.first?.operatorID == "op-1")
        #expect(!effects.contains { $0.grantsAccess })
        #expect(rig.machine.state == .idle)
        #expect(rig.machine.pendingPIN == nil)
        #expect(rig.send(.pinResult(presentation.card.id, .good)).isEmpty)
        #expect(!rig.occupancy.isInside("op-1", room: "R1"))
    }

    @Test func staleDecisionsAndPINsAreIgnored() {
        var rig = DoorRig(requiresPIN: true)
        let first = rig.present(at: doorIn)
        let second = rig.present(at: doorIn, cardB)
        #expect(rig.check(first).isEmpty)
        #expect(rig.send(.pinResult(first.card.id, .good)).isEmpty)
        #expect(rig.machine.state == .verifying(second))
    }

    @Test func aSecondDecisionForTheSamePresentationIsIgnored() {
        var rig = DoorRig(requiresPIN: true)
        let presentation = rig.present(at: doorIn)
        rig.check(presentation)
        #expect(rig.check(presentation).isEmpty)
        #expect(rig.machine.pendingPIN?.presentation == presentation)
    }

    @Test func aNewCardSupersedesOneWaitingForItsPIN() {
        var rig = DoorRig(requiresPIN: true)
        let first = rig.present(at: doorIn)
        rig.check(first)
        let effects = rig.send(.cardPresented(reader: doorIn, cardGUID: cardB))
        #expect(effects.shape == ["record door.refused superseded", "verify"])
        #expect(effects.records.first?.operatorID == "op-1")
        #expect(rig.send(.pinResult(first.card.id, .good)).isEmpty)
    }

    @Test func readersOfOtherDoorsAreIgnored() {
        var rig = DoorRig()
        #expect(rig.send(.cardPresented(reader: "CardGate T01 00 00", cardGUID: cardA)).isEmpty)
        #expect(rig.machine.state == .idle)
    }

    @Test func losingTheReaderRefusesThePendingDecision() {
        var rig = DoorRig(requiresPIN: true)
        let presentation = rig.present(at: doorIn)
        rig.check(presentation)
        #expect(rig.send(.readerLost).shape == ["record door.refused reader-lost"])
        #expect(rig.send(.readerLost).isEmpty)
        #expect(rig.send(.pinResult(presentation.card.id, .good)).isEmpty)
    }

    // MARK: Anti-passback and occupancy

    @Test func antiPassbackRefusesASecondEntryAndAnExitWithoutEntry() {
        var rig = DoorRig(antiPassback: true)
        #expect(rig.pass(at: doorOut).shape == ["record door.refused anti-passback"])
        #expect(rig.pass(at: doorIn).shape == ["record door.entry", "open D1 5s"])
        #expect(rig.pass(at: doorIn).shape == ["record door.refused anti-passback"])
        #expect(rig.pass(at: doorOut).shape == ["record door.exit", "open D1 5s"])
        #expect(rig.pass(at: doorOut).shape == ["record door.refused anti-passback"])
        #expect(rig.pass(at: doorIn).shape == ["record door.entry", "open D1 5s"])
    }

    @Test func withoutAntiPassbackRepeatedEntriesOpen() {
        var rig = DoorRig(antiPassback: false)
        #expect(rig.pass(at: doorIn).shape == ["record door.entry", "open D1 5s"])
        #expect(rig.pass(at: doorIn).shape == ["record door.entry", "open D1 5s"])
        #expect(rig.pass(at: doorOut).shape == ["record door.exit", "open D1 5s"])
        #expect(rig.pass(at: doorOut).shape == ["record door.exit", "open D1 5s"])
    }

    @Test func antiPassbackIsCheckedBeforeThePINIsAsked() {
        var rig = DoorRig(requiresPIN: true, antiPassback: true)
        rig.occupancy.apply(DoorEvent(
            kind: .entry, doorID: "D2", roomID: "R1", direction: .entry, reader: "other", cardGUID: cardA,
            operatorID: "op-1", refusal: nil, at: rig.clock.now))
        #expect(rig.pass(at: doorIn).shape == ["record door.refused anti-passback"])
        #expect(rig.machine.pendingPIN == nil)
    }

    @Test func antiPassbackIsCheckedAgainAfterThePIN() {
        var rig = DoorRig(requiresPIN: true, antiPassback: true)
        let presentation = rig.present(at: doorIn)
        #expect(rig.check(presentation).shape == ["ask-pin"])
        // Meanwhile the same operator got in through another door of the room.
        rig.occupancy.apply(DoorEvent(
            kind: .entry, doorID: "D2", roomID: "R1", direction: .entry, reader: "other", cardGUID: cardA,
            operatorID: "op-1", refusal: nil, at: rig.clock.now))
        #expect(rig.send(.pinResult(presentation.card.id, .good)).shape == ["record door.refused anti-passback"])
    }

    @Test func occupancyFollowsEntriesAndExits() {
        var rig = DoorRig()
        rig.pass(at: doorIn, doorCard("op-1"))
        rig.clock.advance(seconds: 60)
        rig.pass(at: doorIn, doorCard("op-2"))
        #expect(rig.pass(at: doorIn, doorCard("op-3", grants: [])).shape == ["record door.refused no-grant"])
        #expect(rig.occupancy.occupants(of: "R1").map(\.operatorID) == ["op-1", "op-2"])
        #expect(rig.occupancy.isInside("op-2", room: "R1"))
        #expect(!rig.occupancy.isInside("op-3", room: "R1"))
        rig.pass(at: doorOut, doorCard("op-1"))
        #expect(rig.occupancy.occupants(of: "R1").map(\.operatorID) == ["op-2"])
        #expect(rig.occupancy.occupiedRooms == ["R1"])
        rig.pass(at: doorOut, doorCard("op-2"))
        #expect(rig.occupancy.occupants(of: "R1").isEmpty)
        #expect(rig.occupancy.occupiedRooms.isEmpty)
    }

    @Test func occupancyRebuildsFromTheRecordedEvents() {
        var rig = DoorRig()
        var log: [DoorEvent] = []
        log += rig.pass(at: doorIn, doorCard("op-1")).records
        log += rig.pass(at: doorIn, doorCard("op-2")).records
        log += rig.pass(at: doorOut, doorCard("op-1")).records
        log += rig.pass(at: doorIn, doorCard("op-9", status: .revoked)).records
        #expect(log.count == 4)
        let rebuilt = RoomOccupancy(replaying: log)
        #expect(rebuilt == rig.occupancy)
        #expect(rebuilt.occupants(of: "R1").map(\.operatorID) == ["op-2"])
        #expect(rebuilt.occupants(of: "R1").first?.doorID == "D1")
    }

    // MARK: Refusal codes

    @Test(arguments: [
        (DoorRefusal.card(.noGrant), "no-grant"),
        (.card(.expired), "card-expired"),
        (.card(.unavailable), "unavailable"),
        (.pinWrong, "pin-wrong"),
        (.pinBlocked, "pin-blocked"),
        (.pinTimeout, "pin-timeout"),
        (.antiPassback, "anti-passback"),
        (.superseded, "superseded"),
        (.readerLost, "reader-lost"),
    ])
    func doorRefusalCodes(refusal: DoorRefusal, code: String) {
        #expect(refusal.code == code)
    }

    @Test func onlyAnUnavailableCheckIsAFaultOfTheGateway() {
        #expect(DoorRefusal.card(.unavailable).isFault)
        #expect(!DoorRefusal.card(.revoked).isFault)
        #expect(!DoorRefusal.pinWrong.isFault)
        #expect(!DoorRefusal.antiPassback.isFault)
    }
}

@Suite("Door policy")
struct DoorPolicyTests {
    let door = DoorConfiguration(doorID: "D1", roomID: "R1", roomRequiresPIN: true, antiPassback: true, timeZone: tokyo)

    @Test func theCardPlaceIsTheDoorsRoomDirectionAndPINRule() {
        #expect(DoorPolicy.place(of: door, direction: .entry) == .door(room: "R1", direction: .entry, roomRequiresPIN: true))
        #expect(DoorPolicy.place(of: door, direction: .exit) == .door(room: "R1", direction: .exit, roomRequiresPIN: true))
        let plain = DoorConfiguration(doorID: "D2", roomID: "R2")
        #expect(DoorPolicy.place(of: plain, direction: .entry) == .door(room: "R2", direction: .entry, roomRequiresPIN: false))
    }

    @Test(arguments: CardRefusal.allCases)
    func aRefusedCardIsRefusedByTheDoorWithTheSameReason(refusal: CardRefusal) {
        for direction in DoorDirection.allCases {
            let decision = DoorPolicy.decide(
                use: .refused(refusal, operatorID: "op-1"), direction: direction, door: door, occupancy: RoomOccupancy(),
                pinVerified: true)
            #expect(decision == .refuse(.card(refusal)))
        }
    }

    @Test func anAllowedEntryNeedingAPINOpensOnlyOnceItIsVerified() {
        let use = CardUse.allowed(operatorID: "op-1", needsPIN: true)
        #expect(DoorPolicy.decide(use: use, direction: .entry, door: door, occupancy: RoomOccupancy(), pinVerified: false) == .requirePIN(operatorID: "op-1"))
        #expect(DoorPolicy.decide(use: use, direction: .entry, door: door, occupancy: RoomOccupancy(), pinVerified: true) == .open(operatorID: "op-1"))
        let noPIN = CardUse.allowed(operatorID: "op-1", needsPIN: false)
        #expect(DoorPolicy.decide(use: noPIN, direction: .entry, door: door, occupancy: RoomOccupancy(), pinVerified: false) == .open(operatorID: "op-1"))
    }

    @Test func antiPassbackFollowsTheOccupancy() {
        var inside = RoomOccupancy()
        inside.apply(DoorEvent(
            kind: .entry, doorID: "D1", roomID: "R1", direction: .entry, reader: doorIn, cardGUID: cardA, operatorID: "op-1",
            refusal: nil, at: instant("2026-11-23T09:00:00+09:00")))
        let use = CardUse.allowed(operatorID: "op-1", needsPIN: false)
        #expect(DoorPolicy.decide(use: use, direction: .entry, door: door, occupancy: inside, pinVerified: true) == .refuse(.antiPassback))
        #expect(DoorPolicy.decide(use: use, direction: .exit, door: door, occupancy: inside, pinVerified: false) == .open(operatorID: "op-1"))
        #expect(DoorPolicy.decide(use: use, direction: .exit, door: door, occupancy: RoomOccupancy(), pinVerified: false) == .refuse(.antiPassback))
        var open = door
        open.antiPassback = false
        #expect(DoorPolicy.decide(use: use, direction: .exit, door: open, occupancy: RoomOccupancy(), pinVerified: false) == .open(operatorID: "op-1"))
        #expect(DoorPolicy.decide(use: use, direction: .entry, door: open, occupancy: inside, pinVerified: false) == .open(operatorID: "op-1"))
    }
}
