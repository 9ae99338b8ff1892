import Foundation
import GRDB
import GRDBSQLite

/// What one write transaction carries: the tree, the checkpoints it signed, and how the witness is treated.
struct WriteContext {
    let db: Database
    let signer: CheckpointSigner
    let origin: String
    var tree: HistoryTree
    /// Checkpoints signed in this transaction, written to the witnesses after the commit.
    var signed: [Checkpoint] = []
    /// The witness was compared with the database in this transaction.
    var witnessChecked = false
    /// Recording the alarm itself: no witness check, no checkpoint.
    var recordingAlarm = false
    /// Text hashes of witnessed checkpoints an administrator is setting aside in this transaction.
    var settingAside: Set<[UInt8]> = []
    /// An administrator is answering the alarm: the halt does not stop this transaction.
    var acknowledging = false

    init(db: Database, signer: CheckpointSigner, origin: String) {
        self.db = db
        self.signer = signer
        self.origin = origin
        tree = HistoryTree(db)
    }
}

extension HistoryStore {
    // MARK: Appending

    /// Records one event and returns its sequence number and hash after the commit is durable.
    /// Any error means the act it records must be denied; `HistoryError.Code.halted` means every act is denied
    /// until an administrator acts on the witness alarm.
    @discardableResult
    public func append(_ event: NewEvent) throws(HistoryError) -> AppendReceipt {
        try write { ctx in try self.appendLocked(&ctx, event) }
    }

    /// Records several events in one transaction (one disk sync for all), for imports and tools; the gateway
    /// records each act with `append(_:)` so that each is durable before the act proceeds.
    @discardableResult
    public func append(contentsOf events: [NewEvent]) throws(HistoryError) -> [AppendReceipt] {
        try write { ctx in
            var receipts: [AppendReceipt] = []
            for e in events { receipts.append(try self.appendLocked(&ctx, e)) }
            return receipts
        }
    }

    /// Signs a checkpoint at the current head if the head is not covered yet (the daemon's timer, and
    /// `cardgate history checkpoint`). Returns nil when there is nothing new to sign.
    @discardableResult
    public func checkpoint() throws(HistoryError) -> Checkpoint? {
        try write { ctx -> Checkpoint? in
            let state = try Self.state(ctx.db)
            guard let head = state.head else { return nil }
            if try Self.halt(ctx.db) != nil { throw Self.haltedError() }
            if state.lastCheckpoint?.size == head.seq { return nil }
            try self.checkWitness(&ctx, size: head.seq, hasCheckpoints: state.lastCheckpoint != nil || state.lastSealYear != nil)
            return try self.signCheckpoint(&ctx, size: head.seq, year: head.year, eventTime: head.time)
        }
    }

    /// Runs `body` in an IMMEDIATE transaction with the signer, then writes the checkpoints it signed to the
    /// witnesses. A witness mismatch found inside rolls the transaction back, records the alarm and halts.
    func write<T>(alarmOnMismatch: Bool = true, _ body: (inout WriteContext) throws -> T) throws(HistoryError) -> T {
        guard let signer, let origin else {
            throw HistoryError(.signingKey, "the history signing key is not loaded; nothing can be recorded")
        }
        let result: (T, [Checkpoint])
        do {
            result = try queue.writeWithoutTransaction { db in
                var out: (T, [Checkpoint])?
                try db.inTransaction(.immediate) {
                    var ctx = WriteContext(db: db, signer: signer, origin: origin)
                    let value = try body(&ctx)
                    out = (value, ctx.signed)
                    return .commit
                }
                return out!
            }
        } catch let mismatch as WitnessMismatch where alarmOnMismatch {
            try raiseAlarm(mismatch)
        } catch let e as HistoryError {
            throw e
        } catch let mismatch as WitnessMismatch {
            throw HistoryError(.halted, mismatch.message)
        } catch {
            throw HistoryError(.storage, "the history could not be written (the act must be denied): \(error)")
        }
        try publish(result.1)
        return result.0
    }

    /// The head, the last checkpoint, the last sealed year and the halt, read in one statement.
    struct State {
        struct Head { let seq: Int64; let time: Int64; let year: Int; let hash: [UInt8] }
        var head: Head?
        var lastCheckpoint: (number: Int64, size: Int64, time: Int64)?
        var lastSealYear: Int?
        var halted: Bool
    }

    static func state(_ db: Database) throws -> State {
        // Read with the raw statement: this runs once per append, inside the write lock.
        let statement = try db.cachedStatement(sql: """
            SELECT e.seq, e.time, e.year, e.hash, c.number, c.size, c.time,
                   (SELECT year FROM seals ORDER BY year DESC LIMIT 1), (SELECT alarm_seq FROM halt)
            FROM (SELECT 1)
            LEFT JOIN events AS e ON e.seq = (SELECT MAX(seq) FROM events)
            LEFT JOIN checkpoints AS c ON c.number = (SELECT MAX(number) FROM checkpoints)
            """)
        let h = statement.sqliteStatement
        defer { sqlite3_reset(h) }
        guard sqlite3_step(h) == SQLITE_ROW else {
            throw HistoryError(.storage, "the history's head could not be read: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
        }
        func isNull(_ i: Int32) -> Bool { sqlite3_column_type(h, i) == SQLITE_NULL }
        var state = State(head: nil, lastCheckpoint: nil, lastSealYear: nil, halted: !isNull(8))
        if !isNull(0) {
            let hash = UnsafeRawBufferPointer(start: sqlite3_column_blob(h, 3), count: Int(sqlite3_column_bytes(h, 3)))
            state.head = State.Head(seq: sqlite3_column_int64(h, 0), time: sqlite3_column_int64(h, 1), year: Int(sqlite3_column_int64(h, 2)), hash: Array(hash))
        }
        if !isNull(4) { state.lastCheckpoint = (sqlite3_column_int64(h, 4), sqlite3_column_int64(h, 5), sqlite3_column_int64(h, 6)) }
        if !isNull(7) { state.lastSealYear = Int(sqlite3_column_int64(h, 7)) }
        return state
    }

    /// The append itself; runs inside the IMMEDIATE transaction.
    func appendLocked(_ ctx: inout WriteContext, _ event: NewEvent, sign: Bool = true) throws -> AppendReceipt {
        try event.validate()
        let details = try event.details.encoded()
        let db = ctx.db
        let state = try Self.state(db)
        if state.halted && !ctx.recordingAlarm && !ctx.acknowledging { throw Self.haltedError() }
        let sealedSize = state.lastSealYear == nil ? 0 : try Self.lastSeal(db)?.lastSequence ?? 0
        let size = state.head?.seq ?? sealedSize
        if !ctx.witnessChecked && !ctx.recordingAlarm {
            try checkWitness(&ctx, size: size, hasCheckpoints: state.lastCheckpoint != nil || state.lastSealYear != nil)
            ctx.witnessChecked = true
        }
        let now = HistoryTime.millis(clock.now())
        var time = now
        if let head = state.head, now < head.time {
            if head.time - now >= Self.clockJumpMillis && event.kind != .clockJump {
                // The clock went back (it had jumped ahead, or was set back): record that, then the event at the real time.
                _ = try appendLocked(&ctx, NewEvent(kind: .clockJump, result: .success,
                                                    details: EventDetails(reason: "clock-went-back", count: Int(head.time - now))), sign: sign)
                return try appendLocked(&ctx, event, sign: sign)
            }
            if head.time - now < Self.clockJumpMillis { time = head.time }
        }
        // Never into a year already closed, nor before the head's year.
        var floorYear = state.head?.year
        if let sealed = state.lastSealYear { floorYear = max(floorYear ?? sealed + 1, sealed + 1) }
        if let floorYear, HistoryTime.year(ofMillis: time) < floorYear {
            time = HistoryTime.millis(HistoryTime.startOfYear(floorYear))
        }
        // The alarm is recorded without signing, so it never opens a new year (that would need a seal and a checkpoint).
        if ctx.recordingAlarm, let head = state.head, HistoryTime.year(ofMillis: time) > head.year {
            time = HistoryTime.millis(HistoryTime.startOfYear(head.year + 1)) - 1
        }
        let year = HistoryTime.year(ofMillis: time)
        var last = state.lastCheckpoint.map { (size: $0.size, time: $0.time) }
        let seq: Int64
        let previous: [UInt8]
        if let head = state.head {
            seq = head.seq + 1
            if head.year < year {
                let lastSeal = state.lastSealYear == nil ? nil : try Self.lastSeal(db)
                let seal = lastSeal?.year == head.year ? lastSeal! : try sealYear(&ctx, head: head, after: lastSeal, now: now)
                last = (seal.lastSequence, now)
                previous = seal.hash
            } else {
                previous = head.hash
            }
        } else if state.lastSealYear != nil, let lastSeal = try Self.lastSeal(db) {
            seq = lastSeal.lastSequence + 1
            previous = lastSeal.hash
        } else {
            seq = 1
            previous = EventEncoding.genesis
        }
        let encoding = EventEncoding.encode(sequence: seq, timeMillis: time, kind: event.kind.rawValue, result: event.result.rawValue,
                                            actor: event.actor, card: event.card, place: event.place, details: details)
        let hash = EventEncoding.hash(previous: previous, encoding: encoding)
        try db.cachedStatement(sql: """
            INSERT INTO events (seq, year, time, kind, result, actor, card, place, details, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [seq, year, time, event.kind.rawValue, event.result.rawValue, event.actor, event.card,
                                     event.place, Data(details), Data(previous), Data(hash)])
        try ctx.tree.eventAppended(seq)
        var checkpoint: Checkpoint?
        let due = last.map { seq - $0.size >= Int64(configuration.checkpointEveryEvents)
            || time - $0.time >= Int64(configuration.checkpointEveryMinutes) * 60_000 } ?? true
        if sign && !ctx.recordingAlarm && due {
            checkpoint = try signCheckpoint(&ctx, size: seq, year: year, eventTime: time)
        }
        return AppendReceipt(sequence: seq, hash: hash, checkpoint: checkpoint)
    }

    static func haltedError() -> HistoryError {
        HistoryError(.halted, "the history is halted by a witness alarm (the database was cut short or rewritten); nothing is recorded and every act is denied until an administrator acts (cardgate history status; docs/history.md)")
    }
}
