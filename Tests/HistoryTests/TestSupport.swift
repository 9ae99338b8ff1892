import Foundation
import GRDB
import Testing
@testable import History

/// A fresh folder with a signing key, a witness file, a configuration pointing into it, and helpers to open stores.
struct HistoryFixture {
    let dir: String
    var configuration: HistoryConfiguration
    let key: CheckpointSigningKey

    /// The witness file (in a folder of its own, as if on another disk).
    var witnessPath: String { dir + "/witness/history.witness" }

    init(every: Int = 5, minutes: Int = 15, witness: Bool = true) throws {
        dir = NSTemporaryDirectory() + "history-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/witness", withIntermediateDirectories: true)
        configuration = HistoryConfiguration(databasePath: dir + "/history.sqlite", archiveDirectory: dir + "/archive",
                                             signingKeyPath: dir + "/signing.key",
                                             witness: witness ? WitnessConfiguration(files: [dir + "/witness/history.witness"]) : .none,
                                             checkpointEveryEvents: every, checkpointEveryMinutes: minutes)
        key = try CheckpointSigningKey.create(configuration.signingKeyPath)
    }

    func store(clock: any HistoryClock = SystemClock()) throws -> HistoryStore {
        try HistoryStore(configuration: configuration, signingKey: key, clock: clock)
    }

    /// Appends `n` varied events.
    @discardableResult
    func fill(_ store: HistoryStore, _ n: Int, clock: FixedClock? = nil) throws -> [AppendReceipt] {
        var out: [AppendReceipt] = []
        for i in 0..<n {
            clock?.advance(1)
            out.append(try store.append(NewEvent(kind: i % 2 == 0 ? .doorEntry : .operation, result: .success, actor: "op-\(i % 3)",
                                                 card: "CARD\(i % 3)", place: "terminal-\(i % 2)",
                                                 details: EventDetails(operation: i % 2 == 0 ? nil : "resident.view", record: i % 2 == 0 ? nil : "R\(i)"))))
        }
        return out
    }

    /// Runs SQL with the `sqlite3` tool on the live database, as an intruder with file access would.
    func sqlite3(_ sql: String, database: String? = nil) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [database ?? configuration.databasePath, sql]
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard p.terminationStatus == 0 else { throw HistoryError(.storage, "sqlite3 failed: \(message)") }
    }

    /// A raw connection to the live database with every append-only trigger dropped.
    func rawWithoutTriggers(database: String? = nil) throws -> DatabaseQueue {
        let q = try DatabaseQueue(path: database ?? configuration.databasePath)
        try q.write { db in
            for table in ["events", "checkpoints", "seals", "tree_nodes"] {
                try db.execute(sql: "DROP TRIGGER IF EXISTS \(table)_no_update; DROP TRIGGER IF EXISTS \(table)_no_delete")
            }
        }
        return q
    }

    /// The witness file's lines.
    func witnessLines() throws -> [String] {
        try String(contentsOfFile: witnessPath, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// The checkpoints in the witness file, in order.
    func witnessed() throws -> [Checkpoint] {
        try witnessLines().map { try Checkpoint(parsing: String(decoding: Data(base64Encoded: $0)!, as: UTF8.self)) }
    }
}

/// 1 January of a year plus some days, UTC.
func date(_ year: Int, _ month: Int = 1, _ day: Int = 1, _ hour: Int = 0) -> Date {
    HistoryTime.utc.date(from: DateComponents(year: year, month: month, day: day, hour: hour))!
}

/// Recomputes an event's hash the way an intruder who knows the format would.
func forgedHash(seq: Int64, time: Int64, kind: String, result: String, actor: String?, card: String?, place: String?,
                details: [UInt8], previous: [UInt8]) -> [UInt8] {
    EventEncoding.hash(previous: previous, encoding: EventEncoding.encode(sequence: seq, timeMillis: time, kind: kind, result: result,
                                                                          actor: actor, card: card, place: place, details: details))
}

/// Rebuilds the stored tree nodes of a database from its events, as an intruder who knows the format would
/// (after rewriting events, so that the tree agrees with them; the checkpoints cannot be re-signed).
func rebuildTree(_ db: Database) throws {
    try db.execute(sql: "DELETE FROM tree_nodes")
    var range = CompactRange(begin: 0)
    for row in try Row.fetchAll(db, sql: "SELECT hash FROM events ORDER BY seq") {
        range.appendLeaf(MerkleHash.leaf(Hash32([UInt8](row[0] as Data)))) { node, h in
            if node.level >= HistoryTree.storedLevel {
                try? db.execute(sql: "INSERT INTO tree_nodes VALUES (?, ?, ?)", arguments: [node.level, Int64(node.index), Data(h.bytes)])
            }
        }
    }
}

/// A checkpoint note with the last byte of its (only) signature flipped; still a well-formed note.
func flippedSignature(_ note: String) throws -> String {
    let parts = note.split(separator: "\n", omittingEmptySubsequences: false)
    let signatureLine = try #require(parts.dropLast().last)
    let fields = signatureLine.split(separator: " ")
    var raw = try #require(Data(base64Encoded: String(fields[2])))
    raw[raw.count - 1] ^= 0x01
    return note.replacingOccurrences(of: String(signatureLine), with: "\(fields[0]) \(fields[1]) \(raw.base64EncodedString())")
}
