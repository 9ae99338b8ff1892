import Foundation
import GRDB
import Testing
@testable import History

@Suite struct ArchiveTests {
    /// Events in each of `years` (3 per year, mid-year), with the clock left at the end of the last one.
    func history(_ years: [Int], every: Int = 2) throws -> (HistoryFixture, FixedClock, HistoryStore) {
        let f = try HistoryFixture(every: every)
        let clock = FixedClock(date(years[0], 6, 1))
        let store = try f.store(clock: clock)
        for y in years {
            clock.set(date(y, 6, 1))
            try f.fill(store, 3, clock: clock)
        }
        return (f, clock, store)
    }

    @Test func theFirstEventOfAYearLinksToTheSealOfTheYearBefore() throws {
        let (_, clock, store) = try history([2024])
        clock.set(date(2025, 1, 1))
        let r = try store.append(NewEvent(kind: .systemStart, result: .success))
        let seal = try #require(try store.queue.read { try HistoryStore.seals($0) }.first)
        #expect(seal.year == 2024 && seal.firstSequence == 1 && seal.lastSequence == 3 && seal.count == 3)
        #expect(try store.events().last?.previousHash == seal.hash)
        #expect(r.sequence == 4)
        let report = store.verify()
        #expect(report.intact && report.sealedYears == [2024])
        #expect(report.checkpointsChecked >= 2) // the year's last event is always signed when it is sealed
    }

    @Test func aChangedSealIsFound() throws {
        let (f, clock, store) = try history([2024])
        clock.set(date(2025, 2, 1))
        try f.fill(store, 2, clock: clock)
        try f.sqlite3("DROP TRIGGER seals_no_update; UPDATE seals SET count = 2, last_seq = 2 WHERE year = 2024;")
        let r = store.verify()
        #expect(!r.intact && r.problem == .seal && r.firstBadSequence == 2, "\(r.message)")
    }

    @Test func archivingRefusesTheCurrentYear() throws {
        let (_, _, store) = try history([2025])
        #expect { try store.archive(year: 2025) } throws: { ($0 as? HistoryError)?.code == .refused }
    }

    @Test func anArchivedYearLeavesTheLiveDatabaseAndIsStillQueriedAndVerified() throws {
        let (f, clock, store) = try history([2024, 2025])
        clock.set(date(2026, 1, 10))
        let receipt = try store.archive(year: 2024)
        #expect(receipt.count == 3 && FileManager.default.fileExists(atPath: f.configuration.archivePath(year: 2024)))
        #expect(try store.queue.read { try Int.fetchOne($0, sql: "SELECT MIN(seq) FROM events") } == 4)
        let all = try store.events()
        #expect(all.map(\.sequence) == Array(1...7))
        #expect(all.last?.kind == .historyArchived && all.last?.details.year == 2024 && all.last?.details.digest == receipt.fileDigest)
        #expect(try store.events(matching: EventFilter(from: date(2024, 1, 1), to: date(2025, 1, 1))).count == 3)
        let r = store.verify()
        #expect(r.intact && r.sealedYears == [2024, 2025] && r.eventsChecked == 7)
        let split = store.verify(keys: nil, witnessFiles: nil, policy: WalkPolicy(minimumEvents: 1, maximumChunks: 2))
        #expect(split.intact && split.eventsChecked == 7 && split.checkpointsChecked == r.checkpointsChecked)
        // The year 2025 is closed now too, and can follow.
        _ = try store.archive(year: 2025)
        #expect(store.verify().intact)
        #expect { try store.archive(year: 2025) } throws: { ($0 as? HistoryError)?.code == .refused }
    }

    /// Found by the seven-year campaign (history-years): the check of a new archive knew no stored subtree, so a year
    /// of 256 events or more (the first stored level) could never be archived.
    @Test func yearsOfHundredsOfEventsAreArchivedWithSubtreesInsideTheYearAndAcrossItsStart() throws {
        let f = try HistoryFixture(every: 100)
        let clock = FixedClock(date(2023, 6, 1))
        let store = try f.store(clock: clock)
        try f.fill(store, 300, clock: clock)
        clock.set(date(2024, 6, 1))
        try f.fill(store, 700, clock: clock)
        clock.set(date(2025, 1, 10))
        // 2023 holds events 1…300 (the subtree of 1…256 inside it); 2024 holds 301…1000, with 257…512 reaching back
        // into 2023 and 513…768 inside it.
        #expect(try store.archive(year: 2023).count == 300)
        #expect(try store.archive(year: 2024).count == 700)
        let r = store.verify()
        #expect(r.intact && r.sealedYears == [2023, 2024] && r.eventsChecked == 1002, "\(r.message)")
        #expect(try store.events(matching: EventFilter(from: date(2024, 1, 1), to: date(2025, 1, 1))).count == 700)
    }

    @Test func aChangedArchiveFileIsFound() throws {
        let (f, clock, store) = try history([2024, 2025])
        clock.set(date(2026, 1, 10))
        _ = try store.archive(year: 2024)
        try f.sqlite3("DROP TRIGGER events_no_update; UPDATE events SET actor = 'x' WHERE seq = 2;", database: f.configuration.archivePath(year: 2024))
        let r = store.verify()
        #expect(r.problem == .archive && r.firstBadSequence == 1)
    }

    @Test func aMissingArchiveFileIsFound() throws {
        let (f, clock, store) = try history([2024, 2025])
        clock.set(date(2026, 1, 10))
        _ = try store.archive(year: 2024)
        try FileManager.default.removeItem(atPath: f.configuration.archivePath(year: 2024))
        let r = store.verify()
        #expect(r.problem == .archive && r.firstBadSequence == 1 && r.message.contains("missing"))
    }

    /// The archive files are hashed on a thread of their own while verification goes on; a FIFO in an archive's
    /// place must not block it (opening a FIFO for reading waits for a writer).
    @Test func anArchiveReplacedByAFIFOIsReportedNotWaitedFor() throws {
        let (f, clock, store) = try history([2024, 2025])
        clock.set(date(2026, 1, 10))
        _ = try store.archive(year: 2024)
        let path = f.configuration.archivePath(year: 2024)
        try FileManager.default.removeItem(atPath: path)
        #expect(mkfifo(path, 0o600) == 0)
        let r = store.verify()
        #expect(r.problem == .archive && r.firstBadSequence == 1 && r.message.contains("not a regular file"), "\(r.message)")
    }

    @Test func pruneRefusesAYearWhoseArchiveFileIsMissing() throws {
        let (f, clock, store) = try history([2019, 2020])
        clock.set(date(2021, 1, 5))
        _ = try store.archive(year: 2019)
        try FileManager.default.removeItem(atPath: f.configuration.archivePath(year: 2019))
        clock.set(date(2030, 1, 1))
        #expect { try store.prune(before: 2020) } throws: { ($0 as? HistoryError)?.code == .archive }
        #expect(try store.queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM events WHERE kind = 'system.history.purged'") } == 0)
    }

    @Test func pruneRefusesAYearOnlySixYearsAnd364DaysOld() throws {
        let (_, clock, store) = try history([2019, 2020, 2021])
        clock.set(date(2022, 1, 5))
        _ = try store.archive(year: 2019)
        // 2019 ends at 2020-01-01T00:00Z; seven years later is 2027-01-01T00:00Z.
        clock.set(date(2026, 12, 31))
        #expect { try store.prune(before: 2020) } throws: { ($0 as? HistoryError)?.code == .refused }
        clock.set(date(2027, 1, 1) - 0.001)
        #expect { try store.prune(before: 2020) } throws: { ($0 as? HistoryError)?.code == .refused }
        #expect(try store.status().archivedYears == [2019])
    }

    @Test func pruneRemovesAYearSevenYearsOldAndVerifyStillPasses() throws {
        let (f, clock, store) = try history([2019, 2020, 2021])
        clock.set(date(2022, 1, 5))
        _ = try store.archive(year: 2019)
        _ = try store.archive(year: 2020)
        clock.set(date(2027, 1, 1))
        #expect { try store.prune(before: 2021) } throws: { ($0 as? HistoryError)?.code == .refused && "\($0)".contains("2020") }
        let r = try store.prune(before: 2020)
        #expect(r.years == [2019])
        #expect(!FileManager.default.fileExists(atPath: f.configuration.archivePath(year: 2019)))
        let purge = try #require(try store.events(matching: EventFilter(kinds: ["system.history.purged"])).first)
        #expect(purge.details.year == 2019 && purge.details.count == 3)
        #expect(try store.events().first?.sequence == 4) // 2019's events are gone, 2020's are read from its archive
        let v = store.verify()
        #expect(v.intact && v.sealedYears == [2019, 2020, 2021, 2022]) // 2022 holds the archive events
        #expect(v.eventsChecked == Int64(v.lastSequence) - 3)
    }

    @Test func pruneRefusesAYearThatIsNotArchived() throws {
        let (_, clock, store) = try history([2019, 2020])
        clock.set(date(2030, 1, 1))
        #expect { try store.prune(before: 2020) } throws: { ($0 as? HistoryError)?.code == .refused && "\($0)".contains("not archived") }
    }

    @Test func aLongerRetentionIsHonoured() throws {
        var (f, clock, store) = try history([2019, 2020])
        clock.set(date(2021, 1, 5))
        _ = try store.archive(year: 2019)
        f.configuration.retentionYears = 10
        store = try HistoryStore(configuration: f.configuration, signingKey: f.key, clock: clock)
        clock.set(date(2027, 6, 1))
        #expect { try store.prune(before: 2020) } throws: { ($0 as? HistoryError)?.code == .refused }
        clock.set(date(2030, 1, 1))
        #expect(try store.prune(before: 2020).years == [2019])
    }

    @Test func anExportVerifiesElsewhereWithThePublicKeyAndShowsTampering() throws {
        let (f, clock, store) = try history([2019, 2020, 2021])
        clock.set(date(2022, 1, 5))
        _ = try store.archive(year: 2019)
        _ = try store.archive(year: 2020)
        clock.set(date(2027, 2, 1))
        _ = try store.prune(before: 2020)
        let path = f.dir + "/export.sqlite"
        let n = try HistoryExport.write(store, to: path, keys: CheckpointKeySchedule(single: f.key.publicKey))
        #expect(n == store.verify().eventsChecked)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        let key = CheckpointKeySchedule(single: try CheckpointPublicKey(hex: f.key.publicKey.hex))
        #expect(try HistoryExport.embeddedKeys(path) == key)
        let ok = HistoryExport.verify(path, keys: key)
        #expect(ok.intact && ok.outcome == .intact && ok.sealedYears == [2019, 2020, 2021, 2022], "\(ok.message)")
        let stranger = CheckpointKeySchedule(single: try CheckpointSigningKey.create(f.dir + "/stranger.key").publicKey)
        #expect(HistoryExport.verify(path, keys: stranger).problem == .checkpointSignature)
        try f.sqlite3("DROP TRIGGER events_no_update; UPDATE events SET place = 'elsewhere' WHERE seq = 5;", database: path)
        let bad = HistoryExport.verify(path, keys: key)
        #expect(bad.firstBadSequence == 5 && bad.problem == .hashMismatch)
        let split = HistoryExport.verify(path, keys: key, policy: WalkPolicy(minimumEvents: 1, maximumChunks: 2))
        #expect(split.firstBadSequence == 5 && split.problem == .hashMismatch)
    }

    @Test func anExportMissingAWholeYearWithoutAPurgeRecordIsRefused() throws {
        let (f, clock, store) = try history([2020, 2021])
        clock.set(date(2022, 1, 5))
        try store.append(NewEvent(kind: .operation, result: .success))
        let path = f.dir + "/export.sqlite"
        _ = try HistoryExport.write(store, to: path, keys: CheckpointKeySchedule(single: f.key.publicKey))
        try f.sqlite3("DROP TRIGGER events_no_delete; DROP TRIGGER checkpoints_no_delete; DELETE FROM events WHERE year = 2021; DELETE FROM checkpoints WHERE year = 2021;", database: path)
        let r = HistoryExport.verify(path, keys: CheckpointKeySchedule(single: f.key.publicKey))
        #expect(!r.intact && r.firstBadSequence == 4)
    }

    @Test func theSealCommitsToTheTreeAndItsLastCheckpoint() throws {
        let (_, clock, store) = try history([2024])
        clock.set(date(2025, 1, 1))
        try store.append(NewEvent(kind: .systemStart, result: .success))
        let seal = try #require(try store.queue.read { try HistoryStore.seals($0) }.first)
        let cp = try store.queue.read { db in try Checkpoint(parsing: try String.fetchOne(db, sql: "SELECT note FROM checkpoints WHERE size = 3")!) }
        #expect(seal.treeRoot == cp.root && seal.lastCheckpoint == cp.number && seal.lastCheckpointHash == cp.hash)
    }

    @Test func twoChangedNodesThatEndASealedYearAreReportedTheSameWayEveryTime() throws {
        // Three events in 2024: the tree at the seal ends in two small stored nodes (events 1…2 and event 3).
        let (f, clock, store) = try history([2024])
        clock.set(date(2025, 1, 1))
        try store.append(NewEvent(kind: .systemStart, result: .success))
        try f.sqlite3("DROP TRIGGER tree_nodes_no_update; UPDATE tree_nodes SET hash = zeroblob(32) WHERE level < 2;")
        // The report names the lowest changed node, not whichever a dictionary happened to hand out first (its
        // order differs from one dictionary to the next, so one run was not enough to show it).
        for _ in 0..<20 {
            let r = store.verify()
            #expect(r.problem == .treeNode && r.firstBadSequence == 1 && r.message.contains("level 1, index 0"), "\(r.message)")
        }
    }

    @Test func aReplacedArchiveFileIsFound() throws {
        let (f, clock, store) = try history([2024, 2025])
        clock.set(date(2026, 1, 10))
        _ = try store.archive(year: 2024)
        // Another history's archive of the same year, put in its place.
        let (g, otherClock, other) = try history([2024, 2025])
        otherClock.set(date(2026, 1, 10))
        _ = try other.archive(year: 2024)
        try FileManager.default.removeItem(atPath: f.configuration.archivePath(year: 2024))
        try FileManager.default.copyItem(atPath: g.configuration.archivePath(year: 2024), toPath: f.configuration.archivePath(year: 2024))
        let r = store.verify()
        #expect(r.problem == .archive && r.firstBadSequence == 1 && r.message.contains("replaced"))
    }

    @Test func pruneNeverRemovesAPathTakenFromTheDatabase() throws {
        let (f, clock, store) = try history([2019, 2020])
        clock.set(date(2021, 1, 5))
        _ = try store.archive(year: 2019)
        let victim = f.dir + "/victim.txt"
        try "keep me".write(toFile: victim, atomically: true, encoding: .utf8)
        let q = try DatabaseQueue(path: f.configuration.databasePath)
        try q.write { try $0.execute(sql: "DROP TRIGGER archives_no_update; UPDATE archives SET file = '../victim.txt' WHERE year = 2019") }
        clock.set(date(2030, 1, 1))
        #expect { try store.prune(before: 2020) } throws: { ($0 as? HistoryError)?.code == .archive && "\($0)".contains("victim") }
        #expect(FileManager.default.fileExists(atPath: victim) && FileManager.default.fileExists(atPath: f.configuration.archivePath(year: 2019)))
    }

    @Test func pruneRefusesAHistoryThatDoesNotVerify() throws {
        let (f, clock, store) = try history([2019, 2020, 2021])
        clock.set(date(2022, 1, 5))
        _ = try store.archive(year: 2019)
        try f.sqlite3("DROP TRIGGER events_no_update; UPDATE events SET actor = 'x' WHERE seq = 8;")
        clock.set(date(2027, 1, 1))
        #expect { try store.prune(before: 2020) } throws: { ($0 as? HistoryError)?.code == .archive && "\($0)".contains("does not verify") }
        #expect(FileManager.default.fileExists(atPath: f.configuration.archivePath(year: 2019)))
    }

    @Test func archiveFilesAreCreatedOwnerOnly() throws {
        let (f, clock, store) = try history([2024, 2025])
        clock.set(date(2026, 1, 10))
        _ = try store.archive(year: 2024)
        #expect((try FileManager.default.attributesOfItem(atPath: f.configuration.archivePath(year: 2024))[.posixPermissions] as? Int) == 0o600)
    }
}
