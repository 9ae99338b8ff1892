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
    /// year's events and checkpoints from the live database (its tree nodes and seal stay). The year must be
    /// before the current one and hold events.
    public func archive(year: Int) throws(HistoryError) -> ArchiveReceipt {
        let now = clock.now()
        guard year < HistoryTime.year(ofMillis: HistoryTime.millis(now)) else {
            throw HistoryError(.refused, "year \(year) is not closed yet; only years before the current one can be archived")
        }
        // 1. Seal the year if the next year has not started yet.
        let seal = try write { ctx -> YearSeal in
            if try Int.fetchOne(ctx.db, sql: "SELECT 1 FROM archives WHERE year = ?", arguments: [year]) != nil {
                throw HistoryError(.refused, "year \(year) is already archived")
            }
            if let seal = try Self.seals(ctx.db, where: "WHERE year = ?", arguments: [year]).first { return seal }
            let state = try Self.state(ctx.db)
            if state.halted { throw Self.haltedError() }
            guard let head = state.head, head.year == year else {
                throw HistoryError(.refused, "no events were recorded in \(year)")
            }
            try self.checkWitness(&ctx, size: head.seq, hasCheckpoints: true)
            return try self.sealYear(&ctx, head: head, after: try Self.lastSeal(ctx.db), now: HistoryTime.millis(now))
        }

        // 2. Copy the year's events, checkpoints, seal and tree nodes into a new file and check it.
        let path = configuration.archivePath(year: year)
        let partial = path + ".partial"
        let fm = FileManager.default
        guard !fm.fileExists(atPath: path) else {
            throw HistoryError(.archive, "the archive file \(path) already exists; move it away after checking it")
        }
        do {
            try fm.createDirectory(atPath: configuration.archiveDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if fm.fileExists(atPath: partial) { try fm.removeItem(atPath: partial) }
            try SecureFile.createEmpty(partial)
            let archive = try DatabaseQueue(path: partial, configuration: Self.databaseConfiguration(busyTimeout: 1, wal: false))
            try archive.write { try HistorySchema.createArchive($0) }
            try archive.close()
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS archive", arguments: [partial])
                defer { try? db.execute(sql: "DETACH DATABASE archive") }
                try db.execute(sql: "PRAGMA archive.synchronous = FULL")
                try db.inTransaction(.immediate) {
                    let range: StatementArguments = [seal.firstSequence, seal.lastSequence]
                    try db.execute(sql: "INSERT INTO archive.events SELECT * FROM main.events WHERE seq BETWEEN ? AND ? ORDER BY seq", arguments: range)
                    try db.execute(sql: "INSERT INTO archive.checkpoints SELECT * FROM main.checkpoints WHERE size BETWEEN ? AND ? ORDER BY number", arguments: range)
                    try db.execute(sql: "INSERT INTO archive.seals SELECT * FROM main.seals WHERE year = ?", arguments: [year])
                    // The subtrees inside the year, and the small ones that end it.
                    try db.execute(sql: """
                        INSERT INTO archive.tree_nodes SELECT level, idx, hash FROM main.tree_nodes
                        WHERE (idx << level) >= ? - 1 AND ((idx + 1) << level) <= ?
                        """, arguments: range)
                    return .commit
                }
            }
            try checkArchive(partial, seal: seal)
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
        let event = try write { ctx -> AppendReceipt in
            try ctx.db.execute(sql: "INSERT INTO archives (year, file, file_sha256, archived_at) VALUES (?, ?, ?, ?)",
                               arguments: [year, HistoryConfiguration.archiveFileName(year: year), Data(digest), HistoryTime.millis(now)])
            let receipt = try self.appendLocked(&ctx, NewEvent(kind: .historyArchived, result: .success, details: EventDetails(year: year, count: Int(seal.count), digest: digest)))
            let range: StatementArguments = [seal.firstSequence, seal.lastSequence]
            try ctx.db.execute(sql: "DELETE FROM checkpoints WHERE size BETWEEN ? AND ?", arguments: range)
            try ctx.db.execute(sql: "DELETE FROM events WHERE seq BETWEEN ? AND ?", arguments: range)
            return receipt
        }
        return ArchiveReceipt(year: year, path: path, count: seal.count, fileDigest: digest, event: event)
    }

    /// Checks a new archive file before the year leaves the live database: its chain and tree continue from where
    /// the year before ended and reach its seal, and its checkpoints are signed and match the tree.
    private func checkArchive(_ path: String, seal: YearSeal) throws {
        guard let schedule = keySchedule else { throw HistoryError(.signingKey, "no public key to check the archive with") }
        // The tree before the year, and the stored subtrees the year's events complete: those that reach back into the
        // years before stay in the live database only; those inside the year are checked in the archive's own copy.
        let (prefix, crossing) = try queue.read { db -> (CompactRange, [NodeID: Hash32]) in
            var tree = HistoryTree(db)
            let end = UInt64(seal.firstSequence - 1)
            let nodes = CompactRange.decomposition(0, end)
            var hashes: [Hash32] = []
            for n in nodes { hashes.append(try tree.hash(of: n)) }
            return (CompactRange(begin: 0, end: end, hashes: hashes)!, try Self.storedNodes(db, completedIn: seal))
        }
        let archive = try DatabaseQueue(path: path, configuration: Self.databaseConfiguration(busyTimeout: 1, readonly: true))
        defer { try? archive.close() }
        try archive.read { adb in
            var inputs = VerificationInputs(schedule: schedule, origin: origin ?? "", witnessConfigured: false)
            try inputs.loadCheckpoints(adb, source: "the new archive")
            let inside = try Self.storedNodes(adb, completedIn: seal)
            let verifier = ChainVerifier(marks: inputs.marks, storedNodes: crossing.merging(inside) { _, archived in archived })
            verifier.expectedSequence = seal.firstSequence
            verifier.previousHash = seal.previousSealHash
            verifier.previousSealHash = seal.previousSealHash
            verifier.tree = prefix
            try verifier.walk(adb, where: "", arguments: [], year: seal.year)
            try verifier.endSealedYear(seal)
            for row in inputs.rows {
                let cp = try Checkpoint(parsing: row.note)
                guard schedule.isSignedByKnownKey(cp), let mark = verifier.marked[cp.size], mark.range.folded.bytes == cp.root else {
                    throw VerifyFailure(sequence: cp.size, problem: .archive, message: "checkpoint \(cp.number) in the new archive does not verify")
                }
            }
        }
    }

    /// The stored subtrees (level ``HistoryTree/storedLevel`` and up) of `db` that the events of the sealed year complete.
    private static func storedNodes(_ db: Database, completedIn seal: YearSeal) throws -> [NodeID: Hash32] {
        var nodes: [NodeID: Hash32] = [:]
        let rows = try Row.fetchAll(db, sql: """
            SELECT level, idx, hash FROM tree_nodes WHERE level >= ? AND ((idx + 1) << level) BETWEEN ? AND ?
            """, arguments: [HistoryTree.storedLevel, seal.firstSequence, seal.lastSequence])
        for row in rows {
            let level: Int = row[0], index: Int64 = row[1], data: Data = row[2]
            guard index >= 0, let hash = Hash32(checking: data) else {
                throw VerifyFailure(sequence: nil, problem: .treeNode, message: "a stored tree node (level \(level), index \(index)) is malformed")
            }
            nodes[NodeID(level: level, index: UInt64(index))] = hash
        }
        return nodes
    }

    /// Whether every event of `year` is older than the retention period at `now`: the year's end
    /// (1 January of the next year, UTC) lies at least `retentionYears` calendar years before `now`.
    public func isPastRetention(year: Int, at now: Date) -> Bool {
        guard let limit = HistoryTime.utc.date(byAdding: .year, value: configuration.retentionYears, to: HistoryTime.startOfYear(year + 1)) else { return false }
        return now >= limit
    }

    /// Removes the archive files of the years before `before`, each recorded by a purge event first.
    /// Refuses (removing nothing) when any of those years is not archived or not wholly past retention, or when
    /// the history does not verify. Only files named `history-YYYY.sqlite` inside the archive folder are removed.
    public func prune(before: Int) throws(HistoryError) -> PruneReceipt {
        let now = clock.now()
        let candidates: [YearSeal]
        do {
            candidates = try queue.read { db in
                var byYear: [Int: String] = [:]
                for r in try Row.fetchAll(db, sql: "SELECT year, file FROM archives WHERE year NOT IN (SELECT year FROM purges)") { byYear[r[0]] = r[1] }
                let purged = Set(try Int.fetchAll(db, sql: "SELECT year FROM purges"))
                var out: [YearSeal] = []
                for seal in try Self.seals(db) where seal.year < before && !purged.contains(seal.year) {
                    guard let file = byYear[seal.year] else {
                        throw HistoryError(.refused, "year \(seal.year) is not archived; archive it before pruning")
                    }
                    guard file == HistoryConfiguration.archiveFileName(year: seal.year) else {
                        throw HistoryError(.archive, "the archive record of \(seal.year) names the file \"\(file)\"; only \(HistoryConfiguration.archiveFileName(year: seal.year)) in the archive folder is ever removed; run cardgate history verify")
                    }
                    out.append(seal)
                }
                return out
            }
        } catch let e as HistoryError { throw e } catch {
            throw HistoryError(.storage, "the history could not be read: \(error)")
        }
        for seal in candidates where !isPastRetention(year: seal.year, at: now) {
            throw HistoryError(.refused, "year \(seal.year) cannot be pruned: its last events are not yet \(configuration.retentionYears) years old (clause 20)")
        }
        guard !candidates.isEmpty else { return PruneReceipt(years: []) }
        for seal in candidates where !SecureFile.isRegularFile(configuration.archivePath(year: seal.year)) {
            throw HistoryError(.archive, "the archive of \(seal.year) (\(configuration.archivePath(year: seal.year))) is missing; run cardgate history verify and investigate before pruning")
        }
        // Nothing is removed from a history that does not verify.
        let report = verify()
        guard report.outcome == .intact || report.outcome == .unwitnessed else {
            throw HistoryError(.archive, "the history does not verify (\(report.message)); nothing was pruned")
        }
        for seal in candidates {
            _ = try write { ctx -> AppendReceipt in
                try ctx.db.execute(sql: "INSERT INTO purges (year, purged_at) VALUES (?, ?)", arguments: [seal.year, HistoryTime.millis(now)])
                return try self.appendLocked(&ctx, NewEvent(kind: .historyPurged, result: .success,
                                                            details: EventDetails(year: seal.year, count: Int(seal.count), digest: seal.hash)))
            }
            let path = configuration.archivePath(year: seal.year)
            if SecureFile.isRegularFile(path) { try? FileManager.default.removeItem(atPath: path) }
        }
        fsyncDirectory(configuration.archiveDirectory)
        return PruneReceipt(years: candidates.map(\.year))
    }
}
