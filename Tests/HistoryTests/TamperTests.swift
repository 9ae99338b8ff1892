import Foundation
import GRDB
import Testing
import Vocabulary
@testable import History

/// Each tampering is done to the database file from outside (the sqlite3 tool, or raw SQL with the triggers
/// dropped); `verify` must name the right sequence number. Checkpoints fall at 1, 6, 11, 16 (every 5 events).
@Suite struct TamperTests {
    let f: HistoryFixture
    let receipts: [AppendReceipt]

    init() throws {
        f = try HistoryFixture(every: 5)
        let clock = FixedClock(date(2026, 6, 1))
        let store = try f.store(clock: clock)
        receipts = try f.fill(store, 20, clock: clock)
        #expect(store.verify().intact)
    }

    /// Verifies on one thread and split into three chunks (borders at 8 and 15); both must say the same.
    func verify(sourceLocation: SourceLocation = #_sourceLocation) throws -> VerificationReport {
        let store = try f.store()
        let one = store.verify(publicKey: nil, checkpointCopy: nil, policy: .sequential)
        let split = store.verify(publicKey: nil, checkpointCopy: nil, policy: WalkPolicy(minimumEvents: 1, maximumChunks: 3))
        #expect(split.intact == one.intact && split.firstBadSequence == one.firstBadSequence && split.problem == one.problem, "split: \(split.message) / one thread: \(one.message)", sourceLocation: sourceLocation)
        return one
    }

    @Test func intactHistoryVerifies() throws {
        let r = try verify()
        #expect(r.intact && r.eventsChecked == 20 && r.lastSequence == 20)
        #expect(r.checkpointsChecked == 4) // the copy's four equal them byte for byte
        #expect(r.unsignedEvents == 4)
    }

    @Test func aChangedFieldIsFoundAtItsSequence() throws {
        try f.sqlite3("DROP TRIGGER events_no_update; UPDATE events SET actor = 'op-X' WHERE seq = 7;")
        let r = try verify()
        #expect(!r.intact && r.firstBadSequence == 7 && r.problem == .hashMismatch)
    }

    @Test func aDeletedEventIsFoundAtItsSequence() throws {
        try f.sqlite3("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 9;")
        let r = try verify()
        #expect(r.firstBadSequence == 9 && r.problem == .missingEvent)
    }

    @Test func anInsertedEventIsFoundAtItsSequence() throws {
        let q = try f.rawWithoutTriggers()
        try q.write { db in
            try db.execute(sql: "UPDATE events SET seq = seq + 1000 WHERE seq >= 8")
            try db.execute(sql: "UPDATE events SET seq = seq - 999 WHERE seq >= 1008")
            let seven = try Row.fetchOne(db, sql: "SELECT time, hash FROM events WHERE seq = 7")!
            let time: Int64 = seven[0]
            let details = try EventDetails(reason: "forged").encoded()
            let hash = forgedHash(seq: 8, time: time, kind: "door.entry", result: "success", actor: "intruder", card: nil,
                                  place: "電算室", details: details, previous: [UInt8](seven[1] as Data))
            try db.execute(sql: "INSERT INTO events VALUES (8, 2026, ?, 'door.entry', 'success', 'intruder', NULL, '電算室', ?, ?, ?)",
                           arguments: [time, Data(details), seven[1] as Data, Data(hash)])
        }
        let r = try verify()
        #expect(r.firstBadSequence == 8 && r.problem == .insertedEvent)
    }

    @Test func twoSwappedEventsAreFoundAtTheFirstOfThem() throws {
        try f.sqlite3("""
            DROP TRIGGER events_no_update;
            UPDATE events SET seq = -1 WHERE seq = 12; UPDATE events SET seq = 12 WHERE seq = 13; UPDATE events SET seq = 13 WHERE seq = -1;
            """)
        let r = try verify()
        #expect(r.firstBadSequence == 12 && !r.intact)
    }

    @Test func aTailCutAfterACopiedCheckpointIsFound() throws {
        try f.sqlite3("DROP TRIGGER events_no_delete; DROP TRIGGER checkpoints_no_delete; DELETE FROM events WHERE seq >= 15; DELETE FROM checkpoints WHERE seq >= 15;")
        let r = try verify()
        #expect(r.firstBadSequence == 15 && r.problem == .truncated)
        #expect(r.message.contains("16"))
    }

    @Test func aChainRebuiltWithoutTheKeyIsFoundFromTheLastGoodCheckpoint() throws {
        let q = try f.rawWithoutTriggers()
        try q.write { db in
            var previous = [UInt8](try Data.fetchOne(db, sql: "SELECT hash FROM events WHERE seq = 7")!)
            for row in try Row.fetchAll(db, sql: "SELECT seq, time, kind, result, actor, card, place, details FROM events WHERE seq >= 8 ORDER BY seq") {
                let seq: Int64 = row[0]
                let actor: String? = seq == 8 ? "someone-else" : row[4]
                let hash = forgedHash(seq: seq, time: row[1], kind: row[2], result: row[3], actor: actor, card: row[5], place: row[6],
                                      details: [UInt8](row[7] as Data), previous: previous)
                try db.execute(sql: "UPDATE events SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?", arguments: [actor, Data(previous), Data(hash), seq])
                previous = hash
            }
        }
        let r = try verify()
        // The rewrite is consistent up to the checkpoint at 11, which signed another head: events 7…11 are suspect.
        #expect(r.firstBadSequence == 7 && r.problem == .rewritten)
        #expect(r.message.contains("7…11"))
    }

    @Test func aReplacedCheckpointSignatureIsFoundAtItsSequence() throws {
        let other = try CheckpointSigningKey.create(f.dir + "/other.key")
        let cp = try #require(receipts[10].checkpoint)
        let forged = try Checkpoint.sign(year: cp.year, sequence: cp.sequence, headHash: cp.headHash, timeMillis: cp.timeMillis, key: other)
        try f.sqlite3("DROP TRIGGER checkpoints_no_update; UPDATE checkpoints SET signature = x'\(Hex.encode(forged.signature))' WHERE seq = 11;")
        let r = try verify()
        #expect(r.firstBadSequence == 11 && r.problem == .checkpointSignature)
    }

    @Test func aCheckpointMovedToAnotherEventIsRefused() throws {
        try f.sqlite3("DROP TRIGGER checkpoints_no_update; UPDATE checkpoints SET seq = 12 WHERE seq = 11;")
        let r = try verify()
        #expect(r.firstBadSequence == 11 && r.problem == .checkpointMissing) // the copy still has it at 11
        _ = FileManager.default.createFile(atPath: f.dir + "/empty-copy", contents: Data())
        let noCopy = try HistoryStore(configuration: f.configuration, signingKey: f.key).verify(checkpointCopy: f.dir + "/empty-copy")
        #expect(noCopy.firstBadSequence == 12 && noCopy.problem == .checkpointSignature)
    }

    @Test func eventsMissingAtAChunkBorderAreFound() throws {
        try f.sqlite3("DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq IN (14, 15);")
        let r = try verify()
        #expect(r.firstBadSequence == 14 && r.problem == .missingEvent)
    }

    @Test func aChangedFieldRightAfterAChunkBorderIsFound() throws {
        try f.sqlite3("DROP TRIGGER events_no_update; UPDATE events SET card = 'CLONE' WHERE seq = 15;")
        let r = try verify()
        #expect(r.firstBadSequence == 15 && r.problem == .hashMismatch)
    }

    @Test func aCheckpointDeletedFromTheDatabaseButKeptInTheCopyIsFound() throws {
        try f.sqlite3("DROP TRIGGER checkpoints_no_delete; DELETE FROM checkpoints WHERE seq = 6;")
        let r = try verify()
        #expect(r.firstBadSequence == 6 && r.problem == .checkpointMissing)
    }
}
