import Foundation
import GatewayAPI
import History
import Registry
import Testing

extension GatewayEndToEndTests {
    /// Runs `cardgate serve` to its end (it is expected to refuse to start) and returns its status and output.
    func serveRefusal(_ rig: GatewayRig) throws -> (status: Int32, output: String) {
        try BuiltTools.run(try BuiltTools.cardgate(), ["serve", "--config", rig.configPath])
    }

    @Test func aBadConfigurationStopsTheStartWithAMessageNamingTheFileAndTheKey() throws {
        let rig = try GatewayRig()
        let text = try String(contentsOfFile: rig.configPath, encoding: .utf8)
        try text.replacingOccurrences(of: "direction = \"out\"", with: "direction = \"up\"").write(toFile: rig.configPath, atomically: true, encoding: .utf8)
        let result = try serveRefusal(rig)
        #expect(result.status != 0)
        #expect(result.output.contains(rig.configPath))
        #expect(result.output.contains("direction"))
        #expect(!FileManager.default.fileExists(atPath: rig.socket))
    }

    @Test func withoutAWitnessTheDaemonRefusesToStartUnlessTheConfigurationSaysNoneAndThenVerifyNeverSaysWitnessed() async throws {
        let rig = try GatewayRig()
        let text = try String(contentsOfFile: rig.configPath, encoding: .utf8)
        let witnessLine = "witness-file = \"\(rig.witnessPath)\"\n"
        #expect(text.contains(witnessLine))
        try text.replacingOccurrences(of: witnessLine, with: "").write(toFile: rig.configPath, atomically: true, encoding: .utf8)
        let refused = try serveRefusal(rig)
        #expect(refused.status != 0)
        #expect(refused.output.contains("no witness is configured"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: rig.socket))

        try text.replacingOccurrences(of: witnessLine, with: "witness = \"none\"\n").write(toFile: rig.configPath, atomically: true, encoding: .utf8)
        _ = try await rig.start()
        rig.stop()
        // It runs, but nothing is ever witnessed: verify says so (exit 2) and warns.
        let verified = try BuiltTools.run(try BuiltTools.cardgate(), ["history", "verify", "--config", rig.configPath])
        #expect(verified.status == 2 && verified.output.contains("witness = \"none\""), "\(verified.output)")
    }

    @Test func theRunningDaemonWitnessesItsEventsWithinSecondsWithoutBeingAskedForACheckpoint() async throws {
        let rig = try GatewayRig()
        _ = try await rig.start()
        defer { rig.stop() }
        try await rig.waitForEvent(.systemStart)
        // No `history checkpoint`, no shutdown: the daemon's own checkpoint after its events reaches the witness.
        let verified = try rig.verifyHistory(within: .seconds(5))
        #expect(verified.status == 0 && verified.output.contains("intact"), "\(verified.output)")
        #expect(!rig.witnessLines.isEmpty)
        let status = try BuiltTools.run(try BuiltTools.cardgate(), ["history", "status", "--config", rig.configPath])
        #expect(status.output.contains("unwitnessed events 0"), "\(status.output)")
    }

    @Test func aSecretFileReadableByOthersStopsTheStart() throws {
        let rig = try GatewayRig()
        chmod(rig.folder + "/secrets/pepper", 0o644)
        let result = try serveRefusal(rig)
        #expect(result.status != 0)
        #expect(result.output.contains("pepper"))
        #expect(result.output.contains("chmod 600"))
        #expect(try rig.history().contains { $0.kind == .systemStart } == false)
    }

    @Test func aSecretFileThatIsALinkOrBelongsToAnotherUserStopsTheStartNamingTheFile() throws {
        let rig = try GatewayRig()
        let pepper = rig.folder + "/secrets/pepper"
        let moved = rig.folder + "/secrets/pepper.real"
        // A symbolic link, even to a good file, is refused (O_NOFOLLOW on the one open).
        try FileManager.default.moveItem(atPath: pepper, toPath: moved)
        try FileManager.default.createSymbolicLink(atPath: pepper, withDestinationPath: moved)
        let linked = try serveRefusal(rig)
        #expect(linked.status != 0)
        #expect(linked.output.contains(pepper) && linked.output.contains("symbolic link"), "\(linked.output)")
        try FileManager.default.removeItem(atPath: pepper)
        try FileManager.default.moveItem(atPath: moved, toPath: pepper)
        // Owned by another user (the service account alone owns its secrets), even with mode 0600.
        let key = rig.folder + "/secrets/history-signing.key"
        chown(key, 1001, 1001)
        let foreign = try serveRefusal(rig)
        #expect(foreign.status != 0)
        #expect(foreign.output.contains(key) && foreign.output.contains("belongs to uid 1001"), "\(foreign.output)")
        chown(key, getuid(), getgid())
        chmod(key, 0o640)
        let open = try serveRefusal(rig)
        #expect(open.output.contains(key) && open.output.contains("chmod 600"), "\(open.output)")
    }

    @Test func theHistoryDatabaseAndItsWALAndSHMArePrivateFromTheirCreation() async throws {
        let rig = try GatewayRig()
        // The rig's registry exists, the history not yet: the daemon creates it (umask 077 before SQLite opens).
        #expect(!FileManager.default.fileExists(atPath: rig.databasePath))
        _ = try await rig.start()
        for path in [rig.databasePath, rig.databasePath + "-wal", rig.databasePath + "-shm"] {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(path) has mode \(String(mode ?? 0, radix: 8))")
        }
        let socketMode = try FileManager.default.attributesOfItem(atPath: rig.adminSocket)[.posixPermissions] as? Int
        #expect(socketMode == 0o660, "the administration socket is 0660")
    }

    @Test func aConfiguredCommandWhoseProgramIsMissingStopsTheStartNamingTheKey() throws {
        var options = GatewayRig.Options()
        options.alarmCommand = #"["/nonexistent/alarm", "{place}"]"#
        let rig = try GatewayRig(options)
        let result = try serveRefusal(rig)
        #expect(result.status != 0)
        #expect(result.output.contains("commands.alarm[0]") && result.output.contains("/nonexistent/alarm"), "\(result.output)")
    }

    @Test func anUnapprovedProgramIsRecordedAndRefusedWhenTheConfigurationSaysRefuse() async throws {
        let rig = try GatewayRig()
        let text = try String(contentsOfFile: rig.configPath, encoding: .utf8)
        try text.replacingOccurrences(of: "check = \"warn\"", with: "check = \"refuse\"").write(toFile: rig.configPath, atomically: true, encoding: .utf8)
        let refused = try serveRefusal(rig)
        #expect(refused.status != 0)
        #expect(refused.output.contains("not an approved in-service program"))
        let events = try rig.history()
        let start = try #require(events.first { $0.kind == .systemStart })
        #expect(start.details.program?.hasPrefix("cardgate ") == true)
        #expect(events.contains { $0.kind == .ledgerRefused && $0.details.reason == "program-not-approved" && $0.details.digest == start.details.digest })

        // Approved in the ledger with the same SHA-256: it starts.
        let hex = (start.details.digest ?? []).map { String(format: "%02x", $0) }.joined()
        try rig.registry.ledger.add(
            Equipment(id: "cardgate", kind: .program, name: "cardgate", location: "gateway", version: "0.1.0", sha256: hex), by: "netadmin")
        let client = try await rig.start()
        #expect(try await client.status().historyOK)
        #expect(try rig.history().filter { $0.details.reason == "program-not-approved" }.count == 1)
    }

    @Test func anIdleGatewayUsesNoCPUAndLittleMemory() async throws {
        let rig = try GatewayRig()
        _ = try await rig.start()
        let pid = try #require(rig.daemon?.processIdentifier)
        try await Task.sleep(for: .seconds(1))
        let before = try Self.cpuTicks(pid)
        try await Task.sleep(for: .seconds(5))
        let used = try Self.cpuTicks(pid) - before
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.map(String.init) ?? "?"
        print("gateway e2e: idle for 5 s: \(used) CPU tick(s) (1 tick = 10 ms); \(rss)")
        #expect(used <= 2)
    }

    /// utime + stime of a process, in clock ticks.
    static func cpuTicks(_ pid: Int32) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }
}

extension GatewayEndToEndTests {
    @Test func aHistoryWhoseWALFileWasDeletedWhileStoppedStopsTheStartUntilItIsBackOrConfirmed() async throws {
        let rig = try GatewayRig()
        _ = try await rig.start()
        #expect(rig.stop() == 0)
        let wal = rig.databasePath + "-wal"
        #expect(FileManager.default.fileExists(atPath: wal), "the daemon keeps its -wal file when it stops")
        let saved = rig.folder + "/saved-wal"
        try FileManager.default.moveItem(atPath: wal, toPath: saved)

        let refused = try serveRefusal(rig)
        #expect(refused.status != 0)
        #expect(refused.output.contains("-wal file is missing") && refused.output.contains(wal), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: wal), "the refused start must not create a new, empty log")

        // Put back, the daemon starts; an empty -wal file created on purpose (a restored backup) is accepted too.
        try FileManager.default.moveItem(atPath: saved, toPath: wal)
        _ = try await rig.start()
        #expect(rig.stop() == 0)
        try FileManager.default.removeItem(atPath: wal)
        #expect(FileManager.default.createFile(atPath: wal, contents: nil, attributes: [.posixPermissions: 0o600]))
        _ = try await rig.start()
        #expect(rig.stop() == 0)
        #expect(try rig.history().filter { $0.kind == .systemStart }.count == 3)
    }
}

extension GatewayEndToEndTests {
    /// Found by the soak: the daemon gave the history files to the auditors' group by opening and closing them after
    /// SQLite had opened them, which dropped SQLite's POSIX locks in the daemon; an auditor's CLI then took the
    /// database for unused and reset its -shm under the daemon (a bus error after 20 to 34 minutes of the soak).
    @Test func theDaemonKeepsItsSQLiteLockOnTheHistoryWhenItSharesItWithTheAuditors() async throws {
        let rig = try GatewayRig()
        let text = try String(contentsOfFile: rig.configPath, encoding: .utf8)
        #expect(text.contains("audit-group = \"\"\n"))
        try text.replacingOccurrences(of: "audit-group = \"\"\n", with: "audit-group = \"gid:\(getgid())\"\n")
            .write(toFile: rig.configPath, atomically: true, encoding: .utf8)
        let client = try await rig.start()
        _ = try await client.status()
        let pid = try #require(rig.daemon?.processIdentifier)
        let shm = rig.databasePath + "-shm"
        var info = stat()
        #expect(stat(rig.databasePath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o640 && info.st_gid == getgid(), "mode \(String(info.st_mode & 0o777, radix: 8)), group \(info.st_gid)")
        #expect(stat(shm, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o640 && info.st_gid == getgid(), "-shm mode \(String(info.st_mode & 0o777, radix: 8)), group \(info.st_gid)")
        // /proc/locks: "1: POSIX  ADVISORY  READ 1234 fd:01:5678 128 128" (pid, then device:inode).
        let locks = try String(contentsOfFile: "/proc/locks", encoding: .utf8).split(separator: "\n")
        let held = locks.filter { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count > 5 && fields[4] == "\(pid)" && fields[5].hasSuffix(":\(info.st_ino)")
        }
        #expect(!held.isEmpty, "the daemon (pid \(pid)) holds no lock on \(shm) (inode \(info.st_ino))")
        // An auditor's read beside it leaves the daemon working.
        for _ in 0..<3 {
            let query = try BuiltTools.run(try BuiltTools.cardgate(), ["history", "query", "--config", rig.configPath, "--limit", "3"])
            #expect(query.status == 0, "\(query.output)")
        }
        _ = try await client.status()
        #expect(rig.stop() == 0)
    }
}
