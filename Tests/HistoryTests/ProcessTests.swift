import Foundation
import Testing
@testable import History

/// Runs a built executable (built by `swift build --build-tests`, next to the test bundle).
struct BuiltTool {
    let path: String

    /// `cardgate` (the production executable) or `history-append-tool` (test-only).
    init(_ name: String) throws {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidate = dir.appendingPathComponent(name).path
        if !FileManager.default.isExecutableFile(atPath: candidate) {
            // The test bundle may sit one level down (…/debug/CardGatePackageTests.xctest/…).
            candidate = dir.deletingLastPathComponent().appendingPathComponent(name).path
        }
        if name == "cardgate", let p = ProcessInfo.processInfo.environment["CARDGATE_BIN"] { candidate = p }
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw HistoryError(.storage, "\(name) executable not found at \(candidate); run swift build --build-tests first")
        }
        path = candidate
    }

    func start(_ arguments: [String], prefix: [String] = []) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: prefix.first ?? path)
        p.arguments = Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : [path]) + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        return (p, out)
    }

    /// Runs to the end; returns the exit status and standard output.
    func run(_ arguments: [String], prefix: [String] = []) throws -> (Int32, Data) {
        let (p, out) = try start(arguments, prefix: prefix)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, data)
    }
}

@Suite(.serialized) struct ProcessTests {
    func options(_ f: HistoryFixture) -> [String] {
        ["--database", f.configuration.databasePath, "--archive-dir", f.configuration.archiveDirectory, "--key", f.configuration.signingKeyPath,
         "--witness-file", f.witnessPath, "--checkpoint-every", "7"]
    }

    @Test func concurrentAppendsFromSeveralProcessesLeaveOneValidChainAndTree() throws {
        let tool = try BuiltTool("history-append-tool")
        let f = try HistoryFixture(every: 7)
        _ = try f.store() // create the schema first, as the installed service does
        let processes = 4, each = 60
        let go = f.dir + "/go"
        let running = try (0..<processes).map { i in
            try tool.start(["--kind", "operation", "--actor", "proc-\(i)", "--count", String(each), "--wait-for", go] + options(f))
        }
        usleep(300_000)
        _ = FileManager.default.createFile(atPath: go, contents: Data())
        var printed: [Int] = []
        for (p, out) in running {
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            printed += text.split(separator: "\n").compactMap { Int($0) }
        }
        #expect(printed.sorted() == Array(1...(processes * each)))
        let store = try f.store()
        let report = store.verify()
        #expect(report.intact && report.eventsChecked == Int64(processes * each), "\(report.message)")
        for i in 0..<processes {
            #expect(try store.events(matching: EventFilter(actor: "proc-\(i)")).count == each)
        }
        // The writers really ran at the same time: their events interleave (one after the other would give
        // exactly processes − 1 changes of writer; every commit is synced, so the runs can be long).
        let actors = try store.events().map(\.actor)
        let switches = zip(actors, actors.dropFirst()).filter { $0 != $1 }.count
        #expect(switches >= processes, "only \(switches) changes of writer")
        // Every checkpoint reached the witness, in whatever order the writers finished.
        #expect(try Set(f.witnessed().map(\.number)) == Set(1...Int64(report.checkpointsChecked)))
    }

    @Test func aWriterKilledMidAppendLeavesAnIntactChain() throws {
        let tool = try BuiltTool("history-append-tool")
        let f = try HistoryFixture(every: 7)
        _ = try f.store()
        let (p, out) = try tool.start(["--kind", "operation", "--count", "100000"] + options(f))
        usleep(400_000)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
        let store = try f.store()
        let report = store.verify()
        // A checkpoint committed but not yet witnessed when the writer died is fine; one witnessed is in the database.
        #expect(report.intact, "\(report.message)")
        // Every sequence number the writer was told about is in the chain (it was durable before it was printed).
        #expect(Int64(printed.last ?? 0) <= report.lastSequence && report.lastSequence > 0)
        #expect(try store.queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        // And the next writer carries on the same chain.
        #expect(try store.append(NewEvent(kind: .systemStart, result: .success)).sequence == report.lastSequence + 1)
    }

    @Test func theProductionExecutableHasNoAppendCommand() throws {
        let tool = try BuiltTool("cardgate")
        let f = try HistoryFixture(every: 7)
        _ = try f.store()
        let (status, _) = try tool.run(["history", "append", "--kind", "operation"] + options(f))
        #expect(status != 0)
        #expect(try f.store().events().isEmpty)
    }

    @Test func verifyExitsZeroWhenWitnessedTwoForAnUnwitnessedTailAndOneNamingTheSequenceWhenChanged() throws {
        let tool = try BuiltTool("cardgate")
        let f = try HistoryFixture(every: 7)
        try f.fill(try f.store(), 10)
        let (tail, tailText) = try tool.run(["history", "verify"] + options(f))
        #expect(tail == 2 && String(decoding: tailText, as: UTF8.self).contains("UNWITNESSED: 2 events"))
        let (signed, _) = try tool.run(["history", "checkpoint"] + options(f))
        #expect(signed == 0)
        let (ok, _) = try tool.run(["history", "verify"] + options(f))
        #expect(ok == 0)
        try f.sqlite3("DROP TRIGGER events_no_update; UPDATE events SET result = 'denied' WHERE seq = 4;")
        let (bad, out) = try tool.run(["history", "verify", "--json"] + options(f))
        #expect(bad == 1)
        let json = try JSONSerialization.jsonObject(with: out) as? [String: Any]
        #expect(json?["firstBadSequence"] as? Int == 4 && json?["problem"] as? String == "hashMismatch" && json?["outcome"] as? String == "damaged")
    }

    @Test func acknowledgeOnTheMachineClearsTheWitnessAlarmAndRecordsTheLoginBehindSudo() throws {
        let tool = try BuiltTool("cardgate")
        let f = try HistoryFixture(every: 7)
        try f.fill(try f.store(), 10)
        #expect(try tool.run(["history", "checkpoint"] + options(f)).0 == 0)
        let (nothing, _) = try tool.run(["history", "acknowledge", "--reason", "no alarm"] + options(f))
        #expect(nothing == 1, "nothing to acknowledge while the witness agrees")
        // Events 9 and 10 are cut off below the witnessed checkpoint at 10: the next write raises the alarm and halts.
        try f.sqlite3("DROP TRIGGER IF EXISTS events_no_delete; DROP TRIGGER IF EXISTS checkpoints_no_delete; DELETE FROM events WHERE seq >= 9; DELETE FROM checkpoints WHERE size >= 9;")
        #expect(throws: HistoryError.self) { try f.store().append(NewEvent(kind: .systemNotice, result: .success)) }
        #expect(try f.store().witnessStatus().halt != nil)

        let (status, out) = try tool.run(["history", "acknowledge", "--reason", "restored copy lacked 9-10"] + options(f),
                                         prefix: ["/usr/bin/env", "SUDO_USER=alice"])
        // Under sudo (root) the person behind it; otherwise the account that ran it.
        let expected = getuid() == 0 ? "unix:alice" : "unix:" + String(cString: getpwuid(getuid())!.pointee.pw_name)
        #expect(status == 0 && String(decoding: out, as: UTF8.self).contains("acknowledged by \(expected)"), "\(String(decoding: out, as: UTF8.self))")
        let store = try f.store()
        #expect(try store.witnessStatus().halt == nil)
        let last = try #require(try store.events().last)
        #expect(last.kind == .historyAcknowledged && last.actor == expected && last.details.reason == "restored copy lacked 9-10")
        #expect(try store.append(NewEvent(kind: .systemNotice, result: .success)).sequence == last.sequence + 1, "the history records again")
    }

    @Test func csvWithJapaneseNamesIsUTF8WithTheBOMForExcel() throws {
        let tool = try BuiltTool("cardgate")
        let f = try HistoryFixture()
        try f.store().append(NewEvent(kind: .doorEntry, result: .success, actor: "山田太郎", card: "0A1B", place: "電算室 (本庁舎3階)"))
        let (status, out) = try tool.run(["history", "query", "--format", "csv", "--excel"] + options(f))
        #expect(status == 0)
        #expect(Array(out.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(data: out, encoding: .utf8) != nil) // valid UTF-8 throughout
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.unicodeScalars.first == "\u{FEFF}")
        let lines = String(text.unicodeScalars.dropFirst()).components(separatedBy: "\r\n")
        #expect(lines[0] == EventFormatter.columns.joined(separator: ","))
        #expect(lines[1].contains(",山田太郎,0A1B,電算室 (本庁舎3階),"))
        let (_, plain) = try tool.run(["history", "query", "--format", "csv"] + options(f))
        #expect(plain.first == UInt8(ascii: "s"))
    }

    @Test func anExportVerifiesOnlyUnderAKeyFromTheCommandLineOrAPinnedFingerprint() throws {
        let tool = try BuiltTool("cardgate")
        let f = try HistoryFixture(every: 7)
        try f.fill(try f.store(), 12)
        let export = f.dir + "/audit.sqlite"
        let (made, _) = try tool.run(["history", "export", "--output", export] + options(f))
        #expect(made == 0)
        #expect((try FileManager.default.attributesOfItem(atPath: export)[.posixPermissions] as? Int) == 0o600)
        let (_, keyOut) = try tool.run(["history", "public-key"] + options(f))
        let lines = String(decoding: keyOut, as: UTF8.self).split(separator: "\n")
        let hex = String(lines[0]), vkey = String(lines[2].dropFirst("verifier key ".count))
        #expect(hex.count == 64 && vkey.contains("+"))
        // The auditor has only the file and the public key (hex or verifier key) or its fingerprint.
        for trust in [["--public-key", hex], ["--public-key", vkey], ["--fingerprint", f.key.publicKey.fingerprint]] {
            let (ok, text) = try tool.run(["history", "verify", "--export", export] + trust)
            #expect(ok == 0 && String(decoding: text, as: UTF8.self).contains("12 events"), "\(trust)")
        }
        // Without a trusted key the export is never reported intact; the fingerprint used is printed.
        let (untrusted, untrustedText) = try tool.run(["history", "verify", "--export", export])
        #expect(untrusted == 3 && String(decoding: untrustedText, as: UTF8.self).contains(f.key.publicKey.fingerprint))
        let stranger = try CheckpointSigningKey.create(f.dir + "/stranger.key").publicKey
        let (wrong, _) = try tool.run(["history", "verify", "--export", export, "--public-key", stranger.hex])
        #expect(wrong == 1)
        try f.sqlite3("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 3;", database: export)
        let (bad, badText) = try tool.run(["history", "verify", "--export", export, "--public-key", hex])
        #expect(bad == 1 && String(decoding: badText, as: UTF8.self).contains("DAMAGED at 3"))
    }

    @Test func proveAndCheckProofWorkOnAnotherMachineWithOnlyThePublicKey() throws {
        let tool = try BuiltTool("cardgate")
        let f = try HistoryFixture(every: 7)
        try f.fill(try f.store(), 30)
        try f.store().checkpoint()
        let (status, proof) = try tool.run(["history", "prove", "--seq", "12"] + options(f))
        #expect(status == 0)
        let file = f.dir + "/proof-12.json"
        try proof.write(to: URL(fileURLWithPath: file))
        let (valid, text) = try tool.run(["history", "check-proof", file, "--public-key", f.key.publicKey.hex])
        #expect(valid == 0 && String(decoding: text, as: UTF8.self).hasPrefix("VALID: event 12"))
        // A changed event in the file is refused.
        let changed = String(decoding: proof, as: UTF8.self).replacingOccurrences(of: "\"actor\" : \"op-2\"", with: "\"actor\" : \"op-9\"")
        #expect(changed != String(decoding: proof, as: UTF8.self))
        try changed.write(toFile: file, atomically: true, encoding: .utf8)
        let (invalid, invalidText) = try tool.run(["history", "check-proof", file, "--public-key", f.key.publicKey.hex])
        #expect(invalid == 1 && String(decoding: invalidText, as: UTF8.self).hasPrefix("INVALID"))
        // Consistency between a kept checkpoint and now.
        let (cs, consistency) = try tool.run(["history", "consistency", "--from", "8"] + options(f))
        #expect(cs == 0)
        try consistency.write(to: URL(fileURLWithPath: f.dir + "/c.json"))
        let kept = f.dir + "/kept-checkpoint.txt"
        try (try f.witnessed().first { $0.size == 8 }!).note.write(toFile: kept, atomically: true, encoding: .utf8)
        let (cok, _) = try tool.run(["history", "check-proof", f.dir + "/c.json", "--public-key", f.key.publicKey.hex, "--checkpoint", kept])
        #expect(cok == 0)
    }

    /// A user who may only read the files (0644, folder not writable, -wal and -shm read-only) verifies and queries.
    @Test func aUserWhoCanOnlyReadTheFilesVerifiesAndQueriesWithoutASecret() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return }
        let tool = try BuiltTool("cardgate")
        let f = try HistoryFixture(every: 7)
        let store = try f.store()
        try f.fill(store, 15)
        try store.checkpoint()
        // A copy while the writer is open: the newest events are still in the -wal.
        let copy = NSTemporaryDirectory() + "history-readonly-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] {
            try FileManager.default.copyItem(atPath: f.configuration.databasePath + suffix, toPath: copy + "/history.sqlite" + suffix)
        }
        try FileManager.default.copyItem(atPath: f.witnessPath, toPath: copy + "/history.witness")
        for file in try FileManager.default.contentsOfDirectory(atPath: copy) { chmod(copy + "/" + file, 0o644) }
        chmod(copy, 0o755)
        #expect(try FileManager.default.attributesOfItem(atPath: copy + "/history.sqlite-wal")[.size] as? Int ?? 0 > 0)
        let asReader = ["/usr/bin/setpriv", "--reuid=1001", "--regid=1001", "--clear-groups"]
        let common = ["--database", copy + "/history.sqlite", "--archive-dir", copy + "/archive", "--key", copy + "/no-key",
                      "--witness-file", copy + "/history.witness"]
        let (verified, text) = try tool.run(["history", "verify", "--public-key", f.key.publicKey.hex] + common, prefix: asReader)
        #expect(verified == 0, "\(String(decoding: text, as: UTF8.self))")
        let (queried, rows) = try tool.run(["history", "query", "--format", "json"] + common, prefix: asReader)
        #expect(queried == 0 && String(decoding: rows, as: UTF8.self).split(separator: "\n").count == 15)
        let (proved, _) = try tool.run(["history", "prove", "--seq", "15"] + common, prefix: asReader)
        #expect(proved == 0)
        // Nothing was written: the files are as they were.
        #expect(try FileManager.default.contentsOfDirectory(atPath: copy).sorted() == ["history.sqlite", "history.sqlite-shm", "history.sqlite-wal", "history.witness"])
    }

    @Test func initKeyCreatesAKeyOnlyTheOwnerCanRead() throws {
        let tool = try BuiltTool("cardgate")
        let dir = NSTemporaryDirectory() + "history-key-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let (status, out) = try tool.run(["history", "init-key", "--key", dir + "/k"])
        #expect(status == 0 && String(decoding: out, as: UTF8.self).contains("fingerprint"))
        #expect((try FileManager.default.attributesOfItem(atPath: dir + "/k")[.posixPermissions] as? Int) == 0o600)
        let (again, _) = try tool.run(["history", "init-key", "--key", dir + "/k"])
        #expect(again != 0)
    }
}
