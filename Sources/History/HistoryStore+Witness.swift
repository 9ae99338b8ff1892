import Foundation
import GRDB

/// The witness alarm that halts the store.
public struct HistoryHalt: Sendable, Equatable {
    /// The sequence number of the `system.history.alarm` event.
    public let alarmSequence: Int64
    /// `witness-truncated`, `witness-rewritten` or `witness-invalid`.
    public let reason: String
    /// The size of the witnessed checkpoint the database did not match.
    public let witnessedSize: Int64
    /// When the alarm was raised.
    public let raisedAt: Date
}

extension HistoryStore {
    // MARK: Before writing and signing

    /// The newest witnessed checkpoint of each witness file (cached by the file's identity and length). A missing
    /// file is refused once the history has checkpoints (the witness disk is not mounted); an unsigned newest line
    /// is an alarm.
    func witnessed(hasCheckpoints: Bool, settingAside: Set<[UInt8]> = []) throws -> [(path: String, checkpoint: Checkpoint)] {
        guard let origin, let schedule = keySchedule else { return [] }
        var out: [(String, Checkpoint)] = []
        for path in configuration.witness.files {
            guard let stamp = WitnessFile.stamp(path) else {
                if hasCheckpoints {
                    throw HistoryError(.witness, "the witness file \(path) is missing although the history has checkpoints; is the witness disk mounted? Nothing is recorded until it is back")
                }
                continue
            }
            let cached = settingAside.isEmpty ? witnessCache.withLock { $0.files[path] } : nil
            let latest: Checkpoint?
            if let cached, cached.stamp == stamp {
                latest = cached.latest
            } else {
                let lines = try WitnessFile.tail(path, origin: origin).compactMap { try? $0.checkpoint.get() }
                latest = WitnessLines.newest(lines, settingAside: settingAside)
                if let latest, !schedule.isSignedByKnownKey(latest) {
                    throw WitnessMismatch(kind: .invalidWitness, path: path, witnessed: latest, databaseSize: 0)
                }
                if settingAside.isEmpty { witnessCache.withLock { $0.files[path] = WitnessCache.File(stamp: stamp, latest: latest) } }
            }
            if let latest { out.append((path, latest)) }
        }
        return out
    }

    /// Before a write: the database must not be shorter than any witnessed checkpoint, and (once per witnessed
    /// checkpoint and process) its tree must reproduce that checkpoint's root.
    func checkWitness(_ ctx: inout WriteContext, size: Int64, hasCheckpoints: Bool) throws {
        for (path, w) in try witnessed(hasCheckpoints: hasCheckpoints, settingAside: ctx.settingAside) {
            guard w.size <= size else { throw WitnessMismatch(kind: .truncated, path: path, witnessed: w, databaseSize: size) }
            if witnessCache.withLock({ $0.matched.contains(w.hash) }) { continue }
            guard try ctx.tree.root(size: UInt64(w.size)).bytes == w.root else {
                throw WitnessMismatch(kind: .rewritten, path: path, witnessed: w, databaseSize: size)
            }
            witnessCache.withLock { _ = $0.matched.insert(w.hash) }
        }
    }

    /// Before signing: the new tree must extend every witnessed checkpoint, shown by a consistency proof.
    func checkWitnessBeforeSigning(_ ctx: inout WriteContext, size: Int64, root: Hash32) throws {
        // Checkpoints signed earlier in this transaction reach the witness only after the commit.
        let committed = try Self.lastCheckpoint(ctx.db) != nil
        let hasCheckpoints = ctx.signed.first.map { $0.number > 1 } ?? committed
        for (path, w) in try witnessed(hasCheckpoints: hasCheckpoints, settingAside: ctx.settingAside) {
            guard w.size <= size else { throw WitnessMismatch(kind: .truncated, path: path, witnessed: w, databaseSize: size) }
            let proof = try MerkleProof.consistency(from: UInt64(w.size), to: UInt64(size), source: &ctx.tree)
            guard let witnessedRoot = Hash32(checking: w.root),
                  MerkleProof.verifyConsistency(from: UInt64(w.size), to: UInt64(size), fromRoot: witnessedRoot, toRoot: root, proof: proof) else {
                throw WitnessMismatch(kind: .rewritten, path: path, witnessed: w, databaseSize: size)
            }
        }
    }

    // MARK: After the commit

    /// Writes committed checkpoints to every witness file and command; the first failure is thrown after all
    /// were tried (the events are kept, but the act is denied).
    func publish(_ checkpoints: [Checkpoint]) throws(HistoryError) {
        var failure: HistoryError?
        for cp in checkpoints {
            for path in configuration.witness.files {
                do {
                    let stamps = try WitnessFile.append(cp, to: path, create: cp.number == 1)
                    noteOwnWitnessLine(cp, path: path, stamps: stamps)
                } catch { failure = failure ?? error }
            }
            for command in configuration.witness.commands {
                do { try WitnessCommand.run(command, cp) } catch { failure = failure ?? error }
            }
        }
        if let failure { throw failure }
    }

    /// After this store wrote `cp` to `path`: if the file was read before and only this line was added since
    /// (`stamps` non-nil), the cache learns the new newest checkpoint without reading the file again, and its root
    /// needs no check (it is this database's own). Otherwise the next write reads the file as usual.
    private func noteOwnWitnessLine(_ cp: Checkpoint, path: String, stamps: (before: WitnessFile.Stamp, after: WitnessFile.Stamp)?) {
        guard let stamps, cp.supersedes.isEmpty else { return }
        witnessCache.withLock { cache in
            guard let cached = cache.files[path], cached.stamp == stamps.before else { return }
            let newest = [cached.latest, cp].compactMap { $0 }.max { ($0.size, $0.number) < ($1.size, $1.number) }
            cache.files[path] = WitnessCache.File(stamp: stamps.after, latest: newest)
            cache.matched.insert(cp.hash)
        }
    }

    // MARK: The alarm

    /// Records the alarm event and the halt in a transaction of their own (the failed write was rolled back),
    /// then throws `halted`.
    func raiseAlarm(_ mismatch: WitnessMismatch) throws(HistoryError) -> Never {
        do {
            try write(alarmOnMismatch: false) { ctx in
                guard try Self.halt(ctx.db) == nil else { return }
                ctx.recordingAlarm = true
                let event = NewEvent(kind: .historyAlarm, result: .failure,
                                     details: EventDetails(reason: mismatch.kind.rawValue, count: mismatch.witnessed.map { Int($0.size) },
                                                           digest: mismatch.witnessed?.root))
                let receipt = try self.appendLocked(&ctx, event, sign: false)
                try ctx.db.execute(sql: "INSERT INTO halt (id, alarm_seq, reason, witnessed_size, raised_at) VALUES (1, ?, ?, ?, ?)",
                                   arguments: [receipt.sequence, mismatch.kind.rawValue, mismatch.witnessed?.size ?? 0, HistoryTime.millis(clock.now())])
            }
        } catch {
            throw HistoryError(.halted, "\(mismatch.message); the alarm could not be recorded (\(error.description)); every act is denied")
        }
        throw HistoryError(.halted, "\(mismatch.message). An alarm was recorded and the history is halted: every act is denied until an administrator acts (docs/history.md, witness alarm)")
    }

    static func halt(_ db: Database) throws -> HistoryHalt? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT alarm_seq, reason, witnessed_size, raised_at FROM halt WHERE id = 1")).map {
            HistoryHalt(alarmSequence: $0[0], reason: $0[1], witnessedSize: $0[2], raisedAt: HistoryTime.date(millis: $0[3]))
        }
    }

    /// The witness alarm that halts the store, if any (for the daemon's status and `cardgate history status`).
    public func haltState() throws(HistoryError) -> HistoryHalt? {
        do { return try queue.read { try Self.halt($0) } } catch {
            throw HistoryError(.storage, "the history could not be read: \(error)")
        }
    }

    /// An administrator's answer to a witness alarm, after investigating (compare with the last backup first;
    /// restoring a backup that extends the witness clears the mismatch without this).
    ///
    /// Records a `system.history.acknowledged` event by `operatorID` with `reason`, signs a checkpoint that sets
    /// aside the witnessed checkpoints the database does not extend (its `supersedes` lines), clears the halt and
    /// writes the checkpoint to the witnesses. The lost or rewritten events stay visible: `verify` keeps reporting
    /// the incident as acknowledged. Refused when the witness agrees with the database and nothing is halted.
    @discardableResult
    public func acknowledgeWitnessMismatch(by operatorID: String, reason: String) throws(HistoryError) -> Checkpoint {
        try NewEvent(kind: .historyAcknowledged, result: .success, actor: operatorID).validate()
        return try write(alarmOnMismatch: false) { ctx -> Checkpoint in
            ctx.acknowledging = true
            let halt = try Self.halt(ctx.db)
            let size = try Self.state(ctx.db).head?.seq ?? 0
            var setAside: [Checkpoint] = []
            // A witnessed checkpoint the database does not extend, or one whose signature no longer verifies.
            func disagrees(_ w: Checkpoint) throws -> Bool {
                try w.size > size || !(keySchedule?.isSignedByKnownKey(w) ?? false) || ctx.tree.root(size: UInt64(w.size)).bytes != w.root
            }
            for path in configuration.witness.files where FileManager.default.fileExists(atPath: path) {
                let lines = try WitnessFile.read(path, origin: ctx.origin).compactMap { try? $0.checkpoint.get() }
                let current = WitnessLines.current(lines)
                if let bad = try current.last(where: disagrees) { setAside.append(bad) }
                if let newest = current.max(by: { ($0.size, $0.number) < ($1.size, $1.number) }), !setAside.contains(newest), try disagrees(newest) {
                    setAside.append(newest)
                }
            }
            guard halt != nil || !setAside.isEmpty else {
                throw HistoryError(.refused, "nothing to acknowledge: the history is not halted and its witnesses agree with the database")
            }
            let hashes = Array(Set(setAside.map(\.hash))).sorted { $0.lexicographicallyPrecedes($1) }
            ctx.settingAside = Set(hashes)
            let newest = setAside.max { $0.number < $1.number }
            let event = NewEvent(kind: .historyAcknowledged, result: .success, actor: operatorID,
                                 details: EventDetails(reason: reason, count: newest.map { Int($0.size) } ?? halt.map { Int($0.witnessedSize) },
                                                       digest: newest?.hash))
            let receipt = try self.appendLocked(&ctx, event, sign: false)
            let head = try Self.state(ctx.db).head!
            let cp = try self.signCheckpoint(&ctx, size: receipt.sequence, year: head.year, eventTime: head.time, supersedes: hashes)
            try ctx.db.execute(sql: "DELETE FROM halt")
            witnessCache.withLock { $0 = WitnessCache() }
            return cp
        }
    }
}
