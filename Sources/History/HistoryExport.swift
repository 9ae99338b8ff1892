import Foundation
import GRDB

/// The auditors' export: one SQLite file with every event still kept (archives and live), every checkpoint,
/// every seal and the public key, which `cardgate history verify --export FILE --public-key HEX` checks on
/// another machine without the signing key or the original database.
public enum HistoryExport {
    /// Writes the export to `path` (refusing to overwrite) and returns the number of events in it.
    public static func write(_ store: HistoryStore, to path: String, publicKey: CheckpointPublicKey) throws(HistoryError) -> Int {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw HistoryError(.refused, "\(path) already exists; choose a new file name")
        }
        do {
            let out = try DatabaseQueue(path: path, configuration: HistoryStore.databaseConfiguration(busyTimeout: 1, wal: false))
            try out.write { db in
                try HistorySchema.createArchive(db)
                try db.execute(sql: "CREATE TABLE info (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
                try db.execute(sql: "INSERT INTO info VALUES ('format', 'cardgate-history-export-v1'), ('public_key', ?), ('exported_at', ?)",
                               arguments: [publicKey.hex, HistoryTime.iso(store.clock.now())])
            }
            try out.close()
            let archives = try store.queue.read { db in
                try Row.fetchAll(db, sql: "SELECT year, file FROM archives WHERE year NOT IN (SELECT year FROM purges) ORDER BY year")
                    .map { (year: $0[0] as Int, file: $0[1] as String) }
            }
            try store.queue.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS export", arguments: [path])
                defer { try? db.execute(sql: "DETACH DATABASE export") }
                for a in archives {
                    let file = (store.configuration.archiveDirectory as NSString).appendingPathComponent(a.file)
                    try db.execute(sql: "ATTACH DATABASE ? AS year", arguments: [file])
                    defer { try? db.execute(sql: "DETACH DATABASE year") }
                    try db.execute(sql: "INSERT INTO export.events SELECT * FROM year.events ORDER BY seq")
                    try db.execute(sql: "INSERT INTO export.checkpoints SELECT * FROM year.checkpoints ORDER BY seq")
                }
                // One read transaction so the live part is a consistent snapshot.
                try db.inTransaction(.deferred) {
                    try db.execute(sql: "INSERT INTO export.seals SELECT * FROM main.seals ORDER BY year")
                    try db.execute(sql: "INSERT INTO export.events SELECT * FROM main.events ORDER BY seq")
                    try db.execute(sql: "INSERT INTO export.checkpoints SELECT * FROM main.checkpoints ORDER BY seq")
                    return .commit
                }
            }
            return try DatabaseQueue(path: path, configuration: HistoryStore.databaseConfiguration(busyTimeout: 1, readonly: true))
                .read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM events") ?? 0 }
        } catch let e as HistoryError {
            throw e
        } catch {
            throw HistoryError(.storage, "the export \(path) could not be written: \(error)")
        }
    }

    /// The public key written into an export (compare its fingerprint with the one the city published).
    public static func embeddedPublicKey(_ path: String) throws(HistoryError) -> CheckpointPublicKey {
        let hex: String?
        do {
            hex = try DatabaseQueue(path: path, configuration: HistoryStore.databaseConfiguration(busyTimeout: 1, readonly: true))
                .read { try String.fetchOne($0, sql: "SELECT value FROM info WHERE name = 'public_key'") }
        } catch {
            throw HistoryError(.storage, "\(path) is not a history export: \(error)")
        }
        guard let hex else { throw HistoryError(.storage, "\(path) holds no public key") }
        return try CheckpointPublicKey(hex: hex)
    }

    /// Verifies an export: chain, checkpoints, seals; a sealed year without events must be backed by a purge event.
    public static func verify(_ path: String, publicKey: CheckpointPublicKey) -> VerificationReport {
        verify(path, publicKey: publicKey, policy: .automatic)
    }

    static func verify(_ path: String, publicKey: CheckpointPublicKey, policy: WalkPolicy) -> VerificationReport {
        let open: @Sendable () throws -> DatabaseQueue = { try DatabaseQueue(path: path, configuration: HistoryStore.databaseConfiguration(busyTimeout: 1, readonly: true)) }
        let v = ChainVerifier(publicKey: publicKey, copies: [])
        do {
            let db = try DatabaseQueue(path: path, configuration: HistoryStore.databaseConfiguration(busyTimeout: 1, readonly: true))
            try db.read { db in
                let seals = try HistoryStore.seals(db)
                var cps = try ChainVerifier.loadCheckpoints(db)
                var skipped: [YearSeal] = []
                for seal in seals {
                    try v.beginSealedYear(seal)
                    let present = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE seq BETWEEN ? AND ?", arguments: [seal.firstSequence, seal.lastSequence]) ?? 0
                    if present == 0 {
                        v.skipSealedYear(seal)
                        skipped.append(seal)
                        continue
                    }
                    try v.walk(db, open: open, where: "WHERE seq BETWEEN ? AND ?", arguments: [seal.firstSequence, seal.lastSequence], year: seal.year, checkpoints: &cps, policy: policy)
                    try v.endSealedYear(seal)
                }
                try v.walk(db, open: open, where: "WHERE seq > ?", arguments: [seals.last?.lastSequence ?? 0], year: nil, checkpoints: &cps, policy: policy)
                try v.checkLeftovers(cps.filter { s, _ in !skipped.contains { $0.firstSequence <= s && s <= $0.lastSequence } }, source: "checkpoint in the export")
                let lastSkipped = skipped.map(\.year).max() ?? Int.min
                for seal in skipped {
                    let claim = v.purgeClaims[seal.year] ?? (lastSkipped > seal.year ? seal.hash : nil)
                    guard let claim, constantTimeEqual(claim, seal.hash) else {
                        throw VerifyFailure(sequence: seal.firstSequence, problem: .missingEvent, message: "the events of \(seal.year) are missing from the export and no purge event records their removal")
                    }
                }
            }
        } catch let f as VerifyFailure {
            return v.report(f)
        } catch {
            return v.report(VerifyFailure(sequence: nil, problem: .unverifiable, message: "\(path) could not be read as a history export: \(error)"))
        }
        return v.report(nil)
    }
}
