import Foundation
import GRDB
import Testing
import Vocabulary
@testable import History

/// Each tampering is done to the database file from outside (the sqlite3 tool, or raw SQL with the triggers
/// dropped) or to the witness file; `verify` must name the right sequence number and kind of damage.
/// Checkpoints fall at 1, 6, 11, 16 (every 5 events, numbers 1…4), all witnessed.
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
        let store = try HistoryStore.openForReading(f.configuration)
        let one = store.verify(keys: nil, witnessFiles: nil, policy: .sequential)
        let split = store.verify(keys: nil, witnessFiles: nil, policy: WalkPolicy(minimumEvents: 1, maximumChunks: 3))
        #expect(split.intact == one.intact && split.firstBadSequence == one.firstBadSequence && split.problem == one.problem,
                "split: \(split.message) / one thread: \(one.message)", sourceLocation: sourceLocation)
        return one
    }

    @Test func intactHistoryVerifiesAndCountsTheUnwitnessedTail() throws {
        let r = try verify()
        #expect(r.intact && r.eventsChecked == 20 && r.lastSequence == 20)
        #expect(r.checkpointsChecked == 4 && r.witnessLinesChecked == 4)
        #expect(r.unsignedEvents == 4 && r.witnessedSize == 16 && r.unwitnessedEvents == 4 && r.outcome == .unwitnessed)
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

    @Test func theTailCutWithItsCheckpointsIsFoundThroughTheWitness() throws {
        try f.sqlite3("DROP TRIGGER events_no_delete; DROP TRIGGER checkpoints_no_delete; DELETE FROM events WHERE seq >= 15; DELETE FROM checkpoints WHERE size >= 15;")
        let r = try verify()
        #expect(r.firstBadSequence == 15 && r.problem == .truncated && r.outcome == .damaged)
        #expect(r.message.contains("16"))
    }

    @Test func theTailCutAndThenAnHonestAppendRaisesTheAlarmAndHaltsEveryWrite() throws {
        try f.sqlite3("DROP TRIGGER events_no_delete; DROP TRIGGER checkpoints_no_delete; DELETE FROM events WHERE seq >= 15; DELETE FROM checkpoints WHERE size >= 15;")
        let daemon = try f.store()
        #expect { try daemon.append(NewEvent(kind: .doorEntry, result: .success, actor: "op-1")) } throws: {
            ($0 as? HistoryError)?.code == .halted && "\($0)".contains("cut off")
        }
        // The act was not recorded; the alarm was, and no checkpoint was signed over the cut history.
        let events = try daemon.events()
        #expect(events.map(\.sequence) == Array(1...15))
        #expect(events.last?.kind == .historyAlarm && events.last?.details.reason == "witness-truncated" && events.last?.details.count == 16)
        #expect(try f.witnessed().map(\.size) == [1, 6, 11, 16])
        #expect(try daemon.haltState()?.alarmSequence == 15)
        // Every later write is refused with the same code, also from another process's store, and a checkpoint too.
        #expect { try daemon.append(NewEvent(kind: .systemStop, result: .success)) } throws: { ($0 as? HistoryError)?.code == .halted }
        #expect { try f.store().checkpoint() } throws: { ($0 as? HistoryError)?.code == .halted }
        let r = try verify()
        #expect(r.problem == .truncated && r.firstBadSequence == 16)
    }

    @Test func anEventRewrittenAndTheTreeRebuiltWithoutTheKeyIsFoundFromTheLastGoodCheckpoint() throws {
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
            try rebuildTree(db)
        }
        let r = try verify()
        // The rewrite is consistent up to the checkpoint at 11, which signed another root: events 7…11 are suspect.
        #expect(r.firstBadSequence == 7 && r.problem == .rewritten)
        #expect(r.message.contains("7…11"))
    }

    @Test func aHistoryRewrittenWithEveryCheckpointDeletedIsFoundByTheWitnessedRoots() throws {
        let q = try f.rawWithoutTriggers()
        try q.write { db in
            try db.execute(sql: "DELETE FROM checkpoints")
            try db.execute(sql: "UPDATE events SET actor = 'nobody' WHERE seq = 3")
            var previous = EventEncoding.genesis
            for row in try Row.fetchAll(db, sql: "SELECT seq, time, kind, result, actor, card, place, details FROM events ORDER BY seq") {
                let hash = forgedHash(seq: row[0], time: row[1], kind: row[2], result: row[3], actor: row[4], card: row[5], place: row[6],
                                      details: [UInt8](row[7] as Data), previous: previous)
                try db.execute(sql: "UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", arguments: [Data(previous), Data(hash), row[0] as Int64])
                previous = hash
            }
        }
        let r = try verify()
        #expect(!r.intact && (r.problem == .checkpointMissing || r.problem == .rewritten) && r.firstBadSequence == 1, "\(r.message)")
        // Without the witness, the missing checkpoints alone give it away.
        let noWitness = try HistoryStore.openForReading(f.configuration).verify(keys: nil, witnessFiles: [], policy: .sequential)
        #expect(noWitness.problem == .checkpointMissing && noWitness.firstBadSequence == 1)
    }

    @Test func aReplacedCheckpointSignatureIsFoundAtItsSequence() throws {
        let other = try CheckpointSigningKey.create(f.dir + "/other.key")
        let cp = try #require(receipts[10].checkpoint)
        let forged = try Checkpoint.sign(origin: cp.origin, size: cp.size, root: cp.root, number: cp.number, timeMillis: cp.timeMillis,
                                         previous: cp.previous, keys: [other])
        let q = try f.rawWithoutTriggers()
        try q.write { try $0.execute(sql: "UPDATE checkpoints SET note = ? WHERE number = 3", arguments: [forged.note]) }
        let r = try verify()
        #expect(r.firstBadSequence == 11 && r.problem == .checkpointSignature)
    }

    @Test func aCheckpointMovedToAnotherEventIsRefused() throws {
        try f.sqlite3("DROP TRIGGER checkpoints_no_update; UPDATE checkpoints SET size = 12 WHERE size = 11;")
        let r = try verify()
        #expect(r.firstBadSequence == 11 && r.problem == .checkpointPlace)
    }

    @Test func aCheckpointRenumberedIsRefused() throws {
        try f.sqlite3("DROP TRIGGER checkpoints_no_update; UPDATE checkpoints SET number = 9 WHERE number = 4;")
        let r = try verify()
        #expect(r.firstBadSequence == 16 && r.problem == .checkpointPlace)
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

    @Test func oneDeletedCheckpointLeavesAGapNamedAtItsWitnessedSize() throws {
        try f.sqlite3("DROP TRIGGER checkpoints_no_delete; DELETE FROM checkpoints WHERE number = 2;")
        let r = try verify()
        #expect(r.firstBadSequence == 6 && r.problem == .checkpointMissing && r.message.contains("checkpoint 2"))
        let noWitness = try HistoryStore.openForReading(f.configuration).verify(keys: nil, witnessFiles: [], policy: .sequential)
        #expect(noWitness.problem == .checkpointMissing && noWitness.firstBadSequence == 2)
    }

    @Test func everyCheckpointDeletedIsFoundWithAndWithoutTheWitness() throws {
        try f.sqlite3("DROP TRIGGER checkpoints_no_delete; DELETE FROM checkpoints;")
        let r = try verify()
        #expect(r.firstBadSequence == 1 && r.problem == .checkpointMissing)
        let noWitness = try HistoryStore.openForReading(f.configuration).verify(keys: nil, witnessFiles: [], policy: .sequential)
        #expect(noWitness.firstBadSequence == 1 && noWitness.problem == .checkpointMissing)
    }

    @Test func aChangedWitnessLineIsFound() throws {
        var lines = try f.witnessLines()
        var note = String(decoding: Data(base64Encoded: lines[1])!, as: UTF8.self)
        note = note.replacingOccurrences(of: "\n6\n", with: "\n7\n")
        lines[1] = Data(note.utf8).base64EncodedString()
        try (lines.joined(separator: "\n") + "\n").write(toFile: f.witnessPath, atomically: false, encoding: .utf8)
        let r = try verify()
        #expect(r.problem == .witness && r.firstBadSequence == 7 && r.message.contains("line 2"))
        // And a line that is not even a note.
        try (lines.joined(separator: "\n") + "\ngarbage!\n").write(toFile: f.witnessPath, atomically: false, encoding: .utf8)
        #expect(try verify().problem == .witness)
    }

    @Test func aWitnessFileReplacedByAFIFOIsRefusedNotWaitedFor() throws {
        try FileManager.default.removeItem(atPath: f.witnessPath)
        #expect(mkfifo(f.witnessPath, 0o600) == 0)
        let r = try HistoryStore.openForReading(f.configuration).verify(keys: nil, witnessFiles: nil, policy: .sequential)
        #expect(r.outcome == .unverifiable && r.message.contains("not a regular file"), "\(r.message)")
    }

    @Test func aChangedStoredTreeNodeIsFound() throws {
        let g = try HistoryFixture(every: 100)
        let store = try g.store()
        try store.append(contentsOf: (0..<600).map { NewEvent(kind: .operation, result: .success, actor: "op-\($0 % 7)") })
        try store.checkpoint()
        #expect(store.verify().intact)
        let q = try g.rawWithoutTriggers()
        try q.write { try $0.execute(sql: "UPDATE tree_nodes SET hash = zeroblob(32) WHERE level = 8 AND idx = 1") }
        let r = store.verify(keys: nil, witnessFiles: nil, policy: .sequential)
        #expect(r.problem == .treeNode && r.firstBadSequence == 257, "\(r.message)")
        let split = store.verify(keys: nil, witnessFiles: nil, policy: WalkPolicy(minimumEvents: 1, maximumChunks: 3))
        #expect(split.problem == .treeNode && split.firstBadSequence == 257, "\(split.message)")
    }

    @Test func aTailCutWithItsCheckpointsButNotItsTreeNodesIsFoundWithoutAWitness() throws {
        let g = try HistoryFixture(every: 100, witness: false)
        let store = try g.store()
        try store.append(contentsOf: (0..<600).map { NewEvent(kind: .operation, result: .success, actor: "op-\($0 % 7)") })
        try g.sqlite3("DROP TRIGGER events_no_delete; DROP TRIGGER checkpoints_no_delete; DELETE FROM events WHERE seq > 300; DELETE FROM checkpoints WHERE size > 300;")
        let r = store.verify()
        #expect(r.problem == .truncated && r.firstBadSequence == 301, "\(r.message)")
    }
}
