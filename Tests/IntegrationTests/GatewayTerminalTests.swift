import Foundation
import GatewayAPI
import History
import Testing
import TestSupport
import Vocabulary

/// Issue 5 end to end: the real `cardgate serve` process, the shared pcscd, virtual cards in vpcd readers, the API
/// over the Unix socket and the actuator log of config/rig-command.sh. One suite, serialized: the readers are shared.
@Suite(.serialized) struct GatewayEndToEndTests {
    static func pin(_ text: String) -> PIN { PIN(text) }

    @Test func cardAndPINUnlockTheTerminalAndPullingTheCardLocksItAtOnceWithTheLockCommand() async throws {
        let rig = try GatewayRig()
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        try await rig.waitForCommand("lock T01")  // every terminal is locked at start

        let inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        let wrong = await gatewayError { _ = try await client.submitTerminalPIN("T01", pin: Self.pin("999999")) }
        #expect(wrong?.code == .wrongPIN)
        #expect(wrong?.attemptsLeft == 4)

        let unlocked = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin))
        #expect(unlocked.state == .unlocked)
        #expect(unlocked.operator?.id == "op1")
        try await rig.waitForCommand("unlock T01 op1")

        let receipt = try await client.recordOperation(terminal: "T01", action: "resident.view", target: "resident:000123456789")
        #expect(receipt.operator.id == "op1")
        #expect(receipt.terminal == "T01")

        let before = rig.actuatorLines.count
        let pulled = Date()
        inserted.terminate()
        let lockedAt = try await rig.waitForCommand("lock T01", after: before)
        let view = try await rig.waitForTerminal(client, "T01", .locked, timeout: .seconds(2))
        #expect(view.lockReason == .cardRemoved)
        print("gateway e2e: card pulled → lock command line in the actuator log: \(Int((lockedAt.timeIntervalSince(pulled)) * 1000)) ms")

        let refused = await gatewayError { _ = try await client.recordOperation(terminal: "T01", action: "resident.view", target: "resident:1") }
        #expect(refused?.code == .terminalLocked)

        let events = try rig.history()
        let operation = try #require(events.first { $0.kind == .operation })
        #expect(operation.actor == "op1")
        #expect(operation.place == "T01")
        #expect(operation.details.record == "resident:000123456789")
        #expect(events.contains { $0.kind == .pinFailed && $0.details.retriesLeft == 4 })
        #expect(events.contains { $0.kind == .sessionStarted && $0.actor == "op1" })
        #expect(events.contains { $0.kind == .sessionLocked && $0.details.reason == "card-removed" })
        #expect(events.contains { $0.kind == .systemStart && $0.details.digest?.count == 32 })

        let beforeStop = rig.actuatorLines.count
        #expect(rig.stop() == 0)
        #expect(try rig.history().last?.kind == .systemStop)
        try await rig.waitForCommand("lock T01", after: beforeStop, timeout: .seconds(1))  // SIGTERM locks everything
        if let line = rig.serveLog.split(separator: "\n").last(where: { $0.contains("terminal locked") && $0.contains("since-reader-event-us") }) {
            print("gateway e2e: daemon log: \(line)")
        }
    }
}

extension GatewayEndToEndTests {
    @Test func aSessionLocksAfterItsMaximumLengthDespiteActivityAndAfterTheIdleTimeoutThenAsksThePINAgain() async throws {
        let rig = try GatewayRig(.init(idleSeconds: 2, maximumSessionSeconds: 3))
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        let inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { inserted.terminate() }
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        let first = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin))
        let started = try #require(first.unlockedAt)

        // Activity every 0.7 s keeps the idle lock away, but not the maximum session (3 s).
        var locked: TerminalView?
        for _ in 0..<10 {
            try await Task.sleep(for: .milliseconds(700))
            let view = try await client.terminal("T01")
            if view.state != .unlocked { locked = view; break }
            _ = try? await client.recordOperation(terminal: "T01", action: "resident.view", target: "resident:1")
        }
        let afterMaximum = try #require(locked)
        #expect(afterMaximum.state == .awaitingPIN)
        #expect(afterMaximum.lockReason == .maximumSession)
        #expect(Date().timeIntervalSince(started) >= 3)
        try await rig.waitForEvent(.sessionLocked, reason: "maximum-session")

        // The PIN again, then no activity: the idle timeout (2 s) locks.
        let before = rig.actuatorLines.count
        let second = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin))
        #expect(second.state == .unlocked)
        let idle = try await rig.waitForTerminal(client, "T01", .awaitingPIN, timeout: .seconds(4))
        #expect(idle.lockReason == .idleTimeout)
        try await rig.waitForCommand("lock T01", after: before)
        try await rig.waitForEvent(.sessionLocked, reason: "idle-timeout")
        let denied = await gatewayError { _ = try await client.recordOperation(terminal: "T01", action: "resident.view", target: "resident:1") }
        #expect(denied?.code == .terminalLocked)
    }

    @Test func emergencyLockAllEndsEverySessionRunsEveryLockCommandAndIsRecorded() async throws {
        let rig = try GatewayRig()
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        let inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { inserted.terminate() }
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        _ = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin))
        let before = rig.actuatorLines.count

        let result = try await client.emergencyLockAll(reason: "earthquake")
        #expect(result.lockedTerminals == ["T01", "T02"])
        #expect(result.endedSessions == 1)
        #expect(try await client.terminal("T01").state == .locked)
        try await rig.waitForCommand("lock T01", after: before)
        try await rig.waitForCommand("lock T02", after: before)
        try await rig.waitForEvent(.adminEmergency, reason: "earthquake")
        try await rig.waitForEvent(.sessionLocked, reason: "emergency")
        // The card must be pulled and inserted again: no PIN is taken meanwhile.
        let again = await gatewayError { _ = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin)) }
        #expect(again?.code == .notAwaitingPIN)
    }

    @Test func whenTheHistoryCannotBeWrittenTheUnlockIsRefusedAndTheTerminalStaysLocked() async throws {
        let rig = try GatewayRig()
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        let inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { inserted.terminate() }
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        let before = rig.actuatorLines.count

        // Another connection holds the database's write lock: every append of the daemon fails (busy), as it would
        // on a full or failing disk. (Permissions cannot make the file read-only here: the tests run as root.)
        let blocker = try HistoryWriteBlocker(path: rig.databasePath)
        let refused = await gatewayError { _ = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin)) }
        #expect(refused?.code == .historyUnavailable)
        #expect(try await client.terminal("T01").state == .locked)
        #expect(try await client.status().historyOK == false)
        blocker.release()

        #expect(!rig.actuatorLines[before...].contains { $0.hasSuffix("unlock T01 op1") })
        try await rig.waitForCommand("lock T01", after: before)
        #expect(try rig.history().contains { $0.kind == .sessionStarted } == false)
    }

    @Test func killingPcscdWhileATerminalIsUnlockedLocksItAndCardsWorkAgainWhenPcscdIsBack() async throws {
        let rig = try GatewayRig()
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        var inserted: VCardProcess? = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { inserted?.terminate() }
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        _ = try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin))
        let before = rig.actuatorLines.count

        let runDir = PCSCDControl.runningRunDir()
        defer { _ = try? PCSCDControl.run("start", runDir: runDir) }
        #expect(try PCSCDControl.run("kill", runDir: runDir) == 0)
        try await rig.waitForCommand("lock T01", after: before)
        let view = try await rig.waitForTerminal(client, "T01", .locked)
        #expect(view.lockReason == .pcscServiceLost || view.lockReason == .readerLost || view.lockReason == .cardRemoved)
        let denied = await gatewayError { _ = try await client.recordOperation(terminal: "T01", action: "resident.view", target: "resident:1") }
        #expect(denied?.code == .terminalLocked)

        #expect(try PCSCDControl.run("start", runDir: runDir) == 0)
        inserted?.terminate()
        inserted = nil
        // pcscd going away reports the card removed (the session ends), then the reader gone with the service.
        let ended = try await rig.waitForEvent(.sessionLocked)
        #expect(ended.actor == "op1")
        try await rig.waitForEvent(.terminalLocked, reason: "pcsc-service-lost")

        // Back with pcscd: the reader is ready again and a card unlocks as before.
        try await rig.waitForEvent(.systemNotice, reason: "reader-ready")
        inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        #expect(try await client.submitTerminalPIN("T01", pin: Self.pin(GatewayRig.pin)).state == .unlocked)
        #expect(try await client.status().pcscdRunning)
        #expect(rig.stop() == 0)
    }
}
