import Foundation
import GRDB

/// What `append` hands back once the event is durably committed.
public struct AppendReceipt: Sendable, Equatable {
    /// The event's sequence number.
    public let sequence: Int64
    /// The event's chain hash.
    public let hash: [UInt8]
    /// The checkpoint signed with this append, if one was due.
    public let checkpoint: Checkpoint?
}

/// The tamper-evident history (clause 20): one SQLite database in WAL mode with `synchronous=FULL`,
/// plus one archive file per closed year.
///
/// Every write is a `BEGIN IMMEDIATE` transaction that reads the chain head inside it, so the daemon and the
/// CLI may append at the same time and the chain stays one chain. `append` returns only after the commit;
/// if it throws, the act must be denied.
public final class HistoryStore: Sendable {
    /// The configuration in use.
    public let configuration: HistoryConfiguration
    let queue: DatabaseQueue
    let signingKey: CheckpointSigningKey?
    let clock: any HistoryClock

    /// Opens (creating if needed) the live database. `signingKey` is needed to append, archive and prune;
    /// reading and verifying work without it.
    ///
    /// With `mustExist`, a missing database file is an error instead of a new, empty history (for readers
    /// such as `verify`, where an empty history would pass).
    public init(configuration: HistoryConfiguration, signingKey: CheckpointSigningKey?,
                clock: any HistoryClock = SystemClock(), mustExist: Bool = false) throws(HistoryError) {
        try configuration.validate()
        self.configuration = configuration
        self.signingKey = signingKey
        self.clock = clock
        let path = configuration.databasePath
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750]) } catch {
                throw HistoryError(.storage, "cannot create the folder \(dir) for the history database: \(error.localizedDescription)")
            }
        }
        let isNew = !FileManager.default.fileExists(atPath: path)
        if isNew && mustExist {
            throw HistoryError(.storage, "there is no history database at \(path); check --database or CARDGATE_DATABASE")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: Self.databaseConfiguration(busyTimeout: configuration.busyTimeoutSeconds))
            if isNew { chmod(path, 0o600) }
            try HistorySchema.migrator.migrate(queue)
        } catch {
            throw HistoryError(.storage, "history database \(path) cannot be opened: \(error)")
        }
    }

    /// Opens the store with the signing key named in the configuration (refused unless mode 0600).
    public static func open(_ configuration: HistoryConfiguration, clock: any HistoryClock = SystemClock()) throws(HistoryError) -> HistoryStore {
        try HistoryStore(configuration: configuration, signingKey: CheckpointSigningKey.load(configuration.signingKeyPath), clock: clock)
    }

    static func databaseConfiguration(busyTimeout: Double, readonly: Bool = false, wal: Bool = true) -> Configuration {
        var c = Configuration()
        c.journalMode = readonly || !wal ? .default : .wal
        c.readonly = readonly
        c.foreignKeysEnabled = true
        c.busyMode = .timeout(busyTimeout)
        c.label = "history"
        c.prepareDatabase { db in
            if readonly {
                // Readers (verify chunks, archives, exports) map the file instead of copying pages through read().
                try db.execute(sql: "PRAGMA mmap_size = 268435456")
            } else {
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
        }
        return c
    }

    // MARK: Appending

    /// Records one event and returns its sequence number and hash after the commit is durable.
    /// Any error means the act it records must be denied.
    @discardableResult
    public func append(_ event: NewEvent) throws(HistoryError) -> AppendReceipt {
        let (receipt, signed) = try write { db, key in try self.appendLocked(db, event, key: key) }
        try copy(signed)
        return receipt
    }

    /// Records several events in one transaction (one disk sync for all), for imports and tools; the gateway
    /// records each act with `append(_:)` so that each is durable before the act proceeds.
    @discardableResult
    public func append(contentsOf events: [NewEvent]) throws(HistoryError) -> [AppendReceipt] {
        let (receipts, signed) = try write { db, key -> ([AppendReceipt], [Checkpoint]) in
            var receipts: [AppendReceipt] = []
            var signed: [Checkpoint] = []
            for e in events {
                let (r, s) = try self.appendLocked(db, e, key: key)
                receipts.append(r)
                signed += s
            }
            return (receipts, signed)
        }
        try copy(signed)
        return receipts
    }

    /// Signs a checkpoint at the current head if the head is not covered yet (for a timer in the daemon,
    /// and `cardgate history checkpoint`). Returns nil when there is nothing new to sign.
    @discardableResult
    public func checkpoint() throws(HistoryError) -> Checkpoint? {
        let (cp, signed) = try write { db, key -> (Checkpoint?, [Checkpoint]) in
            guard let head = try Self.head(db) else { return (nil, []) }
            if let last = try Self.lastCheckpoint(db), last.sequence == head.seq { return (nil, []) }
            let cp = try Checkpoint.sign(year: head.year, sequence: head.seq, headHash: head.hash,
                                         timeMillis: max(HistoryTime.millis(self.clock.now()), head.time), key: key)
            try Self.insert(cp, db)
            return (cp, [cp])
        }
        try copy(signed)
        return cp
    }

    /// Runs `body` in an IMMEDIATE transaction with the signing key; the second element of the result lists
    /// checkpoints signed inside, copied to the second path after the commit.
    func write<T>(_ body: @escaping (Database, CheckpointSigningKey) throws -> (T, [Checkpoint])) throws(HistoryError) -> (T, [Checkpoint]) {
        guard let key = signingKey else {
            throw HistoryError(.signingKey, "the history signing key is not loaded; nothing can be recorded")
        }
        do {
            return try queue.writeWithoutTransaction { db in
                var out: (T, [Checkpoint])?
                try db.inTransaction(.immediate) {
                    out = try body(db, key)
                    return .commit
                }
                return out!
            }
        } catch let e as HistoryError {
            throw e
        } catch {
            throw HistoryError(.storage, "the history could not be written (the act must be denied): \(error)")
        }
    }

    func copy(_ checkpoints: [Checkpoint]) throws(HistoryError) {
        guard let path = configuration.checkpointCopyPath else { return }
        for cp in checkpoints { try CheckpointCopy.append(cp, to: path) }
    }

    struct Head { let seq: Int64; let time: Int64; let year: Int; let hash: [UInt8] }

    static func head(_ db: Database) throws -> Head? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, time, year, hash FROM events ORDER BY seq DESC LIMIT 1")) else { return nil }
        return Head(seq: row[0], time: row[1], year: row[2], hash: [UInt8](row[3] as Data))
    }

    static func lastCheckpoint(_ db: Database) throws -> (sequence: Int64, time: Int64)? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, time FROM checkpoints ORDER BY seq DESC LIMIT 1")) else { return nil }
        return (row[0], row[1])
    }

    static func seals(_ db: Database, where clause: String = "", arguments: StatementArguments = []) throws -> [YearSeal] {
        try Row.fetchAll(db, sql: "SELECT year, first_seq, last_seq, count, last_hash, prev_seal_hash FROM seals \(clause) ORDER BY year", arguments: arguments).map {
            YearSeal(year: $0[0], firstSequence: $0[1], lastSequence: $0[2], count: $0[3],
                     lastHash: [UInt8]($0[4] as Data), previousSealHash: [UInt8]($0[5] as Data))
        }
    }

    static func lastSeal(_ db: Database) throws -> YearSeal? {
        let sql = "SELECT year, first_seq, last_seq, count, last_hash, prev_seal_hash FROM seals ORDER BY year DESC LIMIT 1"
        guard let r = try Row.fetchOne(db.cachedStatement(sql: sql)) else { return nil }
        return YearSeal(year: r[0], firstSequence: r[1], lastSequence: r[2], count: r[3],
                        lastHash: [UInt8](r[4] as Data), previousSealHash: [UInt8](r[5] as Data))
    }

    static func insert(_ cp: Checkpoint, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO checkpoints (seq, year, time, head_hash, signature) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [cp.sequence, cp.year, cp.timeMillis, Data(cp.headHash), Data(cp.signature)])
    }

    /// Seals the head's year (and signs a checkpoint at its last event if there is none).
    static func sealYear(of head: Head, after previous: YearSeal?, now: Int64, key: CheckpointSigningKey,
                         _ db: Database, signed: inout [Checkpoint]) throws -> YearSeal {
        let first = (previous?.lastSequence ?? 0) + 1
        let seal = YearSeal(year: head.year, firstSequence: first, lastSequence: head.seq, count: head.seq - first + 1,
                            lastHash: head.hash, previousSealHash: previous?.hash ?? EventEncoding.genesis)
        if try lastCheckpoint(db)?.sequence != head.seq {
            let cp = try Checkpoint.sign(year: head.year, sequence: head.seq, headHash: head.hash, timeMillis: max(now, head.time), key: key)
            try insert(cp, db)
            signed.append(cp)
        }
        try db.execute(sql: """
            INSERT INTO seals (year, first_seq, last_seq, count, last_hash, prev_seal_hash, seal_hash, sealed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [seal.year, seal.firstSequence, seal.lastSequence, seal.count, Data(seal.lastHash),
                             Data(seal.previousSealHash), Data(seal.hash), now])
        return seal
    }

    /// The append itself; runs inside the IMMEDIATE transaction.
    func appendLocked(_ db: Database, _ event: NewEvent, key: CheckpointSigningKey) throws -> (AppendReceipt, [Checkpoint]) {
        try event.validate()
        let details = try event.details.encoded()
        let now = HistoryTime.millis(clock.now())
        var signed: [Checkpoint] = []
        // One statement reads the head, the last checkpoint and the last sealed year.
        let state = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT e.seq, e.time, e.year, e.hash,
                   (SELECT seq FROM checkpoints ORDER BY seq DESC LIMIT 1),
                   (SELECT time FROM checkpoints ORDER BY seq DESC LIMIT 1),
                   (SELECT year FROM seals ORDER BY year DESC LIMIT 1)
            FROM (SELECT 1) LEFT JOIN (SELECT seq, time, year, hash FROM events ORDER BY seq DESC LIMIT 1) AS e
            """))!
        let head: Head? = (state[0] as Int64?).map { Head(seq: $0, time: state[1], year: state[2], hash: [UInt8](state[3] as Data)) }
        var last: (sequence: Int64, time: Int64)? = (state[4] as Int64?).map { ($0, state[5]) }
        let lastSealYear: Int? = state[6]
        var time = max(now, head?.time ?? now)
        if let lastSealYear, HistoryTime.year(ofMillis: time) <= lastSealYear {
            time = max(time, HistoryTime.millis(HistoryTime.startOfYear(lastSealYear + 1)))
        }
        let year = HistoryTime.year(ofMillis: time)
        let seq: Int64
        let previous: [UInt8]
        if let head {
            seq = head.seq + 1
            if head.year < year {
                let lastSeal = lastSealYear == nil ? nil : try Self.lastSeal(db)
                let seal = lastSeal?.year == head.year ? lastSeal! : try Self.sealYear(of: head, after: lastSeal, now: now, key: key, db, signed: &signed)
                if let cp = signed.last { last = (cp.sequence, cp.timeMillis) }
                previous = seal.hash
            } else {
                previous = head.hash
            }
        } else if lastSealYear != nil, let lastSeal = try Self.lastSeal(db) {
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
        var checkpoint: Checkpoint?
        if last == nil || seq - last!.sequence >= Int64(configuration.checkpointEveryEvents)
            || time - last!.time >= Int64(configuration.checkpointEveryMinutes) * 60_000 {
            let cp = try Checkpoint.sign(year: year, sequence: seq, headHash: hash, timeMillis: time, key: key)
            try Self.insert(cp, db)
            signed.append(cp)
            checkpoint = cp
        }
        return (AppendReceipt(sequence: seq, hash: hash, checkpoint: checkpoint), signed)
    }
}
