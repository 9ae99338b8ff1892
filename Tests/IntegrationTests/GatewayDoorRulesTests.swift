import Foundation
import GatewayAPI
import History
import Registry
import Testing
import Vocabulary

/// The door rules of a municipal server room, end to end: the real daemon, pcscd with the virtual readers, virtual
/// cards, the door controller's reports through the API, and the history.
extension GatewayEndToEndTests {
    /// `cardgate history verify` on the rig's history answers intact and witnessed (exit 0). Nobody asks for a
    /// checkpoint: a stopped daemon signed one at shutdown, a running one signs one about a second after its last
    /// event, so a tail not yet witnessed (exit 2) is accepted only for those first seconds.
    func expectHistoryIntact(_ rig: GatewayRig, within timeout: Duration = .seconds(5)) throws {
        let result = try rig.verifyHistory(within: timeout)
        #expect(result.status == 0 && result.output.contains("intact"), "history verify: \(result.output)")
    }

    /// The history events of `kind`, oldest first.
    func events(_ rig: GatewayRig, _ kind: EventKind) throws -> [HistoryEvent] {
        try rig.history().filter { $0.kind == kind }
    }

    @Test func aDoorForcedOrHeldOpenRaisesAlarmsThatClearWhenItClosesAndASupervisorAcknowledges() async throws {
        let rig = try GatewayRig(.init(policyExtra: "door-held-open-seconds = 5"))
        let card = try rig.enrol("op1")
        try rig.grant("op1")
        let client = try await rig.start()

        // Forced open: no card, no button.
        let forced = try await client.reportDoorContact(door: "D1", open: true)
        #expect(forced.alarms == ["forced-open"] && forced.contactOpen == true)
        try await rig.waitForCommand("alarm D1 forced-open")
        let raised = try await rig.waitForEvent(.doorAlarm, reason: "forced-open")
        #expect(raised.place == "R1" && raised.details.door == "D1" && raised.result == .failure)
        let listed = try await client.alarms().alarms
        #expect(listed.map(\.alarm) == ["forced-open"] && listed.first?.clearedAt == nil)
        let closed = try await client.reportDoorContact(door: "D1", open: false)
        #expect(closed.alarms.isEmpty)
        try await rig.waitForEvent(.doorAlarmCleared, reason: "forced-open")
        // Cleared but not yet acknowledged: still listed until a supervisor acknowledges it.
        let cleared = try #require(try await client.alarms().alarms.first)
        #expect(cleared.clearedAt != nil)
        let acknowledged = try await client.acknowledgeAlarm(cleared.id)
        #expect(acknowledged.acknowledgedBy == "uid:\(getuid())")
        let ack = try await rig.waitForEvent(.doorAlarmAcknowledged, reason: "forced-open")
        #expect(ack.actor == "uid:\(getuid())")
        #expect(try await client.alarms().alarms.isEmpty)
        let twice = await gatewayError { _ = try await client.acknowledgeAlarm(cleared.id) }
        #expect(twice?.code == .notFound)

        // A granted entry, then the door left open: held open after 5 s, cleared when it closes.
        let before = rig.actuatorLines.count
        try present(card, port: GatewayRig.roomInPort)
        try await rig.waitForCommand("door-open D1 in 5", after: before)
        let opened = try await client.reportDoorContact(door: "D1", open: true)
        #expect(opened.alarms.isEmpty)
        try await rig.waitForEvent(.doorAlarm, reason: "held-open", timeout: .seconds(10))
        try await rig.waitForCommand("alarm D1 held-open", after: before)
        #expect(try await client.door("D1").alarms == ["held-open"])
        _ = try await client.reportDoorContact(door: "D1", open: false)
        try await rig.waitForEvent(.doorAlarmCleared, reason: "held-open")

        // The exit button: the door opens and an unknown person's exit is recorded; opening then is not forced.
        let rexBefore = rig.actuatorLines.count
        _ = try await client.requestToExit(door: "D1")
        try await rig.waitForCommand("door-open D1 out 5", after: rexBefore)
        let exit = try #require(try events(rig, .doorExit).last)
        #expect(exit.actor == nil && exit.details.reason == "request-to-exit" && exit.details.door == "D1")
        _ = try await client.reportDoorContact(door: "D1", open: true)
        _ = try await client.reportDoorContact(door: "D1", open: false)
        #expect(try events(rig, .doorAlarm).count == 2)  // forced-open and held-open only

        let bad = try await client.raw(method: "POST", path: "/v1/doors/D1/contact", body: Array(#"{"state":"ajar"}"#.utf8))
        #expect(bad.status == 400 && String(decoding: bad.body, as: UTF8.self).contains("invalid-field"))
        let unknown = await gatewayError { _ = try await client.reportDoorContact(door: "D9", open: true) }
        #expect(unknown?.code == .unknownDoor)
        rig.stop()
        try expectHistoryIntact(rig)
    }

    @Test func aTwoPersonRoomOpensForTwoDifferentPeopleAndNobodyIsLeftAlone() async throws {
        let rig = try GatewayRig(.init(roomTwoPerson: true, policyExtra: "two-person-window-seconds = 5"))
        let first = try rig.enrol("op1")
        let second = try rig.enrol("op2")
        try rig.grant("op1")
        try rig.grant("op2")
        let client = try await rig.start()

        // Alone: the door stays shut and the lone card is refused when the window runs out.
        try present(first, port: GatewayRig.roomInPort)
        let waiting = try await client.door("D1")
        #expect(waiting.awaiting == .secondPerson)
        let lone = try await rig.waitForEvent(.doorRefused, reason: "two-person-timeout", timeout: .seconds(10))
        #expect(lone.actor == "op1")
        #expect(!rig.actuatorLines.contains { $0.contains("door-open") })

        // Two different people: both recorded, one opening.
        try present(first, port: GatewayRig.roomInPort)
        try present(second, port: GatewayRig.roomInPort)
        try await rig.waitForCommand("door-open D1 in 5")
        #expect(try events(rig, .doorEntry).map(\.actor) == ["op1", "op2"])
        #expect(rig.actuatorLines.filter { $0.contains("door-open") }.count == 1)
        #expect(try await client.occupancy(room: "R1").occupants.map(\.operator.id).sorted() == ["op1", "op2"])

        // The last-but-one cannot leave the other alone.
        try present(first, port: GatewayRig.roomOutPort)
        let rule = try await rig.waitForEvent(.doorRefused, reason: "two-person-rule", timeout: .seconds(10))
        #expect(rule.actor == "op1")
        #expect(try await client.occupancy(room: "R1").occupants.count == 2)

        // Unless a supervisor overrides (recorded), for the next exit only.
        let overridden = try await client.overrideTwoPerson(door: "D1")
        #expect(overridden.overridePending)
        let override = try await rig.waitForEvent(.doorOverride)
        #expect(override.actor == "uid:\(getuid())" && override.details.door == "D1")
        let before = rig.actuatorLines.count
        try present(first, port: GatewayRig.roomOutPort)
        try await rig.waitForCommand("door-open D1 out 5", after: before)
        try present(second, port: GatewayRig.roomOutPort)  // the last one leaves alone: nobody is left behind
        try await rig.waitForCommand("door-open D1 out 5", after: before + 1)
        #expect(try events(rig, .doorExit).map(\.actor) == ["op1", "op2"])
        #expect(try await client.occupancy(room: "R1").occupants.isEmpty)
        rig.stop()
        try expectHistoryIntact(rig)
    }

    @Test func anEscortBringsAVisitorInAndOutAndOnlyAnEscortMay() async throws {
        let rig = try GatewayRig()
        let escort = try rig.enrol("op1")
        let colleague = try rig.enrol("op2")
        try rig.grant("op1", escort: true)
        try rig.grant("op2")
        let client = try await rig.start()

        let refusedName = await gatewayError {
            _ = try await client.announceVisitor(door: "D1", name: "a\u{0007}b", organisation: "NEC")
        }
        #expect(refusedName?.code == .invalidField)
        let announced = try await client.announceVisitor(door: "D1", name: "佐藤 花子", organisation: "日本電気株式会社")
        #expect(announced.visitorAnnounced)
        try present(colleague, port: GatewayRig.roomInPort)
        let refused = try await rig.waitForEvent(.doorRefused, reason: "not-an-escort")
        #expect(refused.actor == "op2")

        _ = try await client.announceVisitor(door: "D1", name: "佐藤 花子", organisation: "日本電気株式会社")
        try present(escort, port: GatewayRig.roomInPort)
        try await rig.waitForCommand("door-open D1 in 5")
        #expect(rig.actuatorLines.filter { $0.contains("door-open") }.count == 1)
        let entries = try events(rig, .doorEntry)
        #expect(entries.map(\.actor) == ["op1", "op1"])
        #expect(entries.last?.details.visitor == "佐藤 花子" && entries.last?.details.organisation == "日本電気株式会社")
        let inside = try await client.occupancy(room: "R1")
        #expect(inside.occupants.map(\.operator.id) == ["op1"])
        #expect(inside.visitors.map(\.name) == ["佐藤 花子"] && inside.visitors.first?.escort.id == "op1")

        try present(escort, port: GatewayRig.roomOutPort)
        try await rig.waitForCommand("door-open D1 out 5")
        let exits = try events(rig, .doorExit)
        #expect(exits.map(\.actor) == ["op1", "op1"] && exits.last?.details.visitor == "佐藤 花子")
        let after = try await client.occupancy(room: "R1")
        #expect(after.occupants.isEmpty && after.visitors.isEmpty)
        rig.stop()
        try expectHistoryIntact(rig)
    }

    @Test func anEntryBeyondTheOccupancyLimitIsRefusedWithItsOwnReason() async throws {
        let rig = try GatewayRig(.init(roomOccupancyLimit: 1))
        let first = try rig.enrol("op1")
        let second = try rig.enrol("op2")
        try rig.grant("op1")
        try rig.grant("op2")
        _ = try await rig.start()
        try present(first, port: GatewayRig.roomInPort)
        try await rig.waitForCommand("door-open D1 in 5")
        try present(second, port: GatewayRig.roomInPort)
        let full = try await rig.waitForEvent(.doorRefused, reason: "occupancy-limit")
        #expect(full.actor == "op2")
        try present(first, port: GatewayRig.roomOutPort)
        try await rig.waitForEvent(.doorExit)
        try present(second, port: GatewayRig.roomInPort)
        #expect(try await rig.waitForEvent(.doorEntry).actor == "op2")
        rig.stop()
        try expectHistoryIntact(rig)
    }

    @Test func aGrantThatExcludesHolidaysIsRefusedOnANationalHolidayAndOnACityClosingDay() async throws {
        let today = CivilDate(Date(), in: TimeZone(identifier: "Asia/Tokyo")!)
        let rig = try GatewayRig(.init(policyExtra: "closing-days = []"))
        let weekdayOnly = try rig.enrol("op1")
        let always = try rig.enrol("op2")
        try rig.grant("op1", excludeHolidays: true)
        try rig.grant("op2")
        try rig.registry.holidays.importCalendar([HolidayEntry(date: today, name: "試験の祝日")], by: "netadmin")
        _ = try await rig.start()
        try present(weekdayOnly, port: GatewayRig.roomInPort)
        #expect(try await rig.waitForEvent(.doorRefused, reason: "holiday").actor == "op1")
        try present(always, port: GatewayRig.roomInPort)
        #expect(try await rig.waitForEvent(.doorEntry).actor == "op2")
        rig.stop()

        // The city's closing days come from the configuration: today as one of them refuses alike.
        let closing = String(format: "%02d-%02d", today.month, today.day)
        let rig2 = try GatewayRig(.init(policyExtra: "closing-days = [\"\(closing)\"]"))
        let card = try rig2.enrol("op1")
        try rig2.grant("op1", excludeHolidays: true)
        _ = try await rig2.start()
        try present(card, port: GatewayRig.roomInPort)
        #expect(try await rig2.waitForEvent(.doorRefused, reason: "holiday").actor == "op1")
        rig2.stop()
        try expectHistoryIntact(rig)
        try expectHistoryIntact(rig2)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: GatewayEndToEndTests.faketime), "needs faketime (apt install faketime)"))
    func aNightShiftGrantOpensAt2330AndAt0030ButNotTheNextEvening() async throws {
        // Monday 22:00 to 06:00 the next morning, read in Tokyo. The daemon runs under libfaketime on the next Monday
        // after today, 23:30, then Tuesday 00:30, then Tuesday 23:30.
        let monday = Self.nextMondayInTokyo()
        let rig = try GatewayRig()
        let card = try rig.enrol("op1")
        try rig.grant("op1", weekdays: [.monday], from: 22 * 60, to: 6 * 60)
        for (offset, expected) in [(23.5 * 3600, EventKind.doorEntry), (24.5 * 3600, .doorEntry), (47.5 * 3600, .doorRefused)] {
            let fake = monday.addingTimeInterval(offset)
            (rig.launcher, rig.environment) = Self.fakeTime(fake)
            _ = try await rig.start()
            let count = try rig.history().count
            try present(card, port: GatewayRig.roomInPort)
            let event = try await rig.waitForEvent(expected)
            #expect(try rig.history().count > count)
            #expect(event.actor == "op1")
            #expect(abs(event.time.timeIntervalSince(fake)) < 120, "the daemon ran at \(event.time), not \(fake)")
            if expected == .doorRefused { #expect(event.details.reason == "outside-hours") }
            rig.stop()
        }
        #expect(try events(rig, .doorEntry).count == 2)
        try expectHistoryIntact(rig)
    }

    @Test func aFireReleaseOpensAndHoldsEveryDoorLocksTheTerminalsAndEndsOnlyByRestore() async throws {
        let rigCommand = GatewayRig.repository.appendingPathComponent("config/rig-command.sh").path
        let rig = try GatewayRig(.init(commandsExtra: """
            door-hold = ["\(rigCommand)", "door-hold", "{door}"]
            door-secure = ["\(rigCommand)", "door-secure", "{door}"]
            """))
        let card = try rig.enrol("op1")
        try rig.grant("op1")
        let client = try await rig.start()
        let inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { inserted.terminate() }
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        _ = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin))
        try await rig.waitForTerminal(client, "T01", .unlocked)

        let released = try await client.releaseDoors(reason: "fire")
        #expect(released.released && released.doors == ["D1"] && released.unrecorded.isEmpty)
        try await rig.waitForCommand("door-hold D1")
        try await rig.waitForTerminal(client, "T01", .locked)
        let record = try await rig.waitForEvent(.doorReleased)
        #expect(record.actor == "uid:\(getuid())" && record.details.door == "D1" && record.place == "R1")
        #expect(try events(rig, .adminEmergency).last?.details.reason == "fire")
        #expect(try await client.door("D1").released)

        // While released, cards decide nothing, and the door standing open raises no alarm.
        let entriesBefore = try events(rig, .doorEntry).count
        try present(card, port: GatewayRig.roomInPort)
        _ = try await client.reportDoorContact(door: "D1", open: true)
        try await Task.sleep(for: .seconds(1))
        #expect(try events(rig, .doorEntry).count == entriesBefore)
        #expect(try events(rig, .doorAlarm).isEmpty)
        #expect(try await client.door("D1").released)

        // Only an explicit restore ends it.
        let restored = try await client.restoreDoors()
        #expect(!restored.released)
        try await rig.waitForCommand("door-secure D1")
        #expect(try await rig.waitForEvent(.doorRestored).actor == "uid:\(getuid())")
        _ = try await client.reportDoorContact(door: "D1", open: false)
        #expect(try await client.door("D1").released == false)
        try present(card, port: GatewayRig.roomInPort)
        try await rig.waitForEvent(.doorEntry)
        rig.stop()
        try expectHistoryIntact(rig)
    }

    // MARK: - Fake time

    static let faketime = "/usr/bin/faketime"

    /// The launcher and environment that start a process's clock at `instant` (libfaketime through its own launcher,
    /// which prepares the shared clock before the program starts; monotonic clocks are left alone).
    static func fakeTime(_ instant: Date) -> ([String], [String: String]) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return ([faketime, "-f", "@" + formatter.string(from: instant)], ["TZ": "UTC", "FAKETIME_DONT_FAKE_MONOTONIC": "1"])
    }

    /// Midnight in Tokyo at the start of the next Monday after today.
    static func nextMondayInTokyo() -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        let start = calendar.startOfDay(for: Date())
        return calendar.nextDate(after: start, matching: DateComponents(weekday: 2), matchingPolicy: .nextTime)!
    }
}
