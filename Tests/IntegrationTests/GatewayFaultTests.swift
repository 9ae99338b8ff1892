import Foundation
import GatewayAPI
import History
import Registry
import Testing
import TestSupport
import VirtualCard
import Vocabulary

/// Issue 9 end to end: every terminal on its own, commands off the state path, a pcscd that stops answering, the one
/// card decision, precise refusal reasons — through the real daemon, pcscd and virtual cards.
extension GatewayEndToEndTests {
    /// The rig's actuator log command, for wrapper commands.
    static var rigCommand: String { GatewayRig.repository.appendingPathComponent("config/rig-command.sh").path }

    @Test func aFiveSecondUnlockAtOneTerminalDoesNotHoldTheLockOfACardPulledAtAnother() async throws {
        // T01's unlock command takes 5 s; T02's is immediate.
        var options = GatewayRig.Options()
        options.ledgerReaders.append(GatewayRig.t02)
        options.unlockCommand = #"["/bin/bash", "-c", "if [ \"$1\" = T01 ]; then sleep 5; fi; exec \#(Self.rigCommand) unlock \"$1\" \"$2\"", "unlock", "{terminal}", "{operator}"]"#
        let rig = try GatewayRig(options)
        let first = try rig.enrol("op1", terminals: ["T01"])
        let second = try rig.enrol("op2", terminals: ["T02"])
        let client = try await rig.start()

        let atT02 = try GatewayRig.insert(second, port: GatewayRig.t02Port)
        try await rig.waitForTerminal(client, "T02", .awaitingPIN)
        #expect(try await client.submitTerminalPIN("T02", pin: PIN(GatewayRig.pin)).state == .unlocked)
        let atT01 = try GatewayRig.insert(first, port: GatewayRig.t01Port)
        defer { atT01.terminate() }
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        let slowUnlock = Task { try await client.submitTerminalPIN("T01", pin: PIN(GatewayRig.pin)) }
        try await rig.waitForTerminal(client, "T01", .unlocking)

        // While T01's unlock command runs: T02 answers at once, and pulling its card locks it at once.
        let asked = ContinuousClock.now
        #expect(try await client.terminal("T02").state == .unlocked)
        let answered = ContinuousClock.now - asked
        #expect(answered < .milliseconds(500), "GET /v1/terminals/T02 took \(answered) during T01's unlock")
        let before = rig.actuatorLines.count
        _ = atT02.terminate()
        try GatewayRig.waitForCard(GatewayRig.t02, present: false)
        let reported = Date()
        let lockedAt = try await rig.waitForCommand("lock T02", after: before, timeout: .seconds(3))
        #expect(lockedAt.timeIntervalSince(reported) < 1.0, "T02 locked \(lockedAt.timeIntervalSince(reported)) s after pcscd reported the card out")
        #expect(try await client.terminal("T01").state == .unlocking, "T01 is not unlocked before its unlock command succeeded")

        let unlocked = try await slowUnlock.value
        #expect(unlocked.state == .unlocked, "T01 unlocked once its 5-second unlock command exited 0")
        print("gateway e2e: T02 lock command \(Int(lockedAt.timeIntervalSince(reported) * 1000)) ms after pcscd reported its card out, during T01's 5 s unlock")
    }

    @Test func aLockCommandThatKeepsFailingIsRetriedShownAsLockFailedRecordedAndRaisesTheAlarm() async throws {
        var options = GatewayRig.Options()
        // T01's screen cannot be locked: every attempt is logged, then fails.
        options.lockCommand = #"["/bin/bash", "-c", "\#(Self.rigCommand) lock-attempt \"$1\"; [ \"$1\" != T01 ]", "lock", "{terminal}"]"#
        options.commandsExtra = "lock-retries = 2\nlock-retry-delay-ms = 100"
        let rig = try GatewayRig(options)
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        // Already at start the lock fails: the alarm is raised, the terminal shows lock-failed.
        try await rig.waitForTerminal(client, "T01", .lockFailed)
        try await rig.waitForCommand("alarm T01 lock-command-failed")

        let inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        try await rig.waitForTerminal(client, "T01", .awaitingPIN, timeout: .seconds(8))
        let unlocked = try await client.submitTerminalPIN("T01", pin: PIN(GatewayRig.pin))
        #expect(unlocked.state == .unlocked, "an unlock that succeeds clears lock-failed")
        let before = rig.actuatorLines.count
        _ = inserted.terminate()
        let view = try await rig.waitForTerminal(client, "T01", .lockFailed, timeout: .seconds(5))
        #expect(view.lockReason == .cardRemoved)
        try await rig.waitForCommand("alarm T01 lock-command-failed", after: before)
        let attempts = rig.actuatorLines[before...].filter { $0.hasSuffix("lock-attempt T01") }.count
        #expect(attempts == 3, "the lock command and its two retries ran: \(rig.actuatorLines[before...])")
        let events = try rig.history()
        let locked = try #require(events.lastIndex { $0.kind == .sessionLocked && $0.place == "T01" })
        let failed = try #require(events.lastIndex { $0.kind == .terminalLockFailed && $0.place == "T01" })
        #expect(locked < failed, "session.locked (the act) first, then session.lock-failed (the fault)")
        #expect(events[failed].result == .failure)
        let denied = await gatewayError { _ = try await client.recordOperation(terminal: "T01", action: "resident.view", target: "r1") }
        #expect(denied?.code == .terminalLocked, "a terminal whose lock failed records no operation")
    }

    @Test func aStoppedPcscdLocksWithinTheWatchdogTimeAndACardWorksAgainAfterItResumes() async throws {
        var options = GatewayRig.Options()
        options.watchdogMilliseconds = 2000
        let rig = try GatewayRig(options)
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        var inserted: VCardProcess? = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { inserted?.terminate() }
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        #expect(try await client.submitTerminalPIN("T01", pin: PIN(GatewayRig.pin)).state == .unlocked)

        let pid = try #require(Self.pcscdPID(), "pcscd is not running")
        let before = rig.actuatorLines.count
        kill(pid, SIGSTOP)
        let stopped = Date()
        var resumed = false
        defer { if !resumed { kill(pid, SIGCONT) } }
        let lockedAt = try await rig.waitForCommand("lock T01", after: before, timeout: .seconds(6))
        let latency = lockedAt.timeIntervalSince(stopped)
        #expect(latency < 2.0 + 0.7 + 0.5, "locked \(latency) s after pcscd stopped (watchdog 2 s, probes every 0.67 s)")
        let view = try await rig.waitForTerminal(client, "T01", .locked, timeout: .seconds(2))
        #expect(view.lockReason == .pcscServiceLost)
        let fault = try await rig.waitForEvent(.systemFault, reason: "pcscd-unresponsive")
        #expect(fault.result == .failure)
        let denied = await gatewayError { _ = try await client.recordOperation(terminal: "T01", action: "resident.view", target: "r1") }
        #expect(denied?.code == .terminalLocked, "no operation extends a session while pcscd is silent")
        #expect(try rig.history().filter { $0.kind == .systemFault }.count == 1, "recorded once")

        kill(pid, SIGCONT)
        resumed = true
        try await rig.waitForEvent(.systemRecovered, reason: "pcscd-answering", timeout: .seconds(10))
        // The card still in the reader is checked again: its PIN is asked and it unlocks.
        try await rig.waitForTerminal(client, "T01", .awaitingPIN, timeout: .seconds(10))
        #expect(try await client.submitTerminalPIN("T01", pin: PIN(GatewayRig.pin)).state == .unlocked)
        inserted?.terminate()
        inserted = nil
        try await rig.waitForTerminal(client, "T01", .locked)
        print("gateway e2e: pcscd SIGSTOP → lock command after \(Int(latency * 1000)) ms")
    }

    @Test func aPINSetByTheAdministratorIsRefusedAtTerminalsAndDoorsUntilTheHolderChangesIt() async throws {
        let rig = try GatewayRig()
        let card = try rig.enrol("op1")
        try rig.grant("op1")
        let guid = try CardImage.load(path: card).identity.guid
        try rig.registry.cards.resetPIN(guid, newPIN: PIN("246813"), by: "pinadmin")
        let client = try await rig.start()

        let atTerminal = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        let refused = try await rig.waitForEvent(.cardRefused, reason: "pin-change-required")
        #expect(refused.actor == "op1")
        #expect(try await client.terminal("T01").refusal == "pin-change-required")
        let denied = await gatewayError { _ = try await client.submitTerminalPIN("T01", pin: PIN("246813")) }
        #expect(denied?.code == .notAwaitingPIN, "the PIN set by the administrator is not even asked")
        _ = atTerminal.terminate()

        let atDoor = try GatewayRig.insert(card, port: GatewayRig.roomInPort)
        let door = try await rig.waitForEvent(.doorRefused, reason: "pin-change-required")
        #expect(door.actor == "op1")
        _ = atDoor.terminate()
        #expect(!rig.actuatorLines.contains { $0.contains("unlock T01") || $0.contains("door-open") })

        // Once the holder changed it, the card works again.
        try rig.registry.pins.change(card: guid, current: PIN("246813"), new: PIN("913524"))
        let again = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { again.terminate() }
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        #expect(try await client.submitTerminalPIN("T01", pin: PIN("913524")).state == .unlocked)
    }

    @Test func aRegistryThatCannotBeWrittenDuringAPINCheckIsUnavailableNotBlocked() async throws {
        let rig = try GatewayRig()
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        let inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { inserted.terminate() }
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)

        let blocker = try HistoryWriteBlocker(path: rig.folder + "/" + Registry.defaultFileName)
        let error = await gatewayError { _ = try await client.submitTerminalPIN("T01", pin: PIN("999999")) }
        blocker.release()
        #expect(error?.code == .unavailable, "503 unavailable, not card-blocked: \(String(describing: error))")
        let recorded = try await rig.waitForEvent(.authUnavailable)
        #expect(recorded.result == .failure)
        #expect(!(try rig.history()).contains { $0.kind == .pinFailed }, "nothing was counted against the card")
        let guid = try CardImage.load(path: card).identity.guid
        #expect(try rig.registry.pins.status(card: guid).failures == 0)
        #expect(try await client.terminal("T01").state == .awaitingPIN, "the PIN can be entered again")
        #expect(try await client.submitTerminalPIN("T01", pin: PIN(GatewayRig.pin)).state == .unlocked)
    }

    @Test func anUnregisteredCardIsRecordedAsUnknownNotAsAClone() async throws {
        let rig = try GatewayRig()
        let client = try await rig.start()
        let stranger = rig.folder + "/stranger.card.json"
        try CardImage.create().save(path: stranger)
        let inserted = try GatewayRig.insert(stranger, port: GatewayRig.t01Port)
        defer { inserted.terminate() }
        let refused = try await rig.waitForEvent(.cardRefused)
        #expect(refused.details.reason == "unknown-card")
        #expect(refused.result == .denied)
        #expect(try await client.terminal("T01").refusal == "unknown-card")
    }

    /// The pid of the running pcscd.
    static func pcscdPID() -> pid_t? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = pid_t(entry),
                  let comm = try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8),
                  comm.trimmingCharacters(in: .whitespacesAndNewlines) == "pcscd" else { continue }
            return pid
        }
        return nil
    }
}
