import Foundation
import GRDB
import GRDBSQLite

/// What `append` hands back once the event is durably committed.
public struct AppendReceipt: Sendable, Equatable {
    /// The event's sequence number.
    public let sequence: Int64
    /// The event's chain hash.
    public let hash: [UInt8]
    /// The checkpoint signed with this append, if one was due.
    public let checkpoint: Checkpoint?
}

/// The tamper-evident history (clause 20): one SQLite database in WAL mode with `synchronous=FULL`, one archive
/// file per closed year, a Merkle tree over every event, chained signed checkpoints, and witnesses outside the
/// database.
///
/// Every write is a `BEGIN IMMEDIATE` transaction that reads the head inside it, so the daemon and the CLI may
/// append at the same time and the chain stays one chain. `append` returns only after the commit; if it throws,
/// the act must be denied. Before every write the store compares the database with its witness files: a database
/// shorter than what was witnessed, or whose tree does not extend the witnessed checkpoint, raises an alarm
/// (a `system.history.alarm` event) and halts the store: every later write throws `HistoryError.Code.halted`
/// until an administrator calls `acknowledgeWitnessMismatch(by:reason:)`.
public final class HistoryStore: Sendable {
    /// The configuration in use.
    public let configuration: HistoryConfiguration
    let queue: DatabaseQueue
    /// Signs checkpoints; nil for a store opened to read.
    let signer: CheckpointSigner?
    /// The public keys over time, when known (from the configuration's key list, or the signing key's file).
    public let keySchedule: CheckpointKeySchedule?
    let clock: any HistoryClock
    /// Whether the database was opened read-only.
    public let isReadOnly: Bool
    let witnessCache = Locked(WitnessCache())
    /// The connection that checkpoints the write-ahead log off the writer's (``checkpointWAL()``), opened when first used.
    let walConnection = Locked<DatabaseQueue?>(nil)

    /// A clock step back of at least this many milliseconds is recorded as a `system.clock.jump` event.
    static let clockJumpMillis: Int64 = 1000

    /// Opens the live database. With `signingKey`, the store can write: it creates the database if needed
    /// (mode 0600) and refuses to open without a witness unless the configuration says `witness = "none"`.
    /// Without it the store only reads: an existing database is opened read-only (no secret needed).
    ///
    /// With `mustExist`, a missing database file is an error instead of a new, empty history (for readers
    /// such as `verify`, where an empty history would pass).
    public init(configuration: HistoryConfiguration, signingKey: CheckpointSigningKey?,
                clock: any HistoryClock = SystemClock(), mustExist: Bool = false) throws(HistoryError) {
        try configuration.validate()
        if signingKey != nil && !configuration.witness.isConfigured && !configuration.witness.explicitlyNone {
            throw HistoryError(.configuration, "no witness is configured for the history: set [history] witness-file (on another disk) or witness-command, or witness = \"none\" to run without one (then status and verify warn)")
        }
        self.configuration = configuration
        self.clock = clock
        let schedule = try Self.schedule(configuration, signingKey: signingKey)
        self.keySchedule = schedule
        origin = configuration.origin ?? schedule.map { Self.derivedOrigin($0.entries[0].publicKey) }
        if let signingKey, let schedule {
            signer = try CheckpointSigner(schedule: schedule, signingKey: signingKey,
                                          paths: configuration.signingKeys.isEmpty ? [configuration.signingKeyPath] : configuration.signingKeys.map(\.privateKeyPath))
        } else {
            signer = nil
        }
        let path = configuration.databasePath
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists && mustExist {
            throw HistoryError(.storage, "there is no history database at \(path); check --database or CARDGATE_DATABASE")
        }
        isReadOnly = signingKey == nil && exists
        do {
            if isReadOnly {
                queue = try DatabaseQueue(path: path, configuration: Self.databaseConfiguration(busyTimeout: configuration.busyTimeoutSeconds, readonly: true))
                try queue.read { try HistorySchema.check($0, path: path) }
            } else {
                if !exists { try Self.createDatabaseFile(path) }
                queue = try Self.openWritable(path, busyTimeout: configuration.busyTimeoutSeconds)
                try HistorySchema.migrator.migrate(queue)
                // A history without checkpoints creates its witness files now (as `cardgate init` does), so that no
                // writer ever sees a checkpoint whose witness file another writer has not created yet.
                if signingKey != nil, try queue.read({ try Self.lastCheckpoint($0) }) == nil {
                    for file in configuration.witness.files where !FileManager.default.fileExists(atPath: file) {
                        do { try WitnessConfiguration.createFile(file) } catch {
                            throw HistoryError(.witness, "the witness file \(file) cannot be created (is the witness disk mounted?): \(error.description)")
                        }
                    }
                }
            }
        } catch let e as HistoryError {
            throw e
        } catch {
            throw HistoryError(.storage, "history database \(path) cannot be opened: \(error)")
        }
    }

    /// Opens the store with the signing key named in the configuration (refused unless mode 0600).
    public static func open(_ configuration: HistoryConfiguration, clock: any HistoryClock = SystemClock()) throws(HistoryError) -> HistoryStore {
        try HistoryStore(configuration: configuration, signingKey: CheckpointSigningKey.load(configuration.signingKeyPath), clock: clock)
    }

    /// Opens an existing history read-only; needs no secret (verification needs the public keys of the
    /// configuration, or `publicKeys`).
    public static func openForReading(_ configuration: HistoryConfiguration) throws(HistoryError) -> HistoryStore {
        try HistoryStore(configuration: configuration, signingKey: nil, mustExist: true)
    }

    /// The public keys: the configured list (public keys given, or read from their key files), else the
    /// signing key's; nil when neither is known (a reader must then be given a key).
    static func schedule(_ c: HistoryConfiguration, signingKey: CheckpointSigningKey?) throws(HistoryError) -> CheckpointKeySchedule? {
        guard !c.signingKeys.isEmpty else {
            if let signingKey { return CheckpointKeySchedule(single: signingKey.publicKey) }
            return (try? CheckpointSigningKey.load(c.signingKeyPath)).map { CheckpointKeySchedule(single: $0.publicKey) }
        }
        var entries: [CheckpointKeySchedule.Entry] = []
        for (i, e) in c.signingKeys.enumerated() {
            var key = e.publicKey
            if key == nil, let path = e.privateKeyPath ?? (i == c.signingKeys.count - 1 ? c.signingKeyPath : nil) {
                key = (try? CheckpointSigningKey.load(path))?.publicKey
                if key == nil, signingKey != nil {
                    throw HistoryError(.configuration, "checkpoint key \(i + 1) has no public-key and its file \(path) cannot be read")
                }
            }
            guard let key else { return nil }
            if i > 0 && e.validFrom == nil {
                throw HistoryError(.configuration, "checkpoint key \(i + 1) needs a valid-from time (only the first key is valid from the beginning)")
            }
            entries.append(CheckpointKeySchedule.Entry(publicKey: key, validFrom: e.validFrom))
        }
        return try CheckpointKeySchedule(entries)
    }

    /// The log's origin: the configured one, else derived from the first key (`cardgate.local/history-<fingerprint>`);
    /// nil for a reader that knows neither.
    public let origin: String?

    /// The origin used when none is configured.
    public static func derivedOrigin(_ firstKey: CheckpointPublicKey) -> String { "cardgate.local/history-\(firstKey.fingerprint)" }

    /// Creates an empty database file with mode 0600 unless one exists, so that its owner and mode can be set before
    /// SQLite opens it (the daemon gives it to the auditors' group; SQLite gives the -wal and -shm it creates the
    /// database file's owner and mode).
    public static func createDatabaseFileIfMissing(_ path: String) throws(HistoryError) {
        if !FileManager.default.fileExists(atPath: path) { try createDatabaseFile(path) }
    }

    /// Creates the database file with mode 0600 before SQLite opens it; SQLite gives its -wal and -shm files the
    /// database file's mode, so they are 0600 too.
    static func createDatabaseFile(_ path: String) throws(HistoryError) {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
                throw HistoryError(.storage, "cannot create the folder \(dir) for the history database: \(error.localizedDescription)")
            }
        }
        try SecureFile.createEmpty(path)
    }

    /// Opens the live database for writing in WAL mode with `synchronous = FULL`: every commit is synced before
    /// `append` returns, so a power cut cannot roll back an event (or a checkpoint already witnessed, which would
    /// then look like a cut-off tail). GRDB's WAL set-up switches to NORMAL after `prepareDatabase`, so FULL is
    /// set again once the queue is open (one connection: it stays).
    static func openWritable(_ path: String, busyTimeout: Double) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: path, configuration: databaseConfiguration(busyTimeout: busyTimeout))
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        return queue
    }

    static func databaseConfiguration(busyTimeout: Double, readonly: Bool = false, wal: Bool = true) -> Configuration {
        var c = Configuration()
        c.journalMode = readonly || !wal ? .default : .wal
        c.readonly = readonly
        c.foreignKeysEnabled = true
        c.busyMode = .timeout(busyTimeout)
        c.label = "history"
        c.prepareDatabase { db in
            // Readers read pages through read(): a fresh memory map per verify thread cost more in page faults (about
            // 0.5 µs per event) than the copies it saves.
            if !readonly {
                try db.execute(sql: "PRAGMA synchronous = FULL")
                if wal {
                    // Keep -wal and -shm when the last writer closes, so that a reader who may not create files in
                    // the folder (an auditor in the group) can still open the database read-only.
                    var persist: Int32 = 1
                    _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
                }
            }
        }
        return c
    }
}
