import Foundation
import GRDB

/// The auditors' export: one SQLite file with every event still kept (archives and live), every checkpoint,
/// seal and stored tree node, and the public keys with their validity, which
/// `cardgate history verify --export FILE --public-key KEY` checks on another machine without the signing key
/// or the original database. Written from read-only connections; the file is created with mode 0600.
public enum HistoryExport {
    /// The format name in the export's `info` table.
    public static let format = "cardgate-history-export-v2"

    /// Writes the export to `path` (refusing to overwrite) and returns the number of events in it.
    public static func write(_ store: HistoryStore, to path: String, keys: CheckpointKeySchedule) throws(HistoryError) -> Int {
        guard try SecureFile.createEmpty(path) else { throw HistoryError(.refused, "\(path) already exists; choose a new file name") }
        do {
            let out = try DatabaseQueue(path: path, configuration: HistoryStore.databaseConfiguration(busyTimeout: 1, wal: false))
            defer { try? out.close() }
            let keyList = keys.entries.map { ["publicKey": $0.publicKey.hex, "validFrom": String($0.validFromMillis)] }
            try out.write { db in
                try HistorySchema.createArchive(db)
                try db.execute(sql: "CREATE TABLE info (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
                try db.execute(sql: "INSERT INTO info VALUES ('format', ?), ('keys', ?), ('exported_at', ?)",
                               arguments: [format, EventFormatter.jsonText(keyList), HistoryTime.iso(store.clock.now())])
                if let origin = store.origin { try db.execute(sql: "INSERT INTO info VALUES ('origin', ?)", arguments: [origin]) }
            }
            let archives = try store.queue.read { db in
                try Int.fetchAll(db, sql: "SELECT year FROM archives WHERE year NOT IN (SELECT year FROM purges) ORDER BY year")
            }
            for year in archives {
                let file = store.configuration.archivePath(year: year)
                guard SecureFile.isRegularFile(file) else { throw HistoryError(.archive, "the archive of \(year) (\(file)) is missing; run cardgate history verify") }
                let archive = try DatabaseQueue(path: file, configuration: HistoryStore.databaseConfiguration(busyTimeout: 1, readonly: true))
                defer { try? archive.close() }
                try archive.read { src in
                    try out.write { dst in
                        try RowCopy.copy(from: src, sql: "SELECT * FROM events ORDER BY seq", into: dst, table: "events")
                        try RowCopy.copy(from: src, sql: "SELECT * FROM checkpoints ORDER BY number", into: dst, table: "checkpoints")
                    }
                }
            }
            // One read transaction, so the live part is a consistent snapshot.
            try store.queue.read { src in
                try out.write { dst in
                    try RowCopy.copy(from: src, sql: "SELECT * FROM seals ORDER BY year", into: dst, table: "seals")
                    try RowCopy.copy(from: src, sql: "SELECT * FROM events ORDER BY seq", into: dst, table: "events")
                    try RowCopy.copy(from: src, sql: "SELECT * FROM checkpoints ORDER BY number", into: dst, table: "checkpoints")
                    try RowCopy.copy(from: src, sql: "SELECT level, idx, hash FROM tree_nodes", into: dst, table: "tree_nodes")
                }
            }
            return try out.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM events") ?? 0 }
        } catch let e as HistoryError {
            throw e
        } catch {
            throw HistoryError(.storage, "the export \(path) could not be written: \(error)")
        }
    }

    /// The public keys written into an export, with their validity (compare their fingerprints with the ones the
    /// city published before trusting them).
    public static func embeddedKeys(_ path: String) throws(HistoryError) -> CheckpointKeySchedule {
        let text: String?
        do {
            text = try DatabaseQueue(path: path, configuration: HistoryStore.databaseConfiguration(busyTimeout: 1, readonly: true)).read { db in
                guard try String.fetchOne(db, sql: "SELECT value FROM info WHERE name = 'format'") == format else {
                    throw HistoryError(.storage, "\(path) is not a \(format) file")
                }
                return try String.fetchOne(db, sql: "SELECT value FROM info WHERE name = 'keys'")
            }
        } catch let e as HistoryError { throw e } catch {
            throw HistoryError(.storage, "\(path) is not a history export: \(error)")
        }
        guard let data = text?.data(using: .utf8), let list = try? JSONDecoder().decode([[String: String]].self, from: data), !list.isEmpty else {
            throw HistoryError(.storage, "\(path) holds no valid key list")
        }
        var entries: [CheckpointKeySchedule.Entry] = []
        for item in list {
            guard let hex = item["publicKey"], let from = item["validFrom"].flatMap(Int64.init) else { throw HistoryError(.storage, "\(path) holds a malformed key") }
            var e = CheckpointKeySchedule.Entry(publicKey: try CheckpointPublicKey(hex: hex), validFrom: nil)
            e.validFromMillis = from
            entries.append(e)
        }
        return try CheckpointKeySchedule(entries)
    }

    /// Verifies an export: chain, tree, checkpoints, seals; a sealed year without events must be backed by a purge
    /// event. Whether `keys` deserve trust is the caller's question.
    public static func verify(_ path: String, keys: CheckpointKeySchedule) -> VerificationReport {
        verify(path, keys: keys, policy: .automatic)
    }

    static func verify(_ path: String, keys: CheckpointKeySchedule, policy: WalkPolicy) -> VerificationReport {
        let open: @Sendable () throws -> DatabaseQueue = { try DatabaseQueue(path: path, configuration: HistoryStore.databaseConfiguration(busyTimeout: 1, readonly: true)) }
        do {
            let queue = try open()
            defer { try? queue.close() }
            return try queue.read { db in
                let configured = try? String.fetchOne(db, sql: "SELECT value FROM info WHERE name = 'origin'")
                var inputs = VerificationInputs(schedule: keys, origin: VerificationInputs.origin(configured: configured ?? nil, db: db, schedule: keys),
                                                witnessConfigured: false)
                inputs.witnessApplies = false
                try inputs.load(db, source: "the export")
                let v = ChainVerifier(marks: inputs.marks, storedNodes: inputs.stored)
                let frontier = inputs.stored.merging(inputs.small) { a, _ in a }
                var skipped: [YearSeal] = []
                var walkFailure: VerifyFailure?
                do {
                    for seal in inputs.seals {
                        try v.beginSealedYear(seal)
                        let present = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE seq BETWEEN ? AND ?", arguments: [seal.firstSequence, seal.lastSequence]) ?? 0
                        if present == 0 {
                            try v.skipPurgedYear(seal, frontier: frontier)
                            skipped.append(seal)
                            continue
                        }
                        try v.walk(db, open: open, where: "WHERE seq BETWEEN ? AND ?", arguments: [seal.firstSequence, seal.lastSequence], year: seal.year, policy: policy)
                        try v.endSealedYear(seal)
                    }
                    try v.walk(db, open: open, where: "WHERE seq > ?", arguments: [inputs.seals.last?.lastSequence ?? 0], year: nil, policy: policy)
                } catch let f as VerifyFailure {
                    walkFailure = f
                }
                inputs.purgedYears = Set(skipped.map(\.year))
                return inputs.report(v, walkFailure: walkFailure) { () throws(VerifyFailure) in
                    let lastSkipped = skipped.map(\.year).max() ?? Int.min
                    for seal in skipped {
                        let claim = v.purgeClaims[seal.year] ?? (lastSkipped > seal.year ? seal.hash : nil)
                        guard let claim, constantTimeEqual(claim, seal.hash) else {
                            throw VerifyFailure(sequence: seal.firstSequence, problem: .missingEvent, message: "the events of \(seal.year) are missing from the export and no purge event records their removal")
                        }
                    }
                }
            }
        } catch let f as VerifyFailure {
            return VerificationInputs.unverifiable(f.message)
        } catch {
            return VerificationInputs.unverifiable("\(path) could not be read as a history export: \(error)")
        }
    }
}
