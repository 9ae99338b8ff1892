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
        try q.write { try $0.execute(sql: "INSERT INTO seals VALUES (1999, 1, 1, 1, x'00', x'00', x'00', 0)") }
        #expect { try q.write { try $0.execute(sql: "UPDATE seals SET count = 2") } } throws: { "\($0)".contains("append-only") }
        #expect { try q.write { try $0.execute(sql: "DELETE FROM seals") } } throws: { "\($0)".contains("append-only") }
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

    @Test func checkpointsAreSignedEveryNEventsAndCopied() throws {
        let f = try HistoryFixture(every: 4)
        let store = try f.store()
        let receipts = try f.fill(store, 10)
        #expect(receipts.compactMap(\.checkpoint?.sequence) == [1, 5, 9])
        let copies = try CheckpointCopy.read(f.configuration.checkpointCopyPath!)
        #expect(copies.map(\.sequence) == [1, 5, 9])
        #expect(copies[1].headHash == receipts[4].hash)
        #expect(f.key.publicKey.isValid(signature: copies[2].signature, for: copies[2].message))
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

    @Test func timesNeverGoBackwardsAlongTheChain() throws {
        let f = try HistoryFixture()
        let clock = FixedClock(date(2026, 5, 1))
        let store = try f.store(clock: clock)
        try store.append(NewEvent(kind: .operation, result: .success))
        clock.advance(-3600)
        try store.append(NewEvent(kind: .operation, result: .success))
        let e = try store.events()
        #expect(e[1].time == e[0].time)
        #expect(store.verify().intact)
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
        #expect(cp.sequence == 5 && cp.headHash == receipts[4].hash)
        #expect(try store.checkpoint() == nil)
        #expect(try CheckpointCopy.read(f.configuration.checkpointCopyPath!).map(\.sequence) == [1, 5])
        let r = store.verify()
        #expect(r.intact && r.unsignedEvents == 0)
    }

    @Test func aFailedCheckpointCopyIsReportedAfterTheEventIsKept() throws {
        var f = try HistoryFixture(every: 1)
        f.configuration.checkpointCopyPath = f.dir + "/no-such-folder/copy.txt"
        let store = try f.store()
        #expect { try store.append(NewEvent(kind: .operation, result: .success)) } throws: { ($0 as? HistoryError)?.code == .checkpointCopy }
        #expect(try store.events().count == 1) // recorded, but the caller was told to deny
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
