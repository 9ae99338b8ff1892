import Foundation
import GatewayAPI
import History
import Registry
import Testing
import Vocabulary

extension GatewayEndToEndTests {
    /// Presents a card at a door reader and takes it away again.
    func present(_ card: String, port: Int) throws {
        let reader = GatewayRig.reader(port: port)
        try GatewayRig.waitForCard(reader, present: false)
        let presented = try VCardProcess(card: card, port: port)
        try GatewayRig.waitForCard(reader, present: true)
        Thread.sleep(forTimeInterval: 0.8)
        presented.terminate()
        try GatewayRig.waitForCard(reader, present: false)
    }

    /// Today's weekday in Tokyo, where grant hours are read.
    static func todayInTokyo() -> Weekday {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        let number = calendar.component(.weekday, from: Date())  // Sunday = 1
        return Weekday(rawValue: number == 1 ? 7 : number - 1)!
    }

    @Test func aDoorOpensForAGrantRefusesWithoutOneOrOutOfHoursAndKnowsWhoIsInside() async throws {
        let rig = try GatewayRig()
        let granted = try rig.enrol("op1")
        let stranger = try rig.enrol("op2")
        let lateShift = try rig.enrol("op3")
        try rig.grant("op1")
        try rig.grant("op3", weekdays: Set(Weekday.allCases).subtracting([Self.todayInTokyo()]))
        let client = try await rig.start()

        try present(granted, port: GatewayRig.roomInPort)
        try await rig.waitForCommand("door-open D1 in 5")
        let entry = try await rig.waitForEvent(.doorEntry)
        #expect(entry.actor == "op1")
        #expect(entry.place == "R1")
        #expect(entry.details.door == "D1")
        #expect(try await client.occupancy(room: "R1").occupants.map(\.operator.id) == ["op1"])

        let before = rig.actuatorLines.count
        try present(stranger, port: GatewayRig.roomInPort)
        try await rig.waitForEvent(.doorRefused, reason: "no-grant")
        try present(lateShift, port: GatewayRig.roomInPort)
        try await rig.waitForEvent(.doorRefused, reason: "outside-hours")
        #expect(!rig.actuatorLines[before...].contains { $0.contains("door-open") })

        try present(granted, port: GatewayRig.roomOutPort)
        try await rig.waitForCommand("door-open D1 out 5", after: before)
        try await rig.waitForEvent(.doorExit)
        #expect(try await client.occupancy(room: "R1").occupants.isEmpty)
        let unknown = await gatewayError { _ = try await client.occupancy(room: "R9") }
        #expect(unknown?.code == .unknownRoom)

        // The room's entry book (入退室管理簿) pairs the entry with the exit and lists both refusals apart.
        let book = EntryBook(room: "R1", events: try rig.history())
        #expect(book.visits.count == 1)
        #expect(book.visits.first?.person == "op1")
        #expect(book.visits.first?.entry != nil && book.visits.first?.exit != nil)
        #expect(book.refusals.map(\.actor) == ["op2", "op3"])
    }

    @Test func aCardAndPINRoomOpensOnlyAfterThePINAndTheOccupancySurvivesARestart() async throws {
        let rig = try GatewayRig(.init(cardAndPINRooms: ["R1"]))
        let card = try rig.enrol("op1")
        try rig.grant("op1")
        var client = try await rig.start()

        try present(card, port: GatewayRig.roomInPort)
        let noDoorYet = rig.actuatorLines.contains { $0.contains("door-open") }
        #expect(!noDoorYet)
        let wrong = await gatewayError { _ = try await client.submitDoorPIN(door: "D1", pin: Self.pin("999999")) }
        #expect(wrong?.code == .wrongPIN)
        try await rig.waitForEvent(.doorRefused, reason: "pin-wrong")
        let late = await gatewayError { _ = try await client.submitDoorPIN(door: "D1", pin: Self.pin(GatewayRig.pin)) }
        #expect(late?.code == .notAwaitingPIN)

        try present(card, port: GatewayRig.roomInPort)
        let decision = try await client.submitDoorPIN(door: "D1", pin: Self.pin(GatewayRig.pin))
        #expect(decision.door == "D1")
        #expect(decision.direction == .entry)
        #expect(decision.operator.id == "op1")
        try await rig.waitForCommand("door-open D1 in 5")

        // Rebuilt from the history at start.
        #expect(rig.stop() == 0)
        client = try await rig.start()
        #expect(try await client.occupancy(room: "R1").occupants.map(\.operator.id) == ["op1"])
    }

    @Test func aRoomMarkedCardAndPINOnlyInTheRegistryStillAsksThePINAtItsDoor() async throws {
        let rig = try GatewayRig(.init(roomRequiresPINInRegistry: true))
        let card = try rig.enrol("op1")
        try rig.grant("op1", withPIN: true)
        let client = try await rig.start()

        try present(card, port: GatewayRig.roomInPort)
        #expect(!rig.actuatorLines.contains { $0.contains("door-open") }, "the door must wait for the PIN")
        let decision = try await client.submitDoorPIN(door: "D1", pin: Self.pin(GatewayRig.pin))
        #expect(decision.operator.id == "op1")
        try await rig.waitForCommand("door-open D1 in 5")
    }

    @Test func antiPassbackRefusesASecondEntryAndAnExitOfSomeoneNotInside() async throws {
        let rig = try GatewayRig(.init(antiPassbackRooms: ["R1"]))
        let card = try rig.enrol("op1")
        try rig.grant("op1")
        _ = try await rig.start()

        try present(card, port: GatewayRig.roomOutPort)
        try await rig.waitForEvent(.doorRefused, reason: "anti-passback")
        try present(card, port: GatewayRig.roomInPort)
        try await rig.waitForEvent(.doorEntry)
        let before = rig.actuatorLines.count
        try present(card, port: GatewayRig.roomInPort)
        try await rig.waitForEvent(.doorRefused, reason: "anti-passback")
        #expect(try rig.history().filter { $0.kind == .doorRefused && $0.details.reason == "anti-passback" }.count == 2)
        #expect(!rig.actuatorLines[before...].contains { $0.contains("door-open") })
    }

    @Test func aReaderNotInTheConfigurationOrNotInTheLedgerIsRefusedAndACardInItIsRecorded() async throws {
        let rig = try GatewayRig()  // T02 is configured but not in the ledger; Rogue is in neither
        let card = try rig.enrol("op1", terminals: ["T01", "T02"])
        let client = try await rig.start()
        try await rig.waitForReaders(client, [GatewayRig.rogue, GatewayRig.t02, GatewayRig.t01])

        let status = try await client.status()
        #expect(status.readers.first { $0.name == GatewayRig.rogue }?.state == .refused)
        #expect(status.readers.first { $0.name == GatewayRig.t02 }?.state == .refused)
        #expect(status.readers.first { $0.name == GatewayRig.t01 }?.state == .empty)
        let events = try rig.history()
        #expect(events.contains { $0.kind == .ledgerRefused && $0.place == GatewayRig.rogue && $0.details.reason == "reader-not-configured" })
        #expect(events.contains { $0.kind == .ledgerRefused && $0.place == GatewayRig.t02 && $0.details.reason == "reader-not-in-ledger" })

        try present(card, port: GatewayRig.roguePort)
        try present(card, port: GatewayRig.t02Port)
        try await rig.waitForEvent(.ledgerRefused, reason: "card-in-unapproved-reader")
        #expect(try await client.terminal("T02").state == .locked)
        #expect(!rig.actuatorLines.contains { $0.contains("unlock") })
        #expect(try rig.history().filter { $0.details.reason == "card-in-unapproved-reader" }.count == 2)
    }

    @Test func aDoorPINNotEnteredInTimeIsRefusedByTheTimerAndTheDoorStaysShut() async throws {
        let rig = try GatewayRig(.init(cardAndPINRooms: ["R1"], doorPINTimeoutSeconds: 5))
        let card = try rig.enrol("op1")
        try rig.grant("op1")
        let client = try await rig.start()
        let presented = Date()
        try present(card, port: GatewayRig.roomInPort)
        let timeout = try await rig.waitForEvent(.doorRefused, reason: "pin-timeout", timeout: .seconds(10))
        #expect(timeout.time.timeIntervalSince(presented) >= 4.5)
        #expect(timeout.actor == "op1")
        let late = await gatewayError { _ = try await client.submitDoorPIN(door: "D1", pin: Self.pin(GatewayRig.pin)) }
        #expect(late?.code == .notAwaitingPIN)
        #expect(!rig.actuatorLines.contains { $0.contains("door-open") })
    }

    @Test func aTerminalNotInTheLedgerKeepsItsReaderRefusedEvenWhenTheReaderIsApproved() async throws {
        var options = GatewayRig.Options()
        options.ledgerTerminals = ["T02"]
        let rig = try GatewayRig(options)
        let card = try rig.enrol("op1", terminals: [])
        let client = try await rig.start()
        try await rig.waitForReaders(client, [GatewayRig.t01])
        #expect(try await client.status().readers.first { $0.name == GatewayRig.t01 }?.state == .refused)
        #expect(try rig.history().contains { $0.kind == .ledgerRefused && $0.place == GatewayRig.t01 && $0.details.reason == "terminal-not-in-ledger" })
        try present(card, port: GatewayRig.t01Port)
        try await rig.waitForEvent(.ledgerRefused, reason: "card-in-unapproved-reader")
        #expect(try await client.terminal("T01").state == .locked)
    }
}
