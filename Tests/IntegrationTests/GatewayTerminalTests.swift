import Foundation
import GatewayAPI
import History
import Testing

/// Issue 5 end to end: the real `cardgate serve` process, the shared pcscd, virtual cards in vpcd readers, the API
/// over the Unix socket and the actuator log of config/rig-command.sh. One suite, serialized: the readers are shared.
@Suite(.serialized) struct GatewayEndToEndTests {
    static func pin(_ text: String) -> GatewayAPI.PIN { GatewayAPI.PIN(text)! }

    @Test func cardAndPINUnlockTheTerminalAndPullingTheCardLocksItAtOnceWithTheLockCommand() async throws {
        let rig = try GatewayRig()
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        try await rig.waitForCommand("lock T01")  // every terminal is locked at start

        let inserted = try VCardProcess(card: card, port: GatewayRig.t01Port)
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

        #expect(rig.stop() == 0)
        #expect(try rig.history().last?.kind == .systemStop)
    }
}
