import AccessPolicy
import Foundation
import Vocabulary

/// CardGate's whole configuration, loaded from one TOML file and validated (see `config/cardgate.toml`).
public struct CardGateConfiguration: Hashable, Sendable {
    /// The file it was loaded from, as named to the loader.
    public var file: String
    /// The time zone in which grant hours and validity dates are read (default Asia/Tokyo).
    public var timeZone: TimeZone
    /// Where the database and the yearly archives are.
    public var storage: Storage
    /// The secret files.
    public var secrets: Secrets
    /// The local API's Unix socket, who may supervise, and its limits.
    public var api: API
    /// The administration socket (`cardgate` admin commands talk to the daemon there).
    public var admin: Admin
    /// Every approved reader with its role.
    public var readers: [Reader]
    /// Timeouts, PIN rules, door rules.
    public var policy: Policy
    /// Lock, unlock and door actuator commands.
    public var commands: Commands
    /// What to do when the program's identity differs from the approved one in the ledger.
    public var programIdentityCheck: ProgramIdentityCheck
    /// History checkpoint interval.
    public var history: History
    /// PIN hash cost.
    public var scrypt: Scrypt
    /// The pcscd watchdog.
    public var pcscd: PCSCD
    /// The service account and the group of the auditors.
    public var service: Service

    /// Paths of the SQLite database and the archive directory.
    public struct Storage: Hashable, Sendable {
        /// The SQLite database file.
        public var database: String
        /// The directory of the yearly archive files.
        public var archiveDirectory: String
    }

    /// Paths of the secret files (mode 0600, checked when they are opened).
    public struct Secrets: Hashable, Sendable {
        /// The PIN pepper.
        public var pepper: String
        /// The history checkpoint signing key (Ed25519).
        public var historySigningKey: String
    }

    /// The local API's socket.
    public struct API: Hashable, Sendable {
        /// The Unix socket path.
        public var socket: String
        /// The socket's permission bits (default 0o660; never accessible to others).
        public var mode: Int
        /// The group that owns the socket; `nil` keeps the service's own group.
        public var group: String?
        /// The clients that may see every terminal and door, lock all (clause 30) and read every event.
        public var supervisors: [ClientRule]
        /// The fire panel's clients: besides the supervisors, they alone may release every door for evacuation and
        /// restore them.
        public var firePanels: [ClientRule]
        /// Connection and time limits.
        public var limits: SocketLimits
    }

    /// The administration socket.
    public struct Admin: Hashable, Sendable {
        /// The Unix socket path.
        public var socket: String
        /// The socket's permission bits (default 0o660).
        public var mode: Int
        /// The group that owns the socket and whose members may administer (default `cardgate-admin`; `nil` keeps the
        /// service's own group).
        public var group: String?
        /// An administrative session ends after this long without a command.
        public var sessionIdle: Duration
        /// An administrative session ends this long after login, whatever the activity.
        public var sessionMaximum: Duration
        /// Connection and time limits.
        public var limits: SocketLimits
    }

    /// Limits of one socket, so that a flood of connections cannot starve the readers or the lock screens.
    public struct SocketLimits: Hashable, Sendable {
        /// Connections open at once on the socket (default 64).
        public var maximumConnections: Int
        /// Connections open at once for one user id (default 16).
        public var maximumConnectionsPerClient: Int
        /// Time to read a request's headers and body once its first byte came (default 5 s).
        public var readTimeout: Duration
        /// Time a kept-alive connection may wait for its next request (default 30 s).
        public var idleTimeout: Duration
        /// Event streams (`GET /v1/events`) open at once for one user id (default 4).
        public var maximumEventStreamsPerClient: Int

        /// The defaults.
        public init(
            maximumConnections: Int = 64, maximumConnectionsPerClient: Int = 16, readTimeout: Duration = .seconds(5),
            idleTimeout: Duration = .seconds(30), maximumEventStreamsPerClient: Int = 4
        ) {
            self.maximumConnections = maximumConnections
            self.maximumConnectionsPerClient = maximumConnectionsPerClient
            self.readTimeout = readTimeout
            self.idleTimeout = idleTimeout
            self.maximumEventStreamsPerClient = maximumEventStreamsPerClient
        }
    }

    /// The pcscd watchdog.
    public struct PCSCD: Hashable, Sendable {
        /// pcscd not answering for this long locks every terminal and makes every door refuse (default 3 s).
        public var watchdog: Duration
    }

    /// The service account.
    public struct Service: Hashable, Sendable {
        /// The account `cardgate serve` runs as, which alone owns the databases and secrets (default `cardgate`).
        public var account: String
        /// The group whose members may read the history (`cardgate history query|verify|…`), default `cardgate-audit`;
        /// the history files are given to it with mode 0640 when it exists.
        public var auditGroup: String?
    }

    /// One approved reader.
    public struct Reader: Hashable, Sendable {
        /// The reader's PC/SC name, slot suffix included (`CardGate T01 00 00`).
        public var name: String
        /// What it is used for.
        public var role: ReaderRole
        /// The API clients that may use this terminal or door (its lock screen, business application or door
        /// controller); empty for the admin station's readers.
        public var clients: [ClientRule]
    }

    /// The time and PIN rules.
    public struct Policy: Hashable, Sendable {
        /// No activity for this long locks a terminal.
        public var idleTimeout: Duration
        /// A session is locked this long after it started.
        public var maximumSession: Duration
        /// Consecutive wrong PINs that block a card (3–10).
        public var pinLockoutAttempts: Int
        /// The shortest PIN accepted when one is set.
        public var pinMinimumLength: Int
        /// The longest PIN accepted when one is set.
        public var pinMaximumLength: Int
        /// How long a door stays open.
        public var doorOpen: Duration
        /// How long a PIN may take at a door.
        public var doorPINTimeout: Duration
        /// Rooms whose doors always need card + PIN to enter.
        public var cardAndPINRooms: Set<String>
        /// Rooms with anti-passback.
        public var antiPassbackRooms: Set<String>
        /// A door left open this long after a granted passage raises the held-open alarm.
        public var doorHeldOpen: Duration
        /// How long the second person of a two-person room may take.
        public var twoPersonWindow: Duration
        /// How long a visitor announced at a door waits for the escort's card.
        public var visitorWindow: Duration
        /// The city's own closing days every year (年末年始), closed like national holidays for grants that exclude
        /// holidays.
        public var closingDays: Set<ClosingDay>

        /// Whether `date` is one of the city's closing days.
        public func isClosingDay(_ date: CivilDate) -> Bool {
            ClosingDay(month: date.month, day: date.day).map { closingDays.contains($0) } ?? false
        }
    }

    /// A day of the year on which the city's offices are closed (`MM-DD`).
    public struct ClosingDay: Hashable, Sendable, Comparable, CustomStringConvertible {
        /// The month (1–12).
        public let month: Int
        /// The day of the month.
        public let day: Int

        /// A closing day; nil for a day that no year has.
        public init?(month: Int, day: Int) {
            guard (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: 2024)).contains(day) else { return nil }
            self.month = month
            self.day = day
        }

        /// Parses `MM-DD`.
        public init?(_ text: String) {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                  let month = Int(parts[0]), let day = Int(parts[1]) else { return nil }
            self.init(month: month, day: day)
        }

        /// The city's usual year-end closing, 29 December to 3 January (行政機関の休日).
        public static let yearEnd: Set<ClosingDay> = Set(["12-29", "12-30", "12-31", "01-01", "01-02", "01-03"].compactMap { ClosingDay($0) })

        public static func < (lhs: ClosingDay, rhs: ClosingDay) -> Bool { (lhs.month, lhs.day) < (rhs.month, rhs.day) }

        /// `MM-DD`.
        public var description: String { String(format: "%02d-%02d", month, day) }
    }

    /// The external commands.
    public struct Commands: Hashable, Sendable {
        /// Locks a terminal's screen (`{terminal}`, `{reader}`).
        public var lock: CommandTemplate
        /// Unlocks it (`{terminal}`, `{reader}`, `{operator}`).
        public var unlock: CommandTemplate
        /// Opens a door for some seconds (`{door}`, `{room}`, `{direction}`, `{seconds}`).
        public var doorOpen: CommandTemplate
        /// Opens a door and holds it open until `door-secure` (fire release; `{door}`, `{room}`). Optional: without
        /// it, a released door is opened with `door-open` for 60 seconds, again every 50 seconds.
        public var doorHold: CommandTemplate?
        /// Secures a held door again (the end of a release; `{door}`, `{room}`). Optional.
        public var doorSecure: CommandTemplate?
        /// Raises an alarm (`{place}`, `{reason}`): a lock that failed, a history that was cut. Optional; the log at
        /// error level always carries it.
        public var alarm: CommandTemplate?
        /// A command that has not ended after this long gets SIGTERM, then SIGKILL after a second more (default 10 s).
        public var timeout: Duration
        /// A failed lock command is tried again this many times (default 2) before the terminal shows `lock-failed`.
        public var lockRetries: Int
        /// The pause before each retry (default 1 s).
        public var lockRetryDelay: Duration

        /// Every configured command, with its key, for the start-up check that each program exists.
        public var all: [(key: String, template: CommandTemplate)] {
            [("lock", lock), ("unlock", unlock), ("door-open", doorOpen)] + (alarm.map { [("alarm", $0)] } ?? [])
                + (doorHold.map { [("door-hold", $0)] } ?? []) + (doorSecure.map { [("door-secure", $0)] } ?? [])
        }
    }

    /// History checkpoint interval: a signed checkpoint after this many events or this long, whichever comes first.
    public struct History: Hashable, Sendable {
        /// Events between checkpoints.
        public var checkpointEveryEvents: Int
        /// Time between checkpoints.
        public var checkpointEvery: Duration
        /// The shortest time between two checkpoints the daemon signs after bursts of events
        /// (`checkpoint-spacing-seconds`): the first burst after a quiet spell is signed about a second later, the next
        /// ones no sooner than this after the one before, so that a steady trickle of events does not cost one signed
        /// checkpoint and one witness line per event.
        public var checkpointSpacing: Duration = .seconds(60)
        /// The log's name in its checkpoints (`origin`); nil: derived from the first key.
        public var origin: String? = nil
        /// A witness file on another disk or host (`witness-file`).
        public var witnessFile: String? = nil
        /// A witness command, argument list (`witness-command`).
        public var witnessCommand: [String]? = nil
        /// `witness = "none"`: run without a witness, explicitly.
        public var witnessNone: Bool = false
        /// The checkpoint keys over time (`[[history.keys]]`), oldest first; empty: the signing key alone.
        public var keys: [HistoryKey] = []
    }

    /// One checkpoint key of `[[history.keys]]`.
    public struct HistoryKey: Hashable, Sendable {
        /// The public key, 64 hexadecimal digits.
        public var publicKey: String
        /// From when it signs; nil only for the first key.
        public var validFrom: Date?
        /// Its private key file (mode 0600), needed to sign and for the handover to the next key.
        public var file: String?
    }

    /// scrypt parameters for PIN hashes.
    public struct Scrypt: Hashable, Sendable {
        /// log₂ of the cost N.
        public var log2N: Int
        /// The block size r.
        public var r: Int
        /// The parallelism p.
        public var p: Int
        /// Parameters below the OWASP minimums were allowed explicitly (tests only).
        public var allowWeakForTests: Bool
    }

    // MARK: - Derived views for the daemon

    /// The terminal session rules.
    public var terminalPolicy: TerminalPolicy {
        TerminalPolicy(idleTimeout: policy.idleTimeout, maximumSession: policy.maximumSession)
    }

    /// The role of the reader with this PC/SC name; `nil` for a reader that is not configured (refuse it).
    public func role(ofReader name: String) -> ReaderRole? {
        readers.first { $0.name == name }?.role
    }

    /// The clients allowed at terminal `id` (from its reader's `clients`).
    public func clients(ofTerminal id: String) -> [ClientRule] {
        readers.filter { $0.role == .terminal(id: id) }.flatMap(\.clients)
    }

    /// The clients allowed at door `id` (from both its readers' `clients`).
    public func clients(ofDoor id: String) -> [ClientRule] {
        readers.filter { if case .door(id, _, _) = $0.role { true } else { false } }.flatMap(\.clients)
    }

    /// The admin station's readers: the administrator's own card, and the card being issued, checked or reset.
    public var adminStation: (admin: String?, subject: String?) {
        (readers.first { $0.role == .admin }?.name, readers.first { $0.role == .adminSubject }?.name)
    }

    /// Every terminal with its reader, sorted by terminal id.
    public var terminals: [(terminalID: String, reader: String)] {
        readers.compactMap { reader in
            if case .terminal(let id) = reader.role { return (id, reader.name) }
            return nil
        }.sorted { $0.terminalID < $1.terminalID }
    }

    /// Every door with its rules and readers, sorted by door id.
    public var doors: [(configuration: DoorConfiguration, entryReader: String?, exitReader: String?)] {
        var byDoor: [String: (room: String, entry: String?, exit: String?)] = [:]
        for reader in readers {
            guard case .door(let door, let room, let direction) = reader.role else { continue }
            var entry = byDoor[door] ?? (room, nil, nil)
            if direction == .entry { entry.entry = reader.name } else { entry.exit = reader.name }
            byDoor[door] = entry
        }
        return byDoor.keys.sorted().map { door in
            let value = byDoor[door]!
            let configuration = DoorConfiguration(
                doorID: door, roomID: value.room, openDuration: policy.doorOpen, pinTimeout: policy.doorPINTimeout,
                roomRequiresPIN: policy.cardAndPINRooms.contains(value.room),
                antiPassback: policy.antiPassbackRooms.contains(value.room), timeZone: timeZone, heldOpenAfter: policy.doorHeldOpen,
                twoPersonWindow: policy.twoPersonWindow, visitorWindow: policy.visitorWindow)
            return (configuration, value.entry, value.exit)
        }
    }
}

/// What the gateway does when its executable differs from the approved program in the ledger.
public enum ProgramIdentityCheck: String, Hashable, Sendable, CaseIterable {
    /// Record and log a warning, then run.
    case warn
    /// Record and refuse to start.
    case refuse
}

/// The environment variables that override paths of the file.
public enum ConfigurationEnvironment: String, CaseIterable, Sendable {
    /// `paths.database`.
    case database = "CARDGATE_DATABASE"
    /// `paths.archive-dir`.
    case archiveDirectory = "CARDGATE_ARCHIVE_DIR"
    /// `api.socket`.
    case socket = "CARDGATE_SOCKET"
    /// `secrets.pepper`.
    case pepper = "CARDGATE_PEPPER_FILE"
    /// `secrets.history-signing-key`.
    case historySigningKey = "CARDGATE_SIGNING_KEY_FILE"
    /// `admin.socket`.
    case adminSocket = "CARDGATE_ADMIN_SOCKET"
    /// `history.witness-file`.
    case witnessFile = "CARDGATE_WITNESS_FILE"
}
