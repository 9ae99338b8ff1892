import Foundation
import Testing
@testable import History

/// The daemon's write path: the write-ahead log is copied into the database beside the writer, not inside a
/// decision's commit, and the store's own witness lines do not hide what others do to the database or the witness.
@Suite struct WALCheckpointTests {
    func walSize(_ f: HistoryFixture) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: f.configuration.databasePath + "-wal"))?[.size] as? Int) ?? 0
    }

    @Test func afterTheTakeOverCommitsNoLongerCheckpointAndCheckpointWALCopiesEverything() throws {
        let f = try HistoryFixture(every: 1000)
        let store = try f.store()
        try store.takeOverWALCheckpoints()
        // SQLite's automatic checkpoint runs once the log holds 1000 pages (4 MB); a few hundred appends pass that.
        try f.fill(store, 400)
        let grown = walSize(f)
        #expect(grown > 1000 * 4096, "the -wal file is \(grown) bytes: a commit still checkpointed it")
        let (logPages, copied) = try store.checkpointWAL()
        #expect(logPages > 1000 && copied == logPages)
        // The log is used again from its start: the next appends do not grow the file.
        try f.fill(store, 50)
        #expect(walSize(f) == grown)
        #expect(try store.events().count == 450)
        #expect(store.verify().intact)
    }

    @Test func withoutTheTakeOverSQLiteKeepsCheckpointingInsideCommits() throws {
        let f = try HistoryFixture(every: 1000)
        let store = try f.store()
        try f.fill(store, 400)
        #expect(walSize(f) <= 1100 * 4096)
    }

    @Test func aTailCutUnderTheRunningStoreAfterItsOwnCheckpointIsStillCaught() throws {
        let f = try HistoryFixture(every: 5)
        let store = try f.store()
        try f.fill(store, 12)  // checkpoints at 1, 6 and 11, written to the witness by this store
        #expect(try f.witnessed().map(\.size) == [1, 6, 11])
        try f.sqlite3("DROP TRIGGER IF EXISTS events_no_delete; DROP TRIGGER IF EXISTS checkpoints_no_delete; DELETE FROM events WHERE seq >= 8; DELETE FROM checkpoints WHERE size >= 8;")
        #expect { try store.append(NewEvent(kind: .operation, result: .success)) } throws: {
            ($0 as? HistoryError)?.code == .halted && "\($0)".contains("witness")
        }
    }

    @Test func aLineAnotherWriterAddsAfterTheStoresOwnIsRead() throws {
        let f = try HistoryFixture(every: 5)
        let store = try f.store()
        try f.fill(store, 7)  // checkpoints at 1 and 6
        // Another writer's checkpoint of a longer log (same key and origin: a copy of the database that went on).
        let copy = f.dir + "/copy.sqlite"
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: f.configuration.databasePath + suffix) {
            try FileManager.default.copyItem(atPath: f.configuration.databasePath + suffix, toPath: copy + suffix)
        }
        var other = f.configuration
        other.databasePath = copy
        other.witness = WitnessConfiguration(files: [f.dir + "/other.witness"])
        try FileManager.default.copyItem(atPath: f.witnessPath, toPath: f.dir + "/other.witness")
        let fork = try HistoryStore(configuration: other, signingKey: f.key)
        try f.fill(fork, 10)
        let forked = try #require(try fork.checkpoint())
        let line = WitnessFile.line(forked)
        let handle = try #require(FileHandle(forWritingAtPath: f.witnessPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line.utf8))
        try handle.close()
        // The witness now holds a checkpoint this database does not reach.
        #expect { try store.append(NewEvent(kind: .operation, result: .success)) } throws: { ($0 as? HistoryError)?.code == .halted }
    }
}
