import Foundation
import Testing
@testable import History

@Suite struct ReportTests {
    func at(_ minutes: Double) -> Date { date(2026, 4, 1, 9) + minutes * 60 }

    @Test func entryBookPairsEntriesAndExitsAndListsRefusalsApart() throws {
        let f = try HistoryFixture()
        let clock = FixedClock(at(0))
        let store = try f.store(clock: clock)
        func door(_ kind: EventKind, _ who: String, _ minute: Double, room: String = "電算室", result: EventResult = .success, _ d: EventDetails = EventDetails()) throws {
            clock.set(at(minute))
            try store.append(NewEvent(kind: kind, result: result, actor: who, card: "C-\(who)", place: room, details: d))
        }
        try door(.doorEntry, "山田", 0)
        try door(.doorEntry, "佐藤", 5, EventDetails(outsideGrantedHours: true))
        try door(.doorRefused, "鈴木", 6, result: .denied, EventDetails(reason: "no-grant"))
        try door(.doorEntry, "高橋", 7, room: "other-room")
        try door(.doorExit, "山田", 65)
        let book = try EntryBook.read(from: store, room: "電算室", from: at(0), to: at(120))
        #expect(book.visits.count == 2)
        #expect(book.visits[0].person == "山田" && book.visits[0].duration == 65 * 60)
        #expect(EntryBook.format(duration: book.visits[0].duration) == "1:05")
        #expect(book.visits[1].person == "佐藤" && book.visits[1].exit == nil && book.visits[1].outsideGrantedHours)
        #expect(book.refusals.map(\.actor) == ["鈴木"])
    }

    @Test func anomaliesFlagBurstsLockoutsRefusedCardsOffHoursAndMissingExits() throws {
        let f = try HistoryFixture()
        let clock = FixedClock(at(0))
        let store = try f.store(clock: clock)
        func add(_ e: NewEvent, _ minute: Double) throws { clock.set(at(minute)); try store.append(e) }
        for m in [0.0, 1, 2] { try add(NewEvent(kind: .pinFailed, result: .failure, card: "C1", details: EventDetails(retriesLeft: 2)), m) }
        try add(NewEvent(kind: .pinFailed, result: .failure, card: "C2"), 3)
        try add(NewEvent(kind: .pinFailed, result: .failure, card: "C2"), 30) // too far apart for a burst
        try add(NewEvent(kind: .pinLocked, result: .denied, card: "C1"), 31)
        try add(NewEvent(kind: .cardRefused, result: .denied, card: "C3", place: "t1", details: EventDetails(reason: "clone")), 32)
        try add(NewEvent(kind: .cardRefused, result: .denied, card: "C4", place: "t1", details: EventDetails(reason: "removed-too-fast")), 33)
        try add(NewEvent(kind: .doorRefused, result: .denied, card: "C5", place: "room", details: EventDetails(reason: "revoked")), 34)
        try add(NewEvent(kind: .doorEntry, result: .success, actor: "a", place: "room", details: EventDetails(outsideGrantedHours: true)), 35)
        try add(NewEvent(kind: .doorEntry, result: .success, actor: "b", place: "room"), 36)
        try add(NewEvent(kind: .doorExit, result: .success, actor: "b", place: "room"), 37)
        try add(NewEvent(kind: .operation, result: .success, actor: "a", details: EventDetails(operation: "resident.view", record: "R1")), 38)
        let report = try AnomalyReport.read(from: store, from: at(0), to: at(60))
        let found = report.items.map { "\($0.finding.rawValue):\($0.sequence)" }
        #expect(found == ["pin-failure-burst:3", "lockout:6", "refused-card:7", "refused-card:9", "outside-granted-hours:10", "entry-without-exit:10"])
    }

    @Test func jsonLinesCarryEveryFieldWithJapaneseAsIs() throws {
        let f = try HistoryFixture()
        let store = try f.store()
        try store.append(NewEvent(kind: .operation, result: .success, actor: "山田", details: EventDetails(operation: "resident.view", record: "R-9")))
        let e = try #require(try store.events().first)
        let line = EventFormatter.jsonLine(e)
        #expect(line.hasSuffix("\n") && line.contains("\"actor\":\"山田\""))
        let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(o?["sequence"] as? Int == 1 && (o?["details"] as? [String: String])?["record"] == "R-9")
    }

    @Test func csvQuotesSeparatorsAndDefusesFormulas() throws {
        let e = HistoryEvent(sequence: 1, time: date(2026), kind: .operation, result: .success, actor: "=cmd()", card: nil, place: "a,b",
                             details: EventDetails(), previousHash: [], hash: [1])
        #expect(EventFormatter.csvLine(e) == "1,2026-01-01T00:00:00.000Z,operation,success,'=cmd(),,\"a,b\",,01\r\n")
    }
}
