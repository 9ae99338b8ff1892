import Foundation
import GRDB
import Testing
@testable import History

/// The daemon's side of the witness: a database that no longer extends what was witnessed raises the alarm, halts
/// every write, and only an administrator's acknowledgement (or a restored backup) lets it record again.
@Suite struct WitnessAlarmTests {
    func cutTail(_ f: HistoryFixture, from seq: Int) throws {
        try f.sqlite3("DROP TRIGGER IF EXISTS events_no_delete; DROP TRIGGER IF EXISTS checkpoints_no_delete; DELETE FROM events WHERE seq >= \(seq); DELETE FROM checkpoints WHERE size >= \(seq);")
    }

    @Test func aRewriteBelowTheWitnessedCheckpointStopsTheNextSigningWithAnAlarm() throws {
        let f = try HistoryFixture(every: 5)
        try f.fill(try f.store(), 12)
        // Rewrite event 3 and everything after it, and rebuild the tree; nothing is cut, so the size check passes.
        let q = try f.rawWithoutTriggers()
        try q.write { db in
            try db.execute(sql: "DELETE FROM checkpoints WHERE number > 1")
            var previous = [UInt8](try Data.fetchOne(db, sql: "SELECT hash FROM events WHERE seq = 2")!)
            for row in try Row.fetchAll(db, sql: "SELECT seq, time, kind, result, actor, card, place, details FROM events WHERE seq >= 3 ORDER BY seq") {
                let actor: String? = (row[0] as Int64) == 3 ? "nobody" : row[4]
                let hash = forgedHash(seq: row[0], time: row[1], kind: row[2], result: row[3], actor: actor, card: row[5], place: row[6],
                                      details: [UInt8](row[7] as Data), previous: previous)
                try db.execute(sql: "UPDATE events SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?", arguments: [actor, Data(previous), Data(hash), row[0] as Int64])
                previous = hash
            }
        }
        let store = try f.store()
        #expect { try store.append(NewEvent(kind: .operation, result: .success)) } throws: {
            ($0 as? HistoryError)?.code == .halted && "\($0)".contains("rewritten")
        }
        #expect(try store.events().last?.details.reason == "witness-rewritten")
        #expect(try f.witnessed().map(\.size) == [1, 6, 11]) // nothing new was signed
    }

    @Test func anAdministratorsAcknowledgementClearsTheHaltAndVerifyKeepsReportingTheIncident() throws {
        let f = try HistoryFixture(every: 5)
        try f.fill(try f.store(), 20)
        try cutTail(f, from: 15)
        let store = try f.store()
        #expect { try store.append(NewEvent(kind: .operation, result: .success)) } throws: { ($0 as? HistoryError)?.code == .halted }
        #expect(try store.witnessStatus().halt != nil)
        #expect { try store.acknowledgeWitnessMismatch(by: "", reason: "x") } throws: { ($0 as? HistoryError)?.code == .invalidEvent }

        let cp = try store.acknowledgeWitnessMismatch(by: "adm-01", reason: "disk failure; events 15-20 lost")
        #expect(cp.supersedes.count == 1)
        #expect(try f.witnessed().last == cp)
        #expect(try store.haltState() == nil)
        let ack = try #require(try store.events().last)
        #expect(ack.kind == .historyAcknowledged && ack.actor == "adm-01" && ack.details.count == 16 && ack.sequence == cp.size)
        // Recording works again, and the next checkpoints chain on.
        let more = try f.fill(store, 12)
        #expect(more.compactMap(\.checkpoint).count >= 2)
        #expect { try store.acknowledgeWitnessMismatch(by: "adm-01", reason: "again") } throws: { ($0 as? HistoryError)?.code == .refused }
        let r = store.verify()
        // The witnessed checkpoint at 16 is set aside: the database's 16 events now end with the acknowledgement.
        #expect(!r.intact && r.outcome == .damaged && (r.problem == .truncated || r.problem == .rewritten) && r.message.contains("acknowledged"), "\(r.message)")
        #expect(r.acknowledgedIncidents.count == 1)
        // Damage after the incident is still reported first.
        try f.sqlite3("DROP TRIGGER events_no_update; UPDATE events SET actor = 'x' WHERE seq = 10;")
        let later = store.verify()
        #expect(later.problem == .hashMismatch && later.firstBadSequence == 10)
    }

    @Test func aSecondCutAfterAnAcknowledgementRaisesTheAlarmAgain() throws {
        let f = try HistoryFixture(every: 5)
        try f.fill(try f.store(), 20)
        try cutTail(f, from: 15)
        let store = try f.store()
        _ = try? store.append(NewEvent(kind: .operation, result: .success))
        try store.acknowledgeWitnessMismatch(by: "adm-01", reason: "first")
        try f.fill(store, 10)
        let size = try store.status().lastSequence
        try cutTail(f, from: Int(size) - 3)
        #expect { try f.store().append(NewEvent(kind: .operation, result: .success)) } throws: { ($0 as? HistoryError)?.code == .halted }
    }

    @Test func aRestoredBackupThatExtendsTheWitnessNeedsNoAcknowledgement() throws {
        let f = try HistoryFixture(every: 5)
        let store = try f.store()
        try f.fill(store, 12)
        let backup = f.dir + "/backup.sqlite"
        try store.queue.backup(to: DatabaseQueue(path: backup))
        try f.fill(store, 3)
        // The disk dies; the backup (12 events, witnessed up to 11) comes back.
        try store.queue.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: f.configuration.databasePath + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: f.configuration.databasePath)
        let restored = try f.store()
        #expect(try restored.append(NewEvent(kind: .systemStart, result: .success)).sequence == 13)
    }

    @Test func aWitnessLineWhoseSignatureNoLongerVerifiesRaisesTheAlarmUntilAcknowledged() throws {
        let f = try HistoryFixture(every: 5)
        let store = try f.store()
        try f.fill(store, 12)
        // Flip one signature byte of the newest line: the note still parses, its signature fails.
        var lines = try f.witnessLines()
        var note = [UInt8](Data(base64Encoded: lines[2])!)
        let signature = note.lastIndex(of: UInt8(ascii: " "))! + 10
        note[signature] = note[signature] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        lines[2] = Data(note).base64EncodedString()
        try (lines.joined(separator: "\n") + "\n").write(toFile: f.witnessPath, atomically: false, encoding: .utf8)
        let restarted = try f.store()
        #expect { try restarted.append(NewEvent(kind: .operation, result: .success)) } throws: { ($0 as? HistoryError)?.code == .halted }
        #expect(try restarted.events().last?.details.reason == "witness-invalid")
        let cp = try restarted.acknowledgeWitnessMismatch(by: "adm-01", reason: "witness disk error")
        #expect(cp.supersedes.count == 1)
        #expect(try restarted.append(NewEvent(kind: .operation, result: .success)).sequence == cp.size + 1)
    }

    @Test func theWitnessStatusShowsAWitnessAheadOfTheDatabase() throws {
        let f = try HistoryFixture(every: 5)
        try f.fill(try f.store(), 20)
        try cutTail(f, from: 15)
        let status = try HistoryStore.openForReading(f.configuration).witnessStatus()
        #expect(status.mode == .witnessed && status.files.first?.size == 16 && status.files.first?.problem?.contains("beyond") == true)
        #expect(status.treeSize == 14)
        // The test's witness shares the database's disk, which status points out.
        #expect(status.warnings.contains { $0.contains("same file system") })
    }
}
