import Foundation
import Testing
@testable import History

/// A room's events written by hand, as the gateway records them (place: the room; door: a detail).
struct DoorLog {
    var events: [HistoryEvent] = []
    var room = "R1"
    /// 1 April 2026, 00:00 UTC (09:00 in Tokyo).
    let start = date(2026, 4, 1)

    func at(_ minutes: Double) -> Date { start + minutes * 60 }

    mutating func add(_ kind: EventKind, _ result: EventResult = .success, actor: String? = nil, card: String? = nil,
                      place: String?? = .none, at minutes: Double, _ details: EventDetails = EventDetails(door: "D1")) {
        events.append(HistoryEvent(sequence: Int64(events.count + 1), time: at(minutes), kind: kind, result: result, actor: actor,
                                   card: card, place: place ?? room, details: details, previousHash: [], hash: []))
    }

    mutating func enter(_ who: String, at minutes: Double, door: String = "D1", _ details: EventDetails? = nil) {
        add(.doorEntry, actor: who, card: "CA\(who.utf8.count)0000000000000000000000000000", at: minutes, details ?? EventDetails(reason: "in", door: door))
    }

    mutating func leave(_ who: String, at minutes: Double, door: String = "D1") {
        add(.doorExit, actor: who, card: "CA\(who.utf8.count)0000000000000000000000000000", at: minutes, EventDetails(reason: "out", door: door))
    }

    mutating func visitor(_ kind: EventKind, _ name: String, of escort: String, at minutes: Double, organisation: String = "東都保守株式会社") {
        add(kind, actor: escort, card: "CA\(escort.utf8.count)0000000000000000000000000000", at: minutes,
            EventDetails(reason: kind == .doorEntry ? "in" : "out", door: "D1", visitor: name, organisation: organisation))
    }
}

@Suite struct EntryBookTests {
    @Test func twoEntriesAtOneDoorInTheSameMomentAreOneTwoPersonPassage() {
        var log = DoorLog()
        log.enter("op-a", at: 0)
        log.enter("op-b", at: 0.005)  // 0.3 s later: the gateway records both of one passage
        log.enter("op-c", at: 10)
        log.enter("op-d", at: 30, door: "D2")
        log.enter("op-e", at: 30.001, door: "D1")  // same moment, another door: not a pair
        log.leave("op-a", at: 60)
        log.leave("op-b", at: 60.002)
        log.leave("op-c", at: 61)
        let book = EntryBook(room: "R1", events: log.events)
        #expect(book.visits.map(\.person) == ["op-a", "op-b", "op-c", "op-d", "op-e"])
        #expect(book.visits[0].enteredWith == "op-b" && book.visits[1].enteredWith == "op-a")
        #expect(book.visits[0].leftWith == "op-b" && book.visits[1].leftWith == "op-a")
        #expect(book.visits[2].enteredWith == nil && book.visits[2].leftWith == nil)  // op-c left 1 minute after op-b
        #expect(book.visits[3].enteredWith == nil && book.visits[4].enteredWith == nil)
        #expect(book.visits[0].duration == 3600 && book.visits[0].entryDoor == "D1" && book.visits[0].exitDoor == "D1")
        #expect(book.sequences == 1...8)
    }

    @Test func aThirdQuickEntryIsNotPairedAgain() {
        var log = DoorLog()
        log.enter("op-a", at: 0)
        log.enter("op-b", at: 0.001)
        log.enter("op-c", at: 0.002)
        let book = EntryBook(room: "R1", events: log.events)
        #expect(book.visits.map(\.enteredWith) == ["op-b", "op-a", nil])
    }

    @Test func visitorsAreApartBesideTheirEscortAndDoNotOpenStaysOfTheirOwn() {
        var log = DoorLog()
        log.enter("op-a", at: 0)
        log.visitor(.doorEntry, "田中一郎", of: "op-a", at: 0.001)
        log.visitor(.doorEntry, "Jane O'Neil", of: "op-a", at: 0.002, organisation: "Acme & Co")
        log.leave("op-a", at: 90)
        log.visitor(.doorExit, "田中一郎", of: "op-a", at: 90.001)
        log.visitor(.doorExit, "Jane O'Neil", of: "op-a", at: 90.002, organisation: "Acme & Co")
        log.visitor(.doorExit, "佐藤次郎", of: "op-z", at: 95)  // entered before the period
        let book = EntryBook(room: "R1", events: log.events)
        #expect(book.visits.count == 1)
        #expect(book.visits[0].person == "op-a" && book.visits[0].duration == 90 * 60)
        #expect(book.visits[0].visitors == ["田中一郎", "Jane O'Neil"])
        #expect(book.visitors.map(\.name) == ["田中一郎", "Jane O'Neil", "佐藤次郎"])
        #expect(book.visitors[0].escort == "op-a" && book.visitors[0].organisation == "東都保守株式会社")
        #expect(book.visitors[0].duration == 90 * 60 && book.visitors[1].organisation == "Acme & Co")
        #expect(book.visitors[2].entry == nil && book.visitors[2].escort == "op-z")
    }

    @Test func theExitButtonIsAnUnknownPersonsExitAndClosesNobodysStay() {
        var log = DoorLog()
        log.enter("op-a", at: 0)
        log.add(.doorExit, at: 20, EventDetails(reason: "request-to-exit", door: "D1"))
        log.leave("op-b", at: 25)  // entered before the period
        let book = EntryBook(room: "R1", events: log.events)
        #expect(book.visits.count == 3)
        #expect(book.visits[0].person == "op-a" && book.visits[0].exit == nil)
        #expect(book.visits[1].isUnknownPerson && book.visits[1].exitByButton && book.visits[1].exit == log.at(20))
        #expect(book.visits[1].exitDoor == "D1" && book.visits[1].entry == nil)
        #expect(book.visits[2].person == "op-b" && book.visits[2].entry == nil && !book.visits[2].exitByButton)
    }

    @Test func alarmsAreRaisedClearedAndAcknowledged() {
        var log = DoorLog()
        log.add(.doorAlarmCleared, at: 1, EventDetails(reason: "held-open", door: "D2"))  // raised before the period
        log.add(.doorAlarm, .failure, at: 10, EventDetails(reason: "forced-open", door: "D1"))
        log.add(.doorAlarmAcknowledged, actor: "uid:1001", at: 12, EventDetails(reason: "forced-open", door: "D1"))
        log.add(.doorAlarmCleared, at: 15, EventDetails(reason: "forced-open", door: "D1"))
        log.add(.doorAlarm, .failure, at: 40, EventDetails(reason: "held-open", door: "D1"))
        let book = EntryBook(room: "R1", events: log.events)
        #expect(book.alarms.count == 3)
        #expect(book.alarms[0].raised == nil && book.alarms[0].cleared == log.at(1) && book.alarms[0].door == "D2")
        #expect(book.alarms[1] == EntryBook.Alarm(door: "D1", reason: "forced-open", raised: log.at(10), cleared: log.at(15),
                                                  acknowledged: log.at(12), acknowledgedBy: "uid:1001"))
        #expect(book.alarms[2].reason == "held-open" && book.alarms[2].cleared == nil && book.alarms[2].acknowledged == nil)
    }

    @Test func overridesReleasesAndRestoresAreListedWithTheBuildingWideEmergency() {
        var log = DoorLog()
        log.add(.doorOverride, actor: "uid:1001", at: 5, EventDetails(door: "D1"))
        log.add(.adminEmergency, actor: "uid:0", place: .some(nil), at: 20, EventDetails(reason: "evacuation", operation: "release-doors"))
        log.add(.doorReleased, actor: "uid:0", at: 20.001, EventDetails(door: "D1"))
        log.add(.doorRestored, actor: "uid:0", at: 50, EventDetails(door: "D1"))
        log.add(.adminEmergency, actor: "uid:0", place: .some(nil), at: 50.001, EventDetails(reason: "restore", operation: "restore-doors"))
        log.add(.adminEmergency, place: .some(nil), at: 60, EventDetails(reason: "earthquake", record: "uid:1001"))  // lock-all: terminals
        log.add(.doorReleased, actor: "uid:0", place: "R2", at: 20.002, EventDetails(door: "D9"))  // another room
        let book = EntryBook(room: "R1", events: log.events)
        #expect(book.actions.map(\.kind) == [.override, .emergencyRelease, .released, .restored, .emergencyRestore])
        #expect(book.actions[0].by == "uid:1001" && book.actions[0].door == "D1")
        #expect(book.actions[1].door == nil && book.actions[1].reason == "evacuation")
        #expect(book.actions[4].reason == nil)
        #expect(book.sequences == 1...5)
    }

    @Test func refusalsStayApart() {
        var log = DoorLog()
        log.add(.doorRefused, .denied, actor: "op-x", card: "C1", at: 1, EventDetails(reason: "no-grant", door: "D1"))
        log.add(.doorEntry, .denied, actor: "op-y", card: "C2", at: 2, EventDetails(reason: "in", door: "D1"))
        let book = EntryBook(room: "R1", events: log.events)
        #expect(book.visits.isEmpty && book.refusals.map(\.actor) == ["op-x", "op-y"])
    }

    @Test func readingTheStoreTakesTheBuildingWideReleaseInOrder() throws {
        let f = try HistoryFixture()
        let clock = FixedClock(date(2026, 4, 1))
        let store = try f.store(clock: clock)
        func add(_ e: NewEvent) throws { clock.advance(60); try store.append(e) }
        try add(NewEvent(kind: .doorEntry, result: .success, actor: "op-a", card: "C1", place: "R1", details: EventDetails(reason: "in", door: "D1")))
        try add(NewEvent(kind: .adminEmergency, result: .success, actor: "uid:0", details: EventDetails(reason: "fire", operation: "release-doors")))
        try add(NewEvent(kind: .doorReleased, result: .success, actor: "uid:0", place: "R1", details: EventDetails(door: "D1")))
        try add(NewEvent(kind: .operation, result: .success, actor: "op-a", details: EventDetails(operation: "resident.view", record: "R9")))
        try add(NewEvent(kind: .doorExit, result: .success, actor: "op-a", card: "C1", place: "R1", details: EventDetails(reason: "out", door: "D1")))
        var progress: [Int] = []
        let book = try EntryBook.read(from: store, room: "R1", from: nil, to: nil, progressEvery: 2) { progress.append($0) }
        #expect(book.actions.map(\.kind) == [.emergencyRelease, .released])
        #expect(book.visits.count == 1 && book.visits[0].duration == 240)
        #expect(book.sequences == 1...5 && progress == [2])
        let later = try EntryBook.read(from: store, room: "R1", from: date(2026, 4, 1) + 150, to: nil)
        #expect(later.actions.map(\.kind) == [.released] && later.visits[0].entry == nil)
    }
}
