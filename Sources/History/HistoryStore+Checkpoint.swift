import Foundation
import GRDB

extension HistoryStore {
    /// Signs a checkpoint at `size` inside the transaction: computes the root, checks that the new tree extends
    /// the last witnessed checkpoint (a consistency proof), chains it to the checkpoint before and stores it.
    func signCheckpoint(_ ctx: inout WriteContext, size: Int64, year: Int, eventTime: Int64,
                        supersedes: [[UInt8]] = []) throws -> Checkpoint {
        let root = try ctx.tree.root(size: UInt64(size))
        try checkWitnessBeforeSigning(&ctx, size: size, root: root)
        let last = try Self.lastCheckpoint(ctx.db)
        if let last, last.origin != ctx.origin {
            throw HistoryError(.configuration, "the history's checkpoints carry the origin \(last.origin) but the configuration says \(ctx.origin); an origin cannot change (it names the log)")
        }
        let previousKey = try last.map { cp throws(HistoryError) in try keyIndex(of: cp, in: ctx.signer.schedule) }
        let time = max(HistoryTime.millis(clock.now()), eventTime)
        let (keys, _) = try ctx.signer.keys(at: time, after: previousKey)
        let cp = try Checkpoint.sign(origin: ctx.origin, size: size, root: root.bytes, number: (last?.number ?? 0) + 1, timeMillis: time,
                                     previous: last?.hash ?? EventEncoding.genesis, supersedes: supersedes, keys: keys)
        try ctx.db.cachedStatement(sql: "INSERT INTO checkpoints (number, size, year, time, root, note) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [cp.number, cp.size, year, cp.timeMillis, Data(cp.root), cp.note])
        ctx.signed.append(cp)
        return cp
    }

    /// The index of the newest key that validly signed `cp`.
    func keyIndex(of cp: Checkpoint, in schedule: CheckpointKeySchedule) throws(HistoryError) -> Int {
        guard let i = schedule.entries.indices.last(where: { cp.signatureCheck(by: schedule.entries[$0].publicKey) == true }) else {
            throw HistoryError(.signingKey, "the last checkpoint (\(cp.number)) is not signed by any configured checkpoint key; check the key list")
        }
        return i
    }

    /// The newest checkpoint: in the live database, else the one that ends the last sealed year.
    static func lastCheckpoint(_ db: Database) throws -> Checkpoint? {
        let note = try String.fetchOne(db.cachedStatement(sql: "SELECT note FROM checkpoints ORDER BY number DESC LIMIT 1"))
            ?? String.fetchOne(db.cachedStatement(sql: "SELECT last_checkpoint_note FROM seals ORDER BY year DESC LIMIT 1"))
        return try note.map { try Checkpoint(parsing: $0) }
    }

    static let sealColumns = "year, first_seq, last_seq, count, last_hash, tree_root, last_checkpoint, last_checkpoint_hash, prev_seal_hash"

    /// A seal from its row; throws (never traps) on a NULL or a value of the wrong type (an export or archive file is
    /// outside input: found by the `export` fuzz target).
    static func seal(_ r: Row) throws -> YearSeal {
        // A crafted file's seal may name negative sequence numbers (found by the `export` fuzz target): refused here,
        // before any tree arithmetic on them.
        let first = try r.decode(Int64.self, atIndex: 1), last = try r.decode(Int64.self, atIndex: 2)
        guard first >= 1, last >= first - 1 else {
            throw HistoryError(.storage, "a seal names events \(first)…\(last): not a valid range; run cardgate history verify")
        }
        // Every field as the writer makes it (a negative year or count trapped the seal's encoding, found by the
        // `export` fuzz target after 506,514 inputs): a seal that is not is refused, not hashed.
        let year = try r.decode(Int.self, atIndex: 0), count = try r.decode(Int64.self, atIndex: 3)
        let lastCheckpoint = try r.decode(Int64.self, atIndex: 6)
        let hashes = try [4, 5, 7, 8].map { [UInt8](try r.decode(Data.self, atIndex: $0)) }
        guard (1...9999).contains(year), count >= 0, lastCheckpoint >= 0, hashes.allSatisfy({ $0.count == 32 }) else {
            throw HistoryError(.storage, "the seal of \(year) has a field no seal can hold; run cardgate history verify")
        }
        return YearSeal(year: year, firstSequence: first, lastSequence: last, count: count, lastHash: hashes[0], treeRoot: hashes[1],
                        lastCheckpoint: lastCheckpoint, lastCheckpointHash: hashes[2], previousSealHash: hashes[3])
    }

    static func seals(_ db: Database, where clause: String = "", arguments: StatementArguments = []) throws -> [YearSeal] {
        try Row.fetchAll(db, sql: "SELECT \(sealColumns) FROM seals \(clause) ORDER BY year", arguments: arguments).map { try seal($0) }
    }

    static func lastSeal(_ db: Database) throws -> YearSeal? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(sealColumns) FROM seals ORDER BY year DESC LIMIT 1")).map { try seal($0) }
    }

    /// Seals the head's year: a checkpoint at its last event (signed if there is none), the tree's nodes that end
    /// it, and the seal linked to the one before.
    func sealYear(_ ctx: inout WriteContext, head: State.Head, after previous: YearSeal?, now: Int64) throws -> YearSeal {
        var cp = try Self.lastCheckpoint(ctx.db)
        if cp?.size != head.seq {
            cp = try signCheckpoint(&ctx, size: head.seq, year: head.year, eventTime: head.time)
        }
        try ctx.tree.storeFrontier(size: head.seq)
        let first = (previous?.lastSequence ?? 0) + 1
        let seal = YearSeal(year: head.year, firstSequence: first, lastSequence: head.seq, count: head.seq - first + 1,
                            lastHash: head.hash, treeRoot: cp!.root, lastCheckpoint: cp!.number, lastCheckpointHash: cp!.hash,
                            previousSealHash: previous?.hash ?? EventEncoding.genesis)
        try ctx.db.execute(sql: """
            INSERT INTO seals (year, first_seq, last_seq, count, last_hash, tree_root, last_checkpoint, last_checkpoint_hash,
                               last_checkpoint_note, prev_seal_hash, seal_hash, sealed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [seal.year, seal.firstSequence, seal.lastSequence, seal.count, Data(seal.lastHash), Data(seal.treeRoot),
                             seal.lastCheckpoint, Data(seal.lastCheckpointHash), cp!.note, Data(seal.previousSealHash), Data(seal.hash), now])
        return seal
    }
}
