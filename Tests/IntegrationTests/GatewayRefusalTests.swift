import Foundation
import GatewayAPI
import History
import Registry
import Testing
import Vocabulary

extension GatewayEndToEndTests {
    @Test func aCardWhoseHolderIsNotAssignedToTheTerminalIsRefusedAndRecorded() async throws {
        let rig = try GatewayRig()
        let card = try rig.enrol("op2", terminals: ["T02"])
        let client = try await rig.start()
        let inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { inserted.terminate() }
        let refusal = try await rig.waitForEvent(.cardRefused)
        #expect(refusal.details.reason == "not-allowed-on-terminal")
        #expect(refusal.actor == "op2")
        #expect(try await client.terminal("T01").state == .locked)
        let pin = await gatewayError { _ = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin)) }
        #expect(pin?.code == .notAwaitingPIN)
    }

    @Test func aCardWhoseInitialPINWasNotChangedIsRefusedEvenWithThatPIN() async throws {
        let rig = try GatewayRig()
        let card = try rig.enrol("op1", activate: false)
        let client = try await rig.start()
        let inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { inserted.terminate() }
        let refusal = try await rig.waitForEvent(.cardRefused)
        #expect(refusal.details.reason == "pin-change-required")
        #expect(refusal.actor == "op1")
        #expect(try await client.terminal("T01").state == .locked)
        let pin = await gatewayError { _ = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.initialPIN)) }
        #expect(pin?.code == .notAwaitingPIN)
        #expect(!rig.actuatorLines.contains { $0.contains("unlock") })
    }

    @Test func theFifthWrongPINBlocksTheCardAndAnotherInsertionIsRefused() async throws {
        let rig = try GatewayRig()
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        var inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        for left in [4, 3, 2, 1] {
            let wrong = await gatewayError { _ = try await client.submitTerminalPIN("T01", pin: Self.pin("999999")) }
            #expect(wrong?.code == .wrongPIN)
            #expect(wrong?.attemptsLeft == left)
            #expect(try await client.terminal("T01").attemptsLeft == left)
        }
        let blocked = await gatewayError { _ = try await client.submitTerminalPIN("T01", pin: Self.pin("999999")) }
        #expect(blocked?.code == .cardBlocked)
        #expect(try await client.terminal("T01").state == .locked)
        try await rig.waitForEvent(.pinLocked)
        let right = await gatewayError { _ = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin)) }
        #expect(right?.code == .notAwaitingPIN)

        inserted.terminate()
        inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { inserted.terminate() }
        let refusal = try await rig.waitForEvent(.cardRefused)
        #expect(refusal.details.reason == "blocked")
        #expect(!rig.actuatorLines.contains { $0.contains("unlock") })
    }

    @Test func theEventStreamReportsTheTerminalStatesAsTheyChange() async throws {
        let rig = try GatewayRig()
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        let stream = try await client.events(terminal: "T01")
        let states = Task { () -> [TerminalState] in
            var seen: [TerminalState] = []
            for try await event in stream {
                guard case .terminal(let view) = event, view.id == "T01" else { continue }
                if seen.last != view.state { seen.append(view.state) }
                if seen.count >= 5 { break }
            }
            return seen
        }
        let inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        _ = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin))
        inserted.terminate()
        try await rig.waitForTerminal(client, "T01", .locked)
        let watchdog = Task { try await Task.sleep(for: .seconds(5)); states.cancel() }
        let seen = try await states.value
        watchdog.cancel()
        #expect(seen == [.locked, .awaitingPIN, .unlocking, .unlocked, .locked], "unlocking until the unlock command succeeded")
    }

    @Test func aLockRequestedThroughTheAPIRunsTheLockCommandAndAsksThePINAgainWhileTheCardStays() async throws {
        let rig = try GatewayRig()
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        let inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { inserted.terminate() }
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        _ = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin))
        let before = rig.actuatorLines.count
        let locked = try await client.lockTerminal("T01")
        #expect(locked.state == .awaitingPIN)
        #expect(locked.lockReason == .manual)
        try await rig.waitForCommand("lock T01", after: before)
        try await rig.waitForEvent(.sessionEnded, reason: "manual")
        let again = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin))
        #expect(again.state == .unlocked)
        let unknown = await gatewayError { _ = try await client.lockTerminal("T09") }
        #expect(unknown?.code == .unknownTerminal)
    }
}
