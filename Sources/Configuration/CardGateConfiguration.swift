import AccessPolicy
import Foundation

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
    /// The local API's Unix socket.
    public var api: API
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
    }

    /// One approved reader.
    public struct Reader: Hashable, Sendable {
        /// The reader's PC/SC name, slot suffix included (`CardGate T01 00 00`).
        public var name: String
        /// What it is used for.
        public var role: ReaderRole
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
    }

    /// The external commands.
    public struct Commands: Hashable, Sendable {
        /// Locks a terminal's screen (`{terminal}`, `{reader}`).
        public var lock: CommandTemplate
        /// Unlocks it (`{terminal}`, `{reader}`, `{operator}`).
        public var unlock: CommandTemplate
        /// Opens a door for some seconds (`{door}`, `{room}`, `{direction}`, `{seconds}`).
        public var doorOpen: CommandTemplate
    }

    /// History checkpoint interval: a signed checkpoint after this many events or this long, whichever comes first.
    public struct History: Hashable, Sendable {
        /// Events between checkpoints.
        public var checkpointEveryEvents: Int
        /// Time between checkpoints.
        public var checkpointEvery: Duration
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
                antiPassback: policy.antiPassbackRooms.contains(value.room), timeZone: timeZone)
            return (configuration, value.entry, value.exit)
        }
    }
}

/// What a reader is used for.
public enum ReaderRole: Hashable, Sendable {
    /// The PIN administrator's station (card issue, PIN set/reset).
    case admin
    /// A terminal's reader.
    case terminal(id: String)
    /// One side of a room door.
    case door(id: String, room: String, direction: DoorDirection)
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
}
