import Foundation
import GatewayAPI
import History
import Testing
import TestSupport
import Vocabulary

/// Issue 12, disk faults, end to end: the disk under the daemon's history and registry turns read-only while the
/// daemon runs (ext4 on a loop device, mounted `errors=remount-ro`, told that it failed). Every act that needs a record
/// is refused with 503 `history-unavailable`, the daemon stays up and locks what must lock, and once the disk is
/// mounted again nothing acknowledged before is lost and the history verifies. Needs root and loop devices (CI runs
/// as root); skipped elsewhere.
@Suite(.serialized, .enabled(if: LoopFileSystem.available, "an ext4 loop device needs root and /dev/loop*"))
struct GatewayReadOnlyDiskTests {
    @Test func aDiskTurnedReadOnlyUnderTheDaemonRefusesEveryActThatNeedsARecordAndLosesNothing() async throws {
        let disk = try LoopFileSystem(megabytes: 64)
        let rig = try GatewayRig(GatewayRig.Options(historyFolder: disk.path))
        let (client, card, first) = try await rig.startWithT01Unlocked()
        var inserted: VCardProcess? = first
        defer { inserted?.terminate() }
        let acknowledged = try await rig.recordOperations(client, prefix: "before", count: 3)

        // Their checkpoint is signed about a second later; then the disk fails.
        try await Task.sleep(for: .seconds(2))
        try disk.makeReadOnly()
        #expect(disk.isReadOnly)
        // The very next act that needs a record is refused, on the wire as 503 with its reason.
        let refusal = await gatewayError { _ = try await client.recordOperation(terminal: "T01", action: "resident.view", target: "read-only") }
        #expect(refusal?.code == .historyUnavailable, "\(String(describing: refusal))")
        let again = try await client.raw(method: "POST", path: "/v1/terminals/T01/operations",
                                         body: Array(#"{"action":"resident.view","target":"refused"}"#.utf8))
        #expect(again.status == 503 && String(decoding: again.body, as: UTF8.self).contains("history-unavailable"))
        #expect(try await client.status().historyOK == false)

        // The daemon stays up and still locks: the card pulled, the lock command runs although nothing can be recorded.
        let before = rig.actuatorLines.count
        inserted?.terminate()
        inserted = nil
        try await rig.waitForCommand("lock T01", after: before)
        try await rig.waitForTerminal(client, "T01", .locked)
        // A new sign-in cannot be recorded: the terminal stays locked.
        inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        try await Task.sleep(for: .milliseconds(500))
        let signIn = await gatewayError { _ = try await client.submitTerminalPIN("T01", pin: PIN(GatewayRig.pin)) }
        #expect(signIn != nil)
        #expect(try await client.terminal("T01").state != .unlocked)
        #expect(rig.daemon?.isRunning == true)
        #expect(rig.serveLog.contains("history append failed"))

        // The daemon stopped (it cannot record its stop) and the disk, as it stands, mounted again: nothing acknowledged is lost.
        inserted?.terminate()
        inserted = nil
        _ = rig.stop()
        try disk.remountCopy()
        #expect(!disk.isReadOnly)
        let events = try rig.historyBySequence()
        for (sequence, target) in acknowledged {
            #expect(events[sequence]?.kind == .operation && events[sequence]?.details.record == target, "event \(sequence) (\(target)) is missing")
        }
        #expect(!events.values.contains { $0.details.record == "read-only" || $0.details.record == "refused" })
        let verify = try rig.verifyHistory()
        #expect(verify.status == 0, "\(verify.output)")
        print("read-only disk: refused with \(refusal?.code.rawValue ?? "nothing"); \(acknowledged.count) acknowledged operations kept; sign-in refused with \(String(describing: signIn?.code.rawValue))")
    }
}
