import AccessPolicy
import Foundation
import Testing
import Vocabulary

/// A card of `operatorID` (its own GUID) with the weekday grant for R1, optionally an escort grant.
private func person(_ operatorID: String, guid: CardGUID, escort: Bool = false) -> PresentedCard {
    var grant = weekdayGrant(operatorID)
    grant.escort = escort
    return proven(cardRecord(holder: holderRecord(operatorID, grants: [grant])), guid: guid)
}

private let cardC = guid("0C0C00112233445566778899AABBCCDD")
private let alice = person("op-1", guid: cardA)
private let bob = person("op-2", guid: cardB)
private let carol = person("op-3", guid: cardC)
private let guest = Visitor(name: "佐藤 花子", organisation: "日本電気株式会社")!

@Suite("Door rules: contact alarms, exit button, two-person rooms, visitors, occupancy, release")
struct DoorRulesTests {
    // MARK: Contact and exit button

    @Test func aDoorOpenedWithoutAPassageRaisesForcedOpenUntilItCloses() {
        var rig = DoorRig()
        #expect(rig.send(.contact(open: true)).shape == ["record door.alarm forced-open", "raise forced-open"])
        #expect(rig.machine.activeAlarms == [.forcedOpen])
        #expect(rig.send(.contact(open: true)).isEmpty)  // the same report twice raises nothing more
        #expect(rig.send(.contact(open: false)).shape == ["record door.alarm.cleared forced-open", "clear forced-open"])
        #expect(rig.machine.activeAlarms.isEmpty)
    }

    @Test func aDoorOpenedAfterAGrantedPassageRaisesNothingUntilItIsHeldTooLong() {
        var rig = DoorRig()
        rig.pass(at: doorIn, alice)
        rig.clock.advance(seconds: 2)
        #expect(rig.send(.contact(open: true)).isEmpty)
        #expect(rig.machine.nextDeadline == rig.clock.now.addingTimeInterval(30))
        rig.clock.advance(seconds: 29)
        #expect(rig.send(.tick).isEmpty)
        rig.clock.advance(seconds: 1)
        #expect(rig.send(.tick).shape == ["record door.alarm held-open", "raise held-open"])
        #expect(rig.send(.tick).isEmpty)
        #expect(rig.send(.contact(open: false)).shape == ["record door.alarm.cleared held-open", "clear held-open"])
    }

    @Test func openingLongAfterThePassageCountsAsForced() {
        var rig = DoorRig()
        rig.pass(at: doorIn, alice)
        rig.clock.advance(seconds: 11)  // 5 s open + 5 s grace
        #expect(rig.send(.contact(open: true)).shape == ["record door.alarm forced-open", "raise forced-open"])
    }

    @Test func theExitButtonRecordsAnExitOfAnUnknownPersonAndOpens() {
        var rig = DoorRig()
        let effects = rig.send(.requestToExit)
        #expect(effects.shape == ["record door.exit", "open D1 5s"])
        #expect(effects.records[0].operatorID == nil && effects.records[0].cause == "request-to-exit")
        #expect(rig.send(.contact(open: true)).isEmpty)  // not forced: the button let them out
    }

    @Test func theExitButtonAfterACardExitIsNotASecondExit() {
        var rig = DoorRig()
        rig.pass(at: doorIn, alice)
        rig.clock.advance(seconds: 60)
        #expect(rig.pass(at: doorOut, alice).shape == ["record door.exit", "open D1 5s"])
        rig.clock.advance(seconds: 2)
        #expect(rig.send(.requestToExit).shape == ["open D1 5s"])
    }

    // MARK: Two-person rooms

    @Test func aTwoPersonRoomOpensOnlyForTheSecondDifferentPersonAndRecordsBoth() {
        var rig = DoorRig(twoPerson: true)
        #expect(rig.pass(at: doorIn, alice).shape == ["ask-second"])
        #expect(rig.machine.waitingForSecond?.operatorID == "op-1")
        rig.clock.advance(seconds: 10)
        let effects = rig.pass(at: doorIn, bob)
        #expect(effects.shape == ["record door.entry", "record door.entry", "open D1 5s"])
        #expect(effects.records.map(\.operatorID) == ["op-1", "op-2"])
        #expect(rig.occupancy.occupants(of: "R1").map(\.operatorID).sorted() == ["op-1", "op-2"])
    }

    @Test func aLoneFirstPersonIsRefusedWhenNobodyFollowsInTime() {
        var rig = DoorRig(twoPerson: true)
        rig.pass(at: doorIn, alice)
        rig.clock.advance(seconds: 31)
        #expect(rig.send(.tick).shape == ["record door.refused two-person-timeout"])
        // Bob now comes alone: he is a new first person, not the second.
        #expect(rig.pass(at: doorIn, bob).shape == ["ask-second"])
        rig.clock.advance(seconds: 31)
        #expect(rig.send(.tick).shape == ["record door.refused two-person-timeout"])
        #expect(rig.occupancy.count(in: "R1") == 0)
    }

    @Test func theSameCardTwiceIsNotTwoPeople() {
        var rig = DoorRig(twoPerson: true)
        rig.pass(at: doorIn, alice)
        #expect(rig.pass(at: doorIn, alice).shape == ["record door.refused two-person-same-person"])
        #expect(rig.machine.waitingForSecond?.operatorID == "op-1")  // still waiting for a real second person
    }

    @Test func theLastButOneCannotLeaveAlone() {
        var rig = DoorRig(twoPerson: true)
        rig.pass(at: doorIn, alice)
        rig.pass(at: doorIn, bob)
        rig.clock.advance(seconds: 60)
        #expect(rig.pass(at: doorOut, alice).shape == ["ask-second"])
        rig.clock.advance(seconds: 31)
        #expect(rig.send(.tick).shape == ["record door.refused two-person-rule"])
        #expect(rig.occupancy.isInside("op-1", room: "R1"))
        // Both leave together.
        rig.pass(at: doorOut, alice)
        let together = rig.pass(at: doorOut, bob)
        #expect(together.shape == ["record door.exit", "record door.exit", "open D1 5s"])
        #expect(rig.occupancy.count(in: "R1") == 0)
    }

    @Test func aSupervisorsOverrideLetsTheNextExitPassAloneAndIsRecorded() {
        var rig = DoorRig(twoPerson: true)
        rig.pass(at: doorIn, alice)
        rig.pass(at: doorIn, bob)
        let override = rig.send(.overrideTwoPerson(by: "uid:1001"))
        #expect(override.shape == ["record door.override"])
        #expect(override.records[0].by == "uid:1001")
        #expect(rig.machine.overridePending(at: rig.clock.now))
        #expect(rig.pass(at: doorOut, alice).shape == ["record door.exit", "open D1 5s"])
        #expect(!rig.machine.overridePending(at: rig.clock.now))
    }

    @Test func withThreeInsideOneMayLeaveAlone() {
        var rig = DoorRig(twoPerson: true)
        rig.pass(at: doorIn, alice)
        rig.pass(at: doorIn, bob)
        rig.pass(at: doorIn, carol)
        rig.pass(at: doorIn, alice)  // Carol needs a second person: Alice (inside already; no anti-passback here) goes with her
        #expect(rig.occupancy.count(in: "R1") == 3)
        rig.clock.advance(seconds: 60)
        #expect(rig.pass(at: doorOut, carol).shape == ["record door.exit", "open D1 5s"])
    }

    // MARK: Visitors

    @Test func anEscortBringsAVisitorInWithOneOpeningAndTakesThemOut() {
        var rig = DoorRig()
        #expect(rig.send(.visitorAnnounced(guest)).isEmpty)
        let escort = person("op-1", guid: cardA, escort: true)
        let entry = rig.pass(at: doorIn, escort)
        #expect(entry.shape == ["record door.entry", "record door.entry visitor 佐藤 花子", "open D1 5s"])
        #expect(entry.records[1].operatorID == "op-1" && entry.records[1].visitor == guest)
        #expect(rig.occupancy.count(in: "R1") == 2)
        #expect(rig.occupancy.visitors(of: "op-1", in: "R1") == [guest])
        rig.clock.advance(seconds: 600)
        let exit = rig.pass(at: doorOut, escort)
        #expect(exit.shape == ["record door.exit", "record door.exit visitor 佐藤 花子", "open D1 5s"])
        #expect(rig.occupancy.count(in: "R1") == 0)
    }

    @Test func aCardWithoutAnEscortGrantCannotBringAVisitor() {
        var rig = DoorRig()
        rig.send(.visitorAnnounced(guest))
        #expect(rig.pass(at: doorIn, alice).shape == ["record door.refused not-an-escort"])
        #expect(rig.occupancy.count(in: "R1") == 0)
        // The announcement is used up: the next person enters alone.
        #expect(rig.pass(at: doorIn, bob).shape == ["record door.entry", "open D1 5s"])
    }

    @Test func anAnnouncedVisitorWaitsOnlyForTheWindow() {
        var rig = DoorRig()
        rig.send(.visitorAnnounced(guest))
        rig.clock.advance(seconds: 61)
        #expect(rig.pass(at: doorIn, person("op-1", guid: cardA, escort: true)).shape == ["record door.entry", "open D1 5s"])
    }

    @Test func visitorNamesAreChecked() {
        #expect(Visitor(name: "", organisation: "x") == nil)
        #expect(Visitor(name: "a\nb", organisation: "x") == nil)
        #expect(Visitor(name: "a\u{202E}b", organisation: "x") == nil)
        #expect(Visitor(name: String(repeating: "あ", count: 43), organisation: "x") == nil)  // 129 bytes
        #expect(Visitor(name: String(repeating: "あ", count: 42), organisation: "x") != nil)
        #expect(Visitor(name: "  佐藤  ", organisation: " NEC ")?.name == "佐藤")
    }

    // MARK: Occupancy limit

    @Test func anEntryBeyondTheOccupancyLimitIsRefusedWithItsOwnReason() {
        var rig = DoorRig(occupancyLimit: 2)
        rig.pass(at: doorIn, alice)
        rig.pass(at: doorIn, bob)
        #expect(rig.pass(at: doorIn, carol).shape == ["record door.refused occupancy-limit"])
        rig.pass(at: doorOut, bob)
        #expect(rig.pass(at: doorIn, carol).shape == ["record door.entry", "open D1 5s"])
    }

    @Test func aVisitorCountsTowardsTheLimit() {
        var rig = DoorRig(occupancyLimit: 2)
        rig.pass(at: doorIn, alice)
        rig.send(.visitorAnnounced(guest))
        #expect(rig.pass(at: doorIn, person("op-2", guid: cardB, escort: true)).shape == ["record door.refused occupancy-limit"])
    }

    // MARK: Holidays and night shifts

    @Test func aGrantThatExcludesHolidaysIsClosedOnAHoliday() {
        var rig = DoorRig()
        var grant = weekdayGrant()
        grant.excludesHolidays = true
        let card = proven(cardRecord(holder: holderRecord(grants: [grant])))
        rig.holidays = [CivilDate(year: 2026, month: 11, day: 23)!]  // 勤労感謝の日, a Monday
        #expect(rig.pass(at: doorIn, card).shape == ["record door.refused holiday"])
        #expect(rig.pass(at: doorIn, doorCard()).shape == ["record door.entry", "open D1 5s"])  // a grant that does not exclude them
    }

    @Test func aNightShiftAcrossMidnightOpensAt2330AndAt0030() {
        let night = AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [.monday], fromMinute: 22 * 60, toMinute: 6 * 60)
        let card = proven(cardRecord(holder: holderRecord(grants: [night])))
        var rig = DoorRig()
        rig.clock = FakeClock("2026-11-23T23:30:00+09:00")  // Monday
        #expect(rig.pass(at: doorIn, card).shape == ["record door.entry", "open D1 5s"])
        rig.pass(at: doorOut, card)
        rig.clock = FakeClock("2026-11-24T00:30:00+09:00")  // Tuesday morning: Monday's window
        #expect(rig.pass(at: doorIn, card).shape == ["record door.entry", "open D1 5s"])
        rig.pass(at: doorOut, card)
        rig.clock = FakeClock("2026-11-24T23:30:00+09:00")  // Tuesday evening: no window starts on Tuesday
        #expect(rig.pass(at: doorIn, card).shape == ["record door.refused outside-hours"])
        rig.clock = FakeClock("2026-11-24T06:00:00+09:00")  // the end is exclusive
        #expect(rig.pass(at: doorIn, card).shape == ["record door.refused outside-hours"])
    }

    @Test func aNightShiftThatStartedTheEveningBeforeAHolidayRunsIntoIt() {
        var night = AccessGrant(operatorID: "op-1", roomID: "R1", weekdays: [.sunday, .monday], fromMinute: 22 * 60, toMinute: 6 * 60)
        night.excludesHolidays = true
        let card = proven(cardRecord(holder: holderRecord(grants: [night])))
        var rig = DoorRig()
        rig.holidays = [CivilDate(year: 2026, month: 11, day: 23)!]
        rig.clock = FakeClock("2026-11-23T00:30:00+09:00")  // the holiday's morning, Sunday's window
        #expect(rig.pass(at: doorIn, card).shape == ["record door.entry", "open D1 5s"])
        rig.pass(at: doorOut, card)
        rig.clock = FakeClock("2026-11-23T23:30:00+09:00")  // the window that starts on the holiday stays shut
        #expect(rig.pass(at: doorIn, card).shape == ["record door.refused holiday"])
    }

    // MARK: Fire release

    @Test func aReleaseHoldsTheDoorIgnoresCardsAndEndsOnlyByRestore() {
        var rig = DoorRig()
        rig.send(.contact(open: true))  // forced open first
        let release = rig.send(.release(by: "uid:0"))
        #expect(release.shape == ["record door.released", "hold D1", "record door.alarm.cleared forced-open", "clear forced-open"])
        #expect(release.records[0].by == "uid:0")
        #expect(rig.machine.isReleased)
        #expect(rig.send(.cardPresented(reader: doorIn, cardGUID: cardA)).isEmpty)
        #expect(rig.send(.requestToExit).isEmpty)
        #expect(rig.send(.contact(open: true)).isEmpty)  // open and held: no alarm
        #expect(rig.send(.release(by: "uid:0")).isEmpty)
        rig.clock.advance(seconds: 3600)
        #expect(rig.send(.tick).isEmpty)
        #expect(rig.machine.isReleased)
        let restore = rig.send(.restore(by: "uid:0"))
        #expect(restore.shape == ["record door.restored", "secure D1"])
        #expect(!rig.machine.isReleased)
    }

    @Test func aReleaseRefusesTheCardWaitingForItsPIN() {
        var rig = DoorRig(requiresPIN: true)
        #expect(rig.pass(at: doorIn, alice).shape == ["ask-pin"])
        #expect(rig.send(.release(by: "uid:0")).shape.prefix(2) == ["record door.refused superseded", "record door.released"])
    }

    @Test func aHoldIsEgressNotAccess() {
        #expect(!DoorEffect.holdDoor(doorID: "D1").grantsAccess)
        #expect(DoorEffect.openDoor(doorID: "D1", for: .seconds(5)).grantsAccess)
    }
}
