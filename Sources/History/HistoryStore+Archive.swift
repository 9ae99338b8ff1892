import Foundation
import GRDB

/// What `archive(year:)` did.
public struct ArchiveReceipt: Sendable, Equatable {
    /// The year archived.
    public let year: Int
    /// The archive file.
    public let path: String
    /// Events moved out of the live database.
    public let count: Int64
    /// SHA-256 of the archive file, also recorded in the chain.
    public let fileDigest: [UInt8]
    /// The `system.history.archived` event recording it.
    public let event: AppendReceipt
}

/// What `prune(before:)` removed.
public struct PruneReceipt: Sendable, Equatable {
    /// The years removed, each recorded by a `system.history.purged` event.
    public let years: [Int]
}

extension HistoryStore {
    /// Writes a closed year to its own archive file, verifies it, records it in the chain, then drops the
    /// year from the live database. The year must be before the current one and hold events.
    public func archive(year: Int) throws(HistoryError) -> ArchiveReceipt {
        let now = clock.now()
        guard year < HistoryTime.year(ofMillis: HistoryTime.millis(now)) else {
            throw HistoryError(.refused, "year \(year) is not closed yet; only years before the current one can be archived")
        }
        // 1. Seal the year if the next year has not started yet.
        let (seal, signed) = try write { db, key -> (YearSeal, [Checkpoint]) in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM archives WHERE year = ?", arguments: [year]) != nil {
                throw HistoryError(.refused, "year \(year) is already archived")
            }
            if let seal = try Self.seals(db, where: "WHERE year = ?", arguments: [year]).first { return (seal, []) }
            guard let head = try Self.head(db), head.year == year else {
                throw HistoryError(.refused, "no events were recorded in \(year)")
            }
            var signed: [Checkpoint] = []
            let seal = try Self.sealYear(of: head, after: try Self.lastSeal(db), now: HistoryTime.millis(now), key: key, db, signed: &signed)
            return (seal, signed)
        }
        try copy(signed)

        // 2. Copy the year's events, checkpoints and seal into a new file and check it.
        let path = configuration.archivePath(year: year)
        let partial = path + ".partial"
        let fm = FileManager.default
        guard !fm.fileExists(atPath: path) else {
            throw HistoryError(.archive, "the archive file \(path) already exists; move it away after checking it")
        }
        do {
            try fm.createDirectory(atPath: configuration.archiveDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            if fm.fileExists(atPath: partial) { try fm.removeItem(atPath: partial) }
            let archive = try DatabaseQueue(path: partial, configuration: Self.databaseConfiguration(busyTimeout: 1, wal: false))
            try archive.write { try HistorySchema.createArchive($0) }
            try archive.close()
            chmod(partial, 0o600)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS archive", arguments: [partial])
                defer { try? db.execute(sql: "DETACH DATABASE archive") }
                try db.execute(sql: "PRAGMA archive.synchronous = FULL")
                try db.inTransaction(.immediate) {
                    let range: StatementArguments = [seal.firstSequence, seal.lastSequence]
                    try db.execute(sql: "INSERT INTO archive.events SELECT * FROM main.events WHERE seq BETWEEN ? AND ? ORDER BY seq", arguments: range)
                    try db.execute(sql: "INSERT INTO archive.checkpoints SELECT * FROM main.checkpoints WHERE seq BETWEEN ? AND ? ORDER BY seq", arguments: range)
                    try db.execute(sql: "INSERT INTO archive.seals SELECT * FROM main.seals WHERE year = ?", arguments: [year])
                    return .commit
                }
            }
            let check = try DatabaseQueue(path: partial, configuration: Self.databaseConfiguration(busyTimeout: 1, readonly: true))
            let verifier = ChainVerifier(publicKey: signingKey!.publicKey, copies: [])
            verifier.expectedSequence = seal.firstSequence
            verifier.previousHash = seal.previousSealHash
            verifier.previousSealHash = seal.previousSealHash
            try check.read { adb in
                var cps = try ChainVerifier.loadCheckpoints(adb)
                try verifier.walk(adb, where: "", arguments: [], year: year, checkpoints: &cps)
                try verifier.checkLeftovers(cps, source: "checkpoint in the new archive")
                try verifier.endSealedYear(seal)
            }
            try check.close()
            try fm.moveItem(atPath: partial, toPath: path)
            fsyncDirectory(configuration.archiveDirectory)
        } catch let e as HistoryError {
            throw e
        } catch let f as VerifyFailure {
            throw HistoryError(.archive, "the archive of \(year) did not verify, nothing was dropped: \(f.message)")
        } catch {
            throw HistoryError(.archive, "the archive of \(year) could not be written, nothing was dropped: \(error)")
        }
        let digest = try sha256(fileAt: path)

        // 3. Record it in the chain and drop the year from the live database, in one transaction.
        let (event, signed2) = try write { db, key -> (AppendReceipt, [Checkpoint]) in
            try db.execute(sql: "INSERT INTO archives (year, file, file_sha256, archived_at) VALUES (?, ?, ?, ?)",
                           arguments: [year, (path as NSString).lastPathComponent, Data(digest), HistoryTime.millis(now)])
            let (receipt, signed) = try self.appendLocked(db, NewEvent(kind: .historyArchived, result: .success, details: EventDetails(year: year, count: Int(seal.count), digest: digest)), key: key)
            let range: StatementArguments = [seal.firstSequence, seal.lastSequence]
            try db.execute(sql: "DELETE FROM checkpoints WHERE seq BETWEEN ? AND ?", arguments: range)
            try db.execute(sql: "DELETE FROM events WHERE seq BETWEEN ? AND ?", arguments: range)
            return (receipt, signed)
        }
        try copy(signed2)
        return ArchiveReceipt(year: year, path: path, count: seal.count, fileDigest: digest, event: event)
    }

    /// Whether every event of `year` is older than the retention period at `now`: the year's end
    /// (1 January of the next year, UTC) lies at least `retentionYears` calendar years before `now`.
    public func isPastRetention(year: Int, at now: Date) -> Bool {
        guard let limit = HistoryTime.utc.date(byAdding: .year, value: configuration.retentionYears, to: HistoryTime.startOfYear(year + 1)) else { return false }
        return now >= limit
    }

    /// Removes the archive files of the years before `before`, each recorded by a purge event first.
    /// Refuses (removing nothing) when any of those years is not archived or not wholly past retention.
    public func prune(before: Int) throws(HistoryError) -> PruneReceipt {
        let now = clock.now()
        let candidates: [(seal: YearSeal, file: String, digest: [UInt8])]
        do {
            candidates = try queue.read { db in
                let archived = try Row.fetchAll(db, sql: "SELECT year, file, file_sha256 FROM archives WHERE year NOT IN (SELECT year FROM purges)")
                var byYear: [Int: (String, [UInt8])] = [:]
                for r in archived { byYear[r[0]] = (r[1], [UInt8](r[2] as Data)) }
                var out: [(YearSeal, String, [UInt8])] = []
                let purged = Set(try Int.fetchAll(db, sql: "SELECT year FROM purges"))
                for seal in try Self.seals(db) where seal.year < before && !purged.contains(seal.year) {
                    guard let a = byYear[seal.year] else {
                        throw HistoryError(.refused, "year \(seal.year) is not archived; archive it before pruning")
                    }
                    out.append((seal, a.0, a.1))
                }
                return out
            }
        } catch let e as HistoryError { throw e } catch {
            throw HistoryError(.storage, "the history could not be read: \(error)")
        }
        for c in candidates where !isPastRetention(year: c.seal.year, at: now) {
            throw HistoryError(.refused, "year \(c.seal.year) cannot be pruned: its last events are not yet \(configuration.retentionYears) years old (clause 20)")
        }
        for c in candidates {
            let path = (configuration.archiveDirectory as NSString).appendingPathComponent(c.file)
            guard FileManager.default.fileExists(atPath: path) else {
                throw HistoryError(.archive, "the archive of \(c.seal.year) (\(path)) is missing; run cardgate history verify and investigate before pruning")
            }
            guard constantTimeEqual(try sha256(fileAt: path), c.digest) else {
                throw HistoryError(.archive, "the archive of \(c.seal.year) does not match its recorded digest; investigate before pruning")
            }
        }
        for c in candidates {
            let (_, signed) = try write { db, key -> (AppendReceipt, [Checkpoint]) in
                try db.execute(sql: "INSERT INTO purges (year, purged_at) VALUES (?, ?)", arguments: [c.seal.year, HistoryTime.millis(now)])
                return try self.appendLocked(db, NewEvent(kind: .historyPurged, result: .success,
                                                          details: EventDetails(year: c.seal.year, count: Int(c.seal.count), digest: c.seal.hash)), key: key)
            }
            try copy(signed)
            let path = (configuration.archiveDirectory as NSString).appendingPathComponent(c.file)
            try? FileManager.default.removeItem(atPath: path)
        }
        fsyncDirectory(configuration.archiveDirectory)
        return PruneReceipt(years: candidates.map(\.seal.year))
    }
}
