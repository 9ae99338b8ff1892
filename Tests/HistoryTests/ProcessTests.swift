import Foundation
import Testing
@testable import History

/// Runs the built `cardgate` executable (built by `swift build --build-tests`, next to the test bundle).
struct CardGateTool {
    let path: String

    init() throws {
        if let p = ProcessInfo.processInfo.environment["CARDGATE_BIN"] { path = p; return }
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidate = dir.appendingPathComponent("cardgate").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw HistoryError(.storage, "cardgate executable not found at \(candidate); run swift build --build-tests first")
        }
        path = candidate
    }

    func start(_ arguments: [String]) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        return (p, out)
    }

    /// Runs to the end; returns the exit status and standard output.
    func run(_ arguments: [String]) throws -> (Int32, Data) {
        let (p, out) = try start(arguments)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, data)
    }
}

@Suite(.serialized) struct ProcessTests {
    func options(_ f: HistoryFixture) -> [String] {
        ["--database", f.configuration.databasePath, "--archive-dir", f.configuration.archiveDirectory, "--key", f.configuration.signingKeyPath,
         "--checkpoint-copy", f.configuration.checkpointCopyPath!, "--checkpoint-every", "7"]
    }

    @Test func concurrentAppendsFromSeveralProcessesLeaveOneValidChain() throws {
        let tool = try CardGateTool()
        let f = try HistoryFixture(every: 7)
        _ = try f.store() // create the schema first, as the installed service does
        let processes = 4, each = 60
        let go = f.dir + "/go"
        let running = try (0..<processes).map { i in
            try tool.start(["history", "append", "--kind", "operation", "--actor", "proc-\(i)", "--count", String(each), "--wait-for", go] + options(f))
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
        // The writers really ran at the same time: their events interleave.
        let actors = try store.events().map(\.actor)
        let switches = zip(actors, actors.dropFirst()).filter { $0 != $1 }.count
        #expect(switches > processes * 2, "only \(switches) changes of writer")
        #expect(try CheckpointCopy.read(f.configuration.checkpointCopyPath!).count == report.checkpointsChecked)
    }

    @Test func aWriterKilledMidAppendLeavesAnIntactChain() throws {
        let tool = try CardGateTool()
        let f = try HistoryFixture(every: 7)
        _ = try f.store()
        let (p, out) = try tool.start(["history", "append", "--kind", "operation", "--count", "100000"] + options(f))
        usleep(400_000)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
        let store = try f.store()
        let report = store.verify()
        #expect(report.intact, "\(report.message)")
        // Every sequence number the writer was told about is in the chain (it was durable before it was printed).
        #expect(Int64(printed.last ?? 0) <= report.lastSequence && report.lastSequence > 0)
        #expect(try store.queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        // And the next writer carries on the same chain.
        #expect(try store.append(NewEvent(kind: .systemStart, result: .success)).sequence == report.lastSequence + 1)
    }

    @Test func verifyCommandExitsZeroWhenIntactAndOneNamingTheSequenceWhenChanged() throws {
        let tool = try CardGateTool()
        let f = try HistoryFixture(every: 7)
        try f.fill(try f.store(), 10)
        let (ok, _) = try tool.run(["history", "verify"] + options(f))
        #expect(ok == 0)
        try f.sqlite3("DROP TRIGGER events_no_update; UPDATE events SET result = 'denied' WHERE seq = 4;")
        let (bad, out) = try tool.run(["history", "verify", "--json"] + options(f))
        #expect(bad == 1)
        let json = try JSONSerialization.jsonObject(with: out) as? [String: Any]
        #expect(json?["firstBadSequence"] as? Int == 4 && json?["problem"] as? String == "hashMismatch")
    }

    @Test func csvWithJapaneseNamesIsUTF8WithTheBOMForExcel() throws {
        let tool = try CardGateTool()
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

    @Test func anExportVerifiesWithOnlyThePublicKeyFromTheCommandLine() throws {
        let tool = try CardGateTool()
        let f = try HistoryFixture(every: 7)
        try f.fill(try f.store(), 12)
        let export = f.dir + "/audit.sqlite"
        let (made, _) = try tool.run(["history", "export", "--output", export] + options(f))
        #expect(made == 0)
        let (_, keyOut) = try tool.run(["history", "public-key"] + options(f))
        let hex = String(decoding: keyOut, as: UTF8.self).split(separator: "\n")[0]
        #expect(hex.count == 64)
        // The auditor has only the file and the public key.
        let (ok, text) = try tool.run(["history", "verify", "--export", export, "--public-key", String(hex)])
        #expect(ok == 0 && String(decoding: text, as: UTF8.self).contains("12 events"))
        try f.sqlite3("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 3;", database: export)
        let (bad, badText) = try tool.run(["history", "verify", "--export", export, "--public-key", String(hex)])
        #expect(bad == 1 && String(decoding: badText, as: UTF8.self).contains("DAMAGED at 3"))
    }

    @Test func initKeyCreatesAKeyOnlyTheOwnerCanRead() throws {
        let tool = try CardGateTool()
        let dir = NSTemporaryDirectory() + "history-key-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let (status, out) = try tool.run(["history", "init-key", "--key", dir + "/k"])
        #expect(status == 0 && String(decoding: out, as: UTF8.self).contains("fingerprint"))
        #expect((try FileManager.default.attributesOfItem(atPath: dir + "/k")[.posixPermissions] as? Int) == 0o600)
        let (again, _) = try tool.run(["history", "init-key", "--key", dir + "/k"])
        #expect(again != 0)
    }
}
