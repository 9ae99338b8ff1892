import Foundation
import GRDB
import Testing
@testable import History

@Suite struct AppendTests {
    @Test func appendedEventsReadBackWithTheirSequenceAndHash() throws {
        let f = try HistoryFixture()
        let store = try f.store()
        let event = NewEvent(kind: .doorRefused, result: .denied, actor: "山田太郎", card: "0A1B2C", place: "電算室",
                             details: EventDetails(reason: "no-grant"))
        let r1 = try store.append(event)
        let r2 = try store.append(NewEvent(kind: .systemStart, result: .success, details: EventDetails(program: "cardgate 0.1.0")))
        #expect(r1.sequence == 1 && r2.sequence == 2)
        let events = try store.events()
        #expect(events.count == 2)
        #expect(events[0].kind == .doorRefused && events[0].actor == "山田太郎" && events[0].place == "電算室")
        #expect(events[0].details == EventDetails(reason: "no-grant"))
        #expect(events[0].hash == r1.hash && events[1].hash == r2.hash)
        #expect(events[1].previousHash == r1.hash && events[0].previousHash == EventEncoding.genesis)
        #expect(store.verify().intact)
    }

    @Test func updateAndDeleteThroughSQLAreRefused() throws {
        let f = try HistoryFixture()
        let store = try f.store()
        try f.fill(store, 3)
        let q = try DatabaseQueue(path: f.configuration.databasePath)
        #expect { try q.write { try $0.execute(sql: "UPDATE events SET actor = 'x' WHERE seq = 2") } } throws: { "\($0)".contains("append-only") }
        #expect { try q.write { try $0.execute(sql: "DELETE FROM events WHERE seq = 3") } } throws: { "\($0)".contains("append-only") }
        #expect { try q.write { try $0.execute(sql: "DELETE FROM checkpoints") } } throws: { "\($0)".contains("append-only") }
        try q.write { try $0.execute(sql: "INSERT INTO seals VALUES (1999, 1, 1, 1, x'00', x'00', 1, x'00', 'n', x'00', x'00', 0)") }
        #expect { try q.write { try $0.execute(sql: "UPDATE seals SET count = 2") } } throws: { "\($0)".contains("append-only") }
        #expect { try q.write { try $0.execute(sql: "DELETE FROM seals") } } throws: { "\($0)".contains("append-only") }
        try q.write { try $0.execute(sql: "INSERT INTO tree_nodes VALUES (20, 0, x'00')") }
        #expect { try q.write { try $0.execute(sql: "UPDATE tree_nodes SET hash = x'01'") } } throws: { "\($0)".contains("append-only") }
        #expect { try q.write { try $0.execute(sql: "DELETE FROM tree_nodes") } } throws: { "\($0)".contains("append-only") }
        #expect(try store.events().map(\.actor) == ["op-0", "op-1", "op-2"])
    }

    @Test func appendWithoutTheSigningKeyFailsAndRecordsNothing() throws {
        let f = try HistoryFixture()
        let store = try HistoryStore(configuration: f.configuration, signingKey: nil)
        #expect { try store.append(NewEvent(kind: .operation, result: .success)) } throws: { ($0 as? HistoryError)?.code == .signingKey }
        #expect(try store.events().isEmpty)
    }

    @Test func invalidIdentifiersAreRefused() throws {
        let f = try HistoryFixture()
        let store = try f.store()
        #expect { try store.append(NewEvent(kind: .operation, result: .success, actor: "")) } throws: { ($0 as? HistoryError)?.code == .invalidEvent }
        #expect { try store.append(NewEvent(kind: .operation, result: .success, place: String(repeating: "p", count: 129))) } throws: { ($0 as? HistoryError)?.code == .invalidEvent }
        #expect { try store.append(NewEvent(kind: .operation, result: .success, card: "A\u{0}B")) } throws: { ($0 as? HistoryError)?.code == .invalidEvent }
        #expect(try store.events().isEmpty)
    }

    @Test func aKeyFileOthersCanReadIsRefused() throws {
        let f = try HistoryFixture()
        chmod(f.configuration.signingKeyPath, 0o640)
        #expect { try HistoryStore.open(f.configuration) } throws: { ($0 as? HistoryError)?.code == .signingKey && "\($0)".contains("chmod 600") }
    }

    @Test func readersRefuseAMissingDatabaseInsteadOfCreatingAnEmptyOne() throws {
        var f = try HistoryFixture()
        f.configuration.databasePath = f.dir + "/elsewhere/history.sqlite"
        #expect { try HistoryStore(configuration: f.configuration, signingKey: nil, mustExist: true) } throws: { ($0 as? HistoryError)?.code == .storage }
        #expect(!FileManager.default.fileExists(atPath: f.configuration.databasePath))
    }

    @Test func retentionBelowSevenYearsIsRefused() throws {
        var f = try HistoryFixture()
        f.configuration.retentionYears = 6
        #expect { try f.store() } throws: { ($0 as? HistoryError)?.code == .configuration }
    }

    @Test func checkpointsAreSignedEveryNEventsChainedAndWitnessed() throws {
        let f = try HistoryFixture(every: 4)
        let store = try f.store()
        let receipts = try f.fill(store, 10)
        #expect(receipts.compactMap(\.checkpoint?.size) == [1, 5, 9])
        let witnessed = try f.witnessed()
        #expect(witnessed.map(\.size) == [1, 5, 9] && witnessed.map(\.number) == [1, 2, 3])
        #expect(witnessed == receipts.compactMap(\.checkpoint))
        #expect(witnessed[0].previous == EventEncoding.genesis && witnessed[1].previous == witnessed[0].hash && witnessed[2].previous == witnessed[1].hash)
        #expect(witnessed.allSatisfy { $0.signatureCheck(by: f.key.publicKey) == true })
        // The root is the RFC 9162 root of the event hashes as leaves.
        var range = CompactRange(begin: 0)
        for r in receipts.prefix(5) { range.appendLeaf(MerkleHash.leaf(Hash32(r.hash))) { _, _ in } }
        #expect(witnessed[1].root == range.folded.bytes)
    }

    @Test func theWitnessFileAndTheDatabaseFilesAreCreatedOwnerOnly() throws {
        let f = try HistoryFixture(every: 1)
        try f.fill(try f.store(), 3)
        for path in [f.witnessPath, f.configuration.databasePath, f.configuration.databasePath + "-wal", f.configuration.databasePath + "-shm"] {
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600, "\(path)")
        }
    }

    @Test func everyCommitIsSyncedWALWithSynchronousFull() throws {
        let f = try HistoryFixture()
        let store = try f.store()
        #expect(try store.queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try store.queue.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
    }

    @Test func aDatabaseOfTheEarlierSchemaIsRefusedNotConverted() throws {
        let f = try HistoryFixture()
        let old = try DatabaseQueue(path: f.configuration.databasePath)
        try old.write { db in
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY); INSERT INTO grdb_migrations VALUES ('history-v1')")
            try db.execute(sql: "CREATE TABLE events (seq INTEGER PRIMARY KEY, hash BLOB)")
        }
        try old.close()
        #expect { try f.store() } throws: { ($0 as? HistoryError)?.code == .storage && "\($0)".contains("earlier CardGate") }
        #expect { try HistoryStore.openForReading(f.configuration) } throws: { "\($0)".contains("earlier CardGate") }
    }

    @Test func theWALFilesStayWhenTheLastWriterClosesSoReadersNeedNoWriteAccess() throws {
        let f = try HistoryFixture()
        let store = try f.store()
        try f.fill(store, 3)
        try store.queue.close()
        for suffix in ["-wal", "-shm"] {
            #expect(FileManager.default.fileExists(atPath: f.configuration.databasePath + suffix), "\(suffix)")
        }
        #expect(try HistoryStore.openForReading(f.configuration).events().count == 3)
    }

    @Test func aSigningStoreWithoutAWitnessIsRefusedUnlessTheConfigurationSaysNone() throws {
        var f = try HistoryFixture()
        f.configuration.witness = .unconfigured
        #expect { try f.store() } throws: { ($0 as? HistoryError)?.code == .configuration && "\($0)".contains("witness") }
        #expect(!FileManager.default.fileExists(atPath: f.configuration.databasePath))
        f.configuration.witness = .none
        let store = try f.store()
        try f.fill(store, 3)
        let r = store.verify()
        #expect(r.intact && r.outcome == .unwitnessed && r.unwitnessedEvents == 3 && r.warnings.contains { $0.contains("no witness") })
        #expect(try store.witnessStatus().mode == .none)
    }

    @Test func checkpointsAreSignedAfterMMinutes() throws {
        let f = try HistoryFixture(every: 1000, minutes: 15)
        let clock = FixedClock(date(2026, 3, 1))
        let store = try f.store(clock: clock)
        #expect(try store.append(NewEvent(kind: .operation, result: .success)).checkpoint != nil) // the first event
        clock.advance(14 * 60)
        #expect(try store.append(NewEvent(kind: .operation, result: .success)).checkpoint == nil)
        clock.advance(60)
        #expect(try store.append(NewEvent(kind: .operation, result: .success)).checkpoint?.sequence == 3)
    }

    @Test func aClockStepBackUnderASecondKeepsTheLastTime() throws {
        let f = try HistoryFixture()
        let clock = FixedClock(date(2026, 5, 1))
        let store = try f.store(clock: clock)
        try store.append(NewEvent(kind: .operation, result: .success))
        clock.advance(-0.5)
        try store.append(NewEvent(kind: .operation, result: .success))
        let e = try store.events()
        #expect(e.count == 2 && e[1].time == e[0].time)
        #expect(store.verify().intact)
    }

    @Test func aClockThatJumpedAheadDoesNotDragLaterEventsAndTheJumpIsRecorded() throws {
        let f = try HistoryFixture()
        let clock = FixedClock(date(2026, 5, 1, 9))
        let store = try f.store(clock: clock)
        try store.append(NewEvent(kind: .operation, result: .success, actor: "a"))
        clock.advance(6 * 3600) // the clock jumps six hours ahead for one event…
        try store.append(NewEvent(kind: .operation, result: .success, actor: "b"))
        clock.advance(-6 * 3600 + 60) // …and is put right a minute later
        try store.append(NewEvent(kind: .operation, result: .success, actor: "c"))
        clock.advance(60)
        try store.append(NewEvent(kind: .operation, result: .success, actor: "d"))
        let e = try store.events()
        #expect(e.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(e[2].kind == .clockJump && e[2].details.reason == "clock-went-back" && e[2].details.count == (6 * 3600 - 60) * 1000)
        #expect(e[3].actor == "c" && e[3].time == date(2026, 5, 1, 9) + 60) // its real time, not the jumped one
        #expect(e[4].time == date(2026, 5, 1, 9) + 120)
        #expect(store.verify().intact)
    }

    @Test func aTimeGoingBackWithoutAClockJumpEventIsFound() throws {
        let f = try HistoryFixture()
        let clock = FixedClock(date(2026, 5, 1, 9))
        let store = try f.store(clock: clock)
        try f.fill(store, 4, clock: clock)
        let q = try f.rawWithoutTriggers()
        try q.write { db in
            let row = try Row.fetchOne(db, sql: "SELECT seq, time, kind, result, actor, card, place, details, prev_hash FROM events WHERE seq = 3")!
            let time: Int64 = (row[1] as Int64) - 3_600_000
            let hash = forgedHash(seq: 3, time: time, kind: row[2], result: row[3], actor: row[4], card: row[5], place: row[6],
                                  details: [UInt8](row[7] as Data), previous: [UInt8](row[8] as Data))
            try db.execute(sql: "UPDATE events SET time = ?, hash = ? WHERE seq = 3", arguments: [time, Data(hash)])
        }
        let r = store.verify()
        #expect(r.firstBadSequence == 3 && (r.problem == .badField || r.problem == .brokenLink), "\(r.message)")
    }

    @Test func queryFiltersByOperatorCardPlaceKindResultAndPeriod() throws {
        let f = try HistoryFixture()
        let clock = FixedClock(date(2026, 4, 1))
        let store = try f.store(clock: clock)
        try f.fill(store, 12, clock: clock)
        clock.advance(10)
        try store.append(NewEvent(kind: .pinFailed, result: .failure, actor: "op-9", card: "C9", place: "terminal-9", details: EventDetails(retriesLeft: 2)))
        #expect(try store.events(matching: EventFilter(actor: "op-1")).count == 4)
        #expect(try store.events(matching: EventFilter(card: "C9")).map(\.sequence) == [13])
        #expect(try store.events(matching: EventFilter(place: "terminal-0", kinds: ["door.*"])).count == 6)
        #expect(try store.events(matching: EventFilter(kinds: ["auth.*"], result: .failure)).count == 1)
        #expect(try store.events(matching: EventFilter(from: date(2026, 4, 1) + 3, to: date(2026, 4, 1) + 6)).map(\.sequence) == [3, 4, 5])
        #expect(try store.events(matching: EventFilter(limit: 2)).map(\.sequence) == [1, 2])
        #expect { try store.events(matching: EventFilter(kinds: ["door.teleport"])) } throws: { ($0 as? HistoryError)?.code == .invalidEvent }
    }

    @Test func checkpointNowSignsTheHeadOnceAndTheBatchAppendKeepsOneChain() throws {
        let f = try HistoryFixture(every: 1000)
        let store = try f.store()
        let receipts = try store.append(contentsOf: (0..<5).map { NewEvent(kind: .operation, result: .success, actor: "op-\($0)") })
        #expect(receipts.map(\.sequence) == [1, 2, 3, 4, 5])
        let cp = try #require(try store.checkpoint())
        #expect(cp.size == 5 && cp.number == 2)
        #expect(try store.checkpoint() == nil)
        #expect(try f.witnessed().map(\.size) == [1, 5])
        let r = store.verify()
        #expect(r.intact && r.outcome == .intact && r.unsignedEvents == 0 && r.unwitnessedEvents == 0 && r.witnessedSize == 5)
    }

    @Test func aWitnessFolderThatIsNotThereRefusesToOpenANewHistory() throws {
        var f = try HistoryFixture(every: 1)
        f.configuration.witness = WitnessConfiguration(files: [f.dir + "/no-such-folder/history.witness"])
        #expect { try f.store() } throws: { ($0 as? HistoryError)?.code == .witness && "\($0)".contains("mounted") }
    }

    @Test func aWitnessFileThatDisappearsAfterCheckpointsRefusesTheNextAct() throws {
        let f = try HistoryFixture(every: 2)
        let store = try f.store()
        try f.fill(store, 3)
        try FileManager.default.removeItem(atPath: f.witnessPath)
        #expect { try store.append(NewEvent(kind: .operation, result: .success)) } throws: { ($0 as? HistoryError)?.code == .witness && "\($0)".contains("mounted") }
        #expect(try store.events().count == 3)
        #expect(!FileManager.default.fileExists(atPath: f.witnessPath)) // not silently re-created
    }

    @Test func aWitnessCommandGetsEveryCheckpointOnStandardInput() throws {
        var f = try HistoryFixture(every: 2)
        let out = f.dir + "/command-witness.txt"
        let script = f.dir + "/witness.sh"
        try "#!/bin/sh\ncat >> \(out)\necho --- >> \(out)\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o700)
        f.configuration.witness = WitnessConfiguration(files: [f.witnessPath], commands: [[script]])
        let receipts = try f.fill(try f.store(), 4)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let notes = text.components(separatedBy: "---\n").filter { !$0.isEmpty }
        #expect(notes == receipts.compactMap(\.checkpoint).map(\.note))
    }

    @Test func aWitnessCommandThatFailsOrExitsWithoutReadingDeniesTheActButKeepsTheEvent() throws {
        var f = try HistoryFixture(every: 1)
        f.configuration.witness = WitnessConfiguration(files: [f.witnessPath], commands: [["/bin/false"]])
        let store = try f.store()
        #expect { try store.append(NewEvent(kind: .operation, result: .success)) } throws: { ($0 as? HistoryError)?.code == .witness }
        f.configuration.witness = WitnessConfiguration(files: [f.witnessPath], commands: [["/bin/true"]])
        let other = try f.store()
        try other.append(NewEvent(kind: .operation, result: .success)) // /bin/true does not read: no SIGPIPE kills us
        #expect(try other.events().count == 2)
    }

    @Test(arguments: [EventFilter(actor: "op-1", from: date(2026, 1, 1)), EventFilter(card: "C1"), EventFilter(place: "電算室", kinds: ["door.*"]),
                      EventFilter(kinds: ["auth.pin.failed"], from: date(2026, 4, 1), to: date(2026, 5, 1)), EventFilter(from: date(2026, 4, 1))])
    func filteredQueriesUseAnIndexNotATableScan(filter: EventFilter) throws {
        let f = try HistoryFixture()
        let store = try f.store()
        let (clause, arguments) = try filter.sql()
        let plan = try store.queue.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM events \(clause)", arguments: arguments).map { $0["detail"] as String }
        }.joined(separator: " | ")
        #expect(plan.contains("USING INDEX") || plan.contains("USING COVERING INDEX"), "\(plan)")
        #expect(!plan.contains("SCAN events\u{20}") && !plan.hasSuffix("SCAN events"), "\(plan)")
    }
}
