import AccessPolicy
import Foundation
import Testing

let doorIn = "CardGate Room1 In 00 00"
let doorOut = "CardGate Room1 Out 00 00"

func weekdayGrant(_ operatorID: String = "op-1", requiresPIN: Bool = false, validTo: CivilDate? = nil) -> AccessGrant {
    AccessGrant(
        operatorID: operatorID, roomID: "R1", weekdays: [.monday, .tuesday, .wednesday, .thursday, .friday],
        fromMinute: 8 * 60, toMinute: 20 * 60, validTo: validTo, requiresPIN: requiresPIN)
}

func doorVerdict(_ operatorID: String? = "op-1", genuine: Bool = true, status: CardStatus = .active, grants: [AccessGrant]? = nil) -> DoorCardVerdict {
    DoorCardVerdict(
        genuine: genuine, cardStatus: status, operatorID: operatorID, operatorActive: true,
        grants: grants ?? [weekdayGrant(operatorID ?? "nobody")])
}

extension Array where Element == DoorEffect {
    var shape: [String] {
        map {
            switch $0 {
            case .verifyCard: return "verify"
            case .askForPIN: return "ask-pin"
            case .record(let event): return "record \(event.kind.rawValue)" + (event.refusal.map { " \($0.rawValue)" } ?? "")
            case .openDoor(let door, let duration): return "open \(door) \(duration.components.seconds)s"
            }
        }
    }

    var records: [DoorEvent] { compactMap { if case .record(let event) = $0 { return event } else { return nil } } }
}

/// A door machine, its occupancy and a fake clock; recorded events are applied to the occupancy as the daemon would.
struct DoorRig {
    var machine: DoorStateMachine
    var occupancy = RoomOccupancy()
    var clock = FakeClock("2026-11-23T10:00:00+09:00")  // a Monday

    init(requiresPIN: Bool = false, antiPassback: Bool = false) {
        machine = DoorStateMachine(
            configuration: DoorConfiguration(
                doorID: "D1", roomID: "R1", openDuration: .seconds(5), pinTimeout: .seconds(30),
                roomRequiresPIN: requiresPIN, antiPassback: antiPassback, timeZone: tokyo),
            entryReader: doorIn, exitReader: doorOut)
    }

    @discardableResult
    mutating func send(_ input: DoorInput) -> [DoorEffect] {
        let effects = machine.handle(input, at: clock.now, occupancy: occupancy)
        for event in effects.records { occupancy.apply(event) }
        return effects
    }

    mutating func present(at reader: String, _ guid: String = cardA) -> DoorPresentation {
        let effects = send(.cardPresented(reader: reader, cardGUID: guid))
        guard case .verifyCard(let presentation)? = effects.last else { fatalError("no verify: \(effects)") }
        return presentation
    }

    /// Presents a card and answers with the verdict; returns the effects of the verdict.
    @discardableResult
    mutating func pass(at reader: String, _ verdict: DoorCardVerdict = doorVerdict()) -> [DoorEffect] {
        let presentation = present(at: reader)
        return send(.cardVerified(presentation.card.id, verdict))
    }
}

@Suite("Door state machine")
struct DoorStateMachineTests {
    @Test func aGrantedEntryRecordsDoorEntryThenOpensTheDoor() {
        var rig = DoorRig()
        let presentation = rig.present(at: doorIn)
        #expect(presentation.direction == .entry)
        let effects = rig.send(.cardVerified(presentation.card.id, doorVerdict()))
        #expect(effects.shape == ["record door.entry", "open D1 5s"])
        #expect(effects.map(\.grantsAccess) == [false, true])
        let event = effects.records[0]
        #expect(event.operatorID == "op-1" && event.roomID == "R1" && event.doorID == "D1" && event.reader == doorIn)
        #expect(event.cardGUID == cardA && event.at == rig.clock.now)
        #expect(rig.machine.state == .idle)
    }

    @Test func anExitRecordsDoorExit() {
        var rig = DoorRig()
        #expect(rig.pass(at: doorOut).shape == ["record door.exit", "open D1 5s"])
    }

    @Test func anExitIsAllowedOutsideTheGrantHours() {
        var rig = DoorRig()
        rig.clock = FakeClock("2026-11-23T22:00:00+09:00")
        #expect(rig.pass(at: doorIn).shape == ["record door.refused outside-hours"])
        #expect(rig.pass(at: doorOut).shape == ["record door.exit", "open D1 5s"])
    }

    static let refusals: [(DoorCardVerdict, DoorRefusal)] = [
        (doorVerdict(nil, status: .unknown, grants: []), .unknownCard),
        (doorVerdict(status: .revoked), .revoked),
        (doorVerdict(genuine: false), .notGenuine),
        (doorVerdict(status: .blocked), .blocked),
        (doorVerdict(status: .expired), .cardExpired),
        (doorVerdict(status: .pinChangeRequired), .pinChangeRequired),
        (DoorCardVerdict(genuine: true, cardStatus: .active, operatorID: "op-1", operatorActive: false, grants: [weekdayGrant()]), .operatorInactive),
        (doorVerdict(grants: []), .noGrant),
        (doorVerdict(grants: [AccessGrant(operatorID: "op-1", roomID: "R2", weekdays: Set(Weekday.allCases), fromMinute: 0, toMinute: 1440)]), .noGrant),
        (doorVerdict(grants: [weekdayGrant("op-2")]), .noGrant),
        (doorVerdict(grants: [AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [.saturday], fromMinute: 0, toMinute: 1440)]), .outsideHours),
        (doorVerdict(grants: [weekdayGrant(validTo: CivilDate(year: 2026, month: 11, day: 22))]), .grantExpired),
        (doorVerdict(grants: [AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [.monday], fromMinute: 0, toMinute: 1440, validFrom: CivilDate(year: 2026, month: 11, day: 24))]), .grantNotYetValid),
    ]

    @Test(arguments: refusals)
    func everyRefusalIsRecordedWithItsReasonAndTheDoorStaysShut(verdict: DoorCardVerdict, refusal: DoorRefusal) {
        var rig = DoorRig()
        let effects = rig.pass(at: doorIn, verdict)
        #expect(effects.shape == ["record door.refused \(refusal.rawValue)"])
        #expect(!effects.contains { $0.grantsAccess })
        #expect(rig.machine.state == .idle)
    }

    @Test func anExpiredGrantBesideAnOpenOneStillOpens() {
        var rig = DoorRig()
        let verdict = doorVerdict(grants: [weekdayGrant(validTo: CivilDate(year: 2026, month: 1, day: 1)), weekdayGrant()])
        #expect(rig.pass(at: doorIn, verdict).shape == ["record door.entry", "open D1 5s"])
    }

    @Test func aCardPlusPINRoomAsksForThePINWithin30Seconds() {
        var rig = DoorRig(requiresPIN: true)
        let presentation = rig.present(at: doorIn)
        let asked = rig.send(.cardVerified(presentation.card.id, doorVerdict()))
        #expect(asked.shape == ["ask-pin"])
        if case .askForPIN(_, let operatorID, let deadline)? = asked.first {
            #expect(operatorID == "op-1" && deadline == rig.clock.now.addingTimeInterval(30))
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
        #expect(rig.send(.cardVerified(presentation.card.id, doorVerdict(grants: [weekdayGrant(requiresPIN: true)]))).shape == ["ask-pin"])
    }

    @Test func theExitDoesNotAskForThePIN() {
        var rig = DoorRig(requiresPIN: true)
        #expect(rig.pass(at: doorOut).shape == ["record door.exit", "open D1 5s"])
    }

    @Test func noPINWithin30SecondsIsRefusedAsTimeout() {
        var rig = DoorRig(requiresPIN: true)
        let presentation = rig.present(at: doorIn)
        rig.send(.cardVerified(presentation.card.id, doorVerdict()))
        rig.clock.advance(seconds: 30)
        let effects = rig.send(.tick)
        #expect(effects.shape == ["record door.refused pin-timeout"])
        #expect(effects.records.first?.operatorID == "op-1")
        #expect(rig.machine.state == .idle)
    }

    @Test func aPINArrivingAtTheDeadlineIsTooLate() {
        var rig = DoorRig(requiresPIN: true)
        let presentation = rig.present(at: doorIn)
        rig.send(.cardVerified(presentation.card.id, doorVerdict()))
        rig.clock.advance(seconds: 30)
        #expect(rig.send(.pinResult(presentation.card.id, .good)).shape == ["record door.refused pin-timeout"])
    }

    @Test(arguments: [(PINResult.wrong(attemptsLeft: 3), DoorRefusal.pinWrong), (.wrong(attemptsLeft: 0), .pinBlocked), (.blocked, .pinBlocked)])
    func aWrongPINKeepsTheDoorShut(result: PINResult, refusal: DoorRefusal) {
        var rig = DoorRig(requiresPIN: true)
        let presentation = rig.present(at: doorIn)
        rig.send(.cardVerified(presentation.card.id, doorVerdict()))
        #expect(rig.send(.pinResult(presentation.card.id, result)).shape == ["record door.refused \(refusal.rawValue)"])
        #expect(rig.send(.pinResult(presentation.card.id, .good)).isEmpty)
    }

    @Test func staleVerdictsAndPINsAreIgnored() {
        var rig = DoorRig(requiresPIN: true)
        let first = rig.present(at: doorIn)
        let second = rig.present(at: doorIn, cardB)
        #expect(rig.send(.cardVerified(first.card.id, doorVerdict())).isEmpty)
        #expect(rig.send(.pinResult(first.card.id, .good)).isEmpty)
        #expect(rig.machine.state == .verifying(second))
    }

    @Test func aNewCardSupersedesOneWaitingForItsPIN() {
        var rig = DoorRig(requiresPIN: true)
        let first = rig.present(at: doorIn)
        rig.send(.cardVerified(first.card.id, doorVerdict()))
        let effects = rig.send(.cardPresented(reader: doorIn, cardGUID: cardB))
        #expect(effects.shape == ["record door.refused superseded", "verify"])
    }

    @Test func readersOfOtherDoorsAreIgnored() {
        var rig = DoorRig()
        #expect(rig.send(.cardPresented(reader: "CardGate T01 00 00", cardGUID: cardA)).isEmpty)
    }

    @Test func losingTheReaderRefusesThePendingDecision() {
        var rig = DoorRig(requiresPIN: true)
        let presentation = rig.present(at: doorIn)
        rig.send(.cardVerified(presentation.card.id, doorVerdict()))
        #expect(rig.send(.readerLost).shape == ["record door.refused reader-lost"])
        #expect(rig.send(.readerLost).isEmpty)
    }

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

    @Test func antiPassbackIsCheckedAgainAfterThePIN() {
        var rig = DoorRig(requiresPIN: true, antiPassback: true)
        let presentation = rig.present(at: doorIn)
        rig.send(.cardVerified(presentation.card.id, doorVerdict()))
        // Meanwhile the same operator got in through another door of the room.
        rig.occupancy.apply(DoorEvent(
            kind: .entry, doorID: "D2", roomID: "R1", direction: .entry, reader: "other", cardGUID: cardA,
            operatorID: "op-1", refusal: nil, at: rig.clock.now))
        #expect(rig.send(.pinResult(presentation.card.id, .good)).shape == ["record door.refused anti-passback"])
    }

    @Test func occupancyFollowsEntriesAndExits() {
        var rig = DoorRig()
        rig.pass(at: doorIn, doorVerdict("op-1"))
        rig.clock.advance(seconds: 60)
        rig.pass(at: doorIn, doorVerdict("op-2"))
        rig.pass(at: doorIn, doorVerdict("op-3", grants: []))  // refused: not inside
        #expect(rig.occupancy.occupants(of: "R1").map(\.operatorID) == ["op-1", "op-2"])
        #expect(rig.occupancy.isInside("op-2", room: "R1"))
        #expect(!rig.occupancy.isInside("op-3", room: "R1"))
        rig.pass(at: doorOut, doorVerdict("op-1"))
        #expect(rig.occupancy.occupants(of: "R1").map(\.operatorID) == ["op-2"])
        #expect(rig.occupancy.occupiedRooms == ["R1"])
        rig.pass(at: doorOut, doorVerdict("op-2"))
        #expect(rig.occupancy.occupants(of: "R1").isEmpty)
        #expect(rig.occupancy.occupiedRooms.isEmpty)
    }

    @Test func occupancyRebuildsFromTheRecordedEvents() {
        var rig = DoorRig()
        var log: [DoorEvent] = []
        log += rig.pass(at: doorIn, doorVerdict("op-1")).records
        log += rig.pass(at: doorIn, doorVerdict("op-2")).records
        log += rig.pass(at: doorOut, doorVerdict("op-1")).records
        log += rig.pass(at: doorIn, doorVerdict("op-9", status: .revoked)).records
        let rebuilt = RoomOccupancy(replaying: log)
        #expect(rebuilt == rig.occupancy)
        #expect(rebuilt.occupants(of: "R1").map(\.operatorID) == ["op-2"])
        #expect(rebuilt.occupants(of: "R1").first?.doorID == "D1")
    }
}
