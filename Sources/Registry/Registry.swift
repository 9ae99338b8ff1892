#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Credentials
import Foundation
import GRDB

/// The registry: operators, cards, PIN credentials, rooms and grants, the equipment ledger (構成管理簿) and
/// administrative sessions, in one SQLite database.
///
/// The registry lives in its own database file beside the history database (`registry.sqlite` next to
/// `history.sqlite`), not inside it. The two have opposite natures: the history is append-only,
/// hash-chained and archived by calendar year into files of their own, and must be kept for seven years;
/// the registry is mutable current state (a card's status, a failure counter, a session) that is updated
/// in place and must never be split by year. Keeping them apart lets the history be sealed, archived and
/// verified without the registry's churn, and lets each file carry its own triggers and backups. What
/// the registry changes is recorded in the history by the caller, with the acting administrator.
///
/// Writes run in `BEGIN IMMEDIATE` transactions with a busy timeout, so two processes (the gateway and
/// the CLI) never interleave; a lock that outlasts the timeout, or a read-only database, is reported as
/// `databaseLocked` or `databaseReadOnly` with nothing changed. The file is created with mode 0600, and a
/// file that group or others may access is refused (clause 8).
public final class Registry: Sendable {
    /// File name used beside the history database.
    public static let defaultFileName = "registry.sqlite"

    /// Path of the database file.
    public let path: String
    /// The settings.
    public let configuration: RegistryConfiguration
    /// The PIN hasher (pepper and current scrypt parameters).
    public let hasher: PINHasher
    /// A pool (one writer, concurrent readers) when writable: a card check reads while a PIN check writes its
    /// counter. One connection when read-only (a pool would need to create the `-shm` file).
    let database: any DatabaseWriter
    let clock: @Sendable () -> Date

    /// Opens the registry at `path`, applying pending migrations.
    ///
    /// - Parameters:
    ///   - create: create the file (mode 0600) when it does not exist; otherwise a missing file is an error
    ///     telling to run `cardgate init`.
    ///   - clock: the current time; tests inject a fixed or advancing clock.
    public init(path: String, hasher: PINHasher, configuration: RegistryConfiguration = RegistryConfiguration(),
                create: Bool = false, clock: @escaping @Sendable () -> Date = { Date() }) throws(RegistryError) {
        self.path = path
        self.configuration = configuration
        self.hasher = hasher
        self.clock = clock
        if !FileManager.default.fileExists(atPath: path) {
            guard create, !configuration.readOnly else {
                throw RegistryError(.database, "registry database \(path) does not exist; run `cardgate init` first")
            }
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else {
                throw RegistryError(.database, "registry database \(path) cannot be created: \(String(cString: strerror(errno)))")
            }
            close(fd)
        }
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                throw RegistryError(.database, "registry database \(path) is not a regular file (a link or a device is refused)")
            }
            guard info.st_mode & 0o077 == 0 else {
                throw RegistryError(.database, String(format: "registry database %@ has mode %03o: only the service account may read it (clause 8); run: chmod 600 %@", path, info.st_mode & 0o777, path))
            }
        }
        var config = Configuration()
        config.readonly = configuration.readOnly
        config.journalMode = .wal
        config.busyMode = .timeout(configuration.busyTimeout)
        config.foreignKeysEnabled = true
        config.label = "registry"
        do {
            if configuration.readOnly {
                database = try DatabaseQueue(path: path, configuration: config)
            } else {
                database = try DatabasePool(path: path, configuration: config)
                // Every commit synced before a change is reported done (a power cut must not undo an issued card or a
                // PIN lockout). GRDB's WAL set-up switches to NORMAL after `prepareDatabase`, so FULL is set here on
                // the pool's one writer connection, where it stays.
                try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            }
        } catch {
            throw Self.translate(error, path: path)
        }
        do {
            if configuration.readOnly {
                let complete = try database.read { try RegistrySchema.migrator.hasCompletedMigrations($0) }
                guard complete else {
                    throw RegistryError(.database, "registry database \(path) is not initialised or is older than this program; open it read-write once (any administrative command) to migrate it")
                }
            } else {
                try RegistrySchema.migrator.migrate(database)
            }
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// The current time from the injected clock.
    public var now: Date { clock() }

    /// Operator records.
    public var operators: OperatorService { OperatorService(registry: self) }
    /// Card issue and lifecycle.
    public var cards: CardService { CardService(registry: self) }
    /// PIN verification and self-service change.
    public var pins: PINService { PINService(registry: self) }
    /// Rooms and room grants.
    public var rooms: RoomService { RoomService(registry: self) }
    /// The national holiday calendar.
    public var holidays: HolidayService { HolidayService(registry: self) }
    /// The equipment ledger (構成管理簿).
    public var ledger: EquipmentLedger { EquipmentLedger(registry: self) }
    /// Administrative sessions.
    public var adminSessions: AdminSessionService { AdminSessionService(registry: self) }
    /// The first PIN administrator's enrolment (`cardgate init`).
    public var initialEnrolment: InitialEnrolment { InitialEnrolment(registry: self) }

    /// Runs `body` in an immediate write transaction; any thrown error rolls everything back. The transaction runs
    /// the ``CommitHook`` of ``recording(_:_:)`` (if any, once) after `body`, before it commits, unless `recordsAct` is
    /// false (a write on the way to the act that is not the act, such as the failure counter of a PIN check).
    func write<T>(recordsAct: Bool = true, _ body: (Database) throws -> T) throws(RegistryError) -> T {
        let hook = recordsAct ? CommitHook.current : nil
        do {
            return try database.write { db in
                let result = try body(db)
                try hook?.run()
                return result
            }
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// Runs `body` (one act of the registry, on the calling thread) so that its write transaction calls `record` after
    /// the change and before the commit: when `record` throws, the change is rolled back and `body` throws. This is how
    /// an act is recorded in the history exactly when it takes effect. Returns `body`'s result and whether `record`
    /// ran (false when `body` wrote nothing).
    public func recording<T>(_ record: @escaping @Sendable () throws -> Void, _ body: () throws -> T) throws -> (T, recorded: Bool) {
        let hook = CommitHook(record)
        let result = try CommitHook.$current.withValue(hook) { try body() }
        return (result, hook.didRun)
    }

    /// Runs `body` in a read transaction.
    func read<T>(_ body: (Database) throws -> T) throws(RegistryError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// Turns any error into a `RegistryError` with an actionable message.
    static func translate(_ error: any Error, path: String) -> RegistryError {
        switch error {
        case let error as RegistryError:
            return error
        case let error as CredentialsError:
            return RegistryError(error)
        case let error as DatabaseError:
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return RegistryError(.databaseLocked, "registry database \(path) is locked by another process; nothing was changed; try again in a moment")
            case .SQLITE_READONLY:
                return RegistryError(.databaseReadOnly, "registry database \(path) is read-only (file, folder or file system); nothing was changed; check its permissions and free space")
            case .SQLITE_CANTOPEN:
                return RegistryError(.database, "registry database \(path) cannot be opened: check that the folder exists and is writable")
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                return RegistryError(.database, "registry database \(path) is damaged or not a database; restore it from the backup (operations manual)")
            case .SQLITE_FULL:
                return RegistryError(.database, "registry database \(path): the disk is full; nothing was changed")
            default:
                return RegistryError(.database, "registry database \(path): \(error.message ?? "SQLite error \(error.resultCode)"); nothing was changed")
            }
        default:
            return RegistryError(.database, "registry database \(path): \(error)")
        }
    }
}
