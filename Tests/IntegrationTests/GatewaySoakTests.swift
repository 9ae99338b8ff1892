import Foundation
import GatewayAPI
import History
import Testing
import TestSupport
import Vocabulary

/// The short version of the soak (issue 12, part 4; the hour-long one is `gateway-bench --soak-minutes 60`,
/// Benchmarks/README.md): half a minute of steady work at T01 through pcscd and the daemon — operations, locks and
/// sign-ins again with the card kept in, the card pulled and put back, API reads, and an auditor's CLI query — then
/// the daemon's open descriptors are back where they were, every acknowledged operation is in the history by its
/// sequence number, and the history verifies.
@Suite(.serialized) struct GatewaySoakTests {
    static func descriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    @Test func halfAMinuteOfMixedWorkLeavesNoDescriptorBehindAndLosesNoAcknowledgedAct() async throws {
        let rig = try GatewayRig()
        let (client, card, first) = try await rig.startWithT01Unlocked()
        var inserted: VCardProcess? = first
        defer { inserted?.terminate() }
        let pid = try #require(rig.daemon?.processIdentifier)
        _ = try await client.recordOperation(terminal: "T01", action: "resident.view", target: "warm-up")
        let descriptorsBefore = Self.descriptors(pid)

        var acknowledged: [Int64: String] = [:]
        var round = 0, signIns = 0, reinsertions = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            round += 1
            let target = "soak:\(round)"
            let receipt = try await client.recordOperation(terminal: "T01", action: "resident.view", target: target)
            acknowledged[try #require(receipt.historySequence)] = target
            _ = try await client.status()
            _ = try await client.terminal("T01")
            if round % 25 == 0 {
                // Locked through the API with the card still in: the PIN again (one scrypt hash).
                _ = try await client.lockTerminal("T01")
                #expect(try await client.submitTerminalPIN("T01", pin: PIN(GatewayRig.pin)).state == .unlocked)
                signIns += 1
            }
            if round % 100 == 0 {
                // The card pulled and put back: a lock command, a new card check, the PIN.
                inserted?.terminate()
                try await rig.waitForTerminal(client, "T01", .locked)
                inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
                try await rig.waitForTerminal(client, "T01", .awaitingPIN)
                #expect(try await client.submitTerminalPIN("T01", pin: PIN(GatewayRig.pin)).state == .unlocked)
                reinsertions += 1
                let audit = try BuiltTools.run(try BuiltTools.cardgate(), ["history", "query", "--config", rig.configPath, "--kind", "operation",
                                                                           "--limit", "5", "--format", "json"])
                #expect(audit.status == 0, "\(audit.output)")
            }
        }
        // Connections the daemon closed are gone from its descriptor table (a few may still be closing).
        try await Task.sleep(for: .milliseconds(500))
        let descriptorsAfter = Self.descriptors(pid)
        #expect(descriptorsAfter <= descriptorsBefore + 2, "descriptors \(descriptorsBefore) → \(descriptorsAfter)")

        inserted?.terminate()
        inserted = nil
        #expect(rig.stop() == 0)
        let events = try rig.historyBySequence()
        let lost = acknowledged.filter { events[$0.key]?.kind != .operation || events[$0.key]?.details.record != $0.value }
        #expect(lost.isEmpty, "\(lost.count) acknowledged operations are not in the history")
        let verify = try rig.verifyHistory()
        #expect(verify.status == 0, "\(verify.output)")
        print("soak (short): \(round) operations, \(signIns) sign-ins, \(reinsertions) card re-insertions in 30 s; descriptors \(descriptorsBefore) → \(descriptorsAfter)")
    }
}
