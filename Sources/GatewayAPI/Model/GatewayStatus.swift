import Foundation

/// The answer of `GET /v1/status`: what the gateway runs and whether it can work.
public struct GatewayStatus: Codable, Sendable, Equatable {
    /// The CardGate version (`CardGateVersion.current`).
    public var version: String
    /// When this gateway process started.
    public var startedAt: Date
    /// Whether pcscd answers. When it does not, every terminal is locked (fail closed).
    public var pcscdRunning: Bool
    /// Whether the history accepts appends. When it does not, nothing is granted (no record, no access).
    public var historyOK: Bool
    /// Every reader the gateway sees, approved or refused.
    public var readers: [ReaderStatus]
    /// Every configured terminal.
    public var terminals: [TerminalView]

    /// Creates a status.
    public init(
        version: String,
        startedAt: Date,
        pcscdRunning: Bool,
        historyOK: Bool,
        readers: [ReaderStatus],
        terminals: [TerminalView]
    ) {
        self.version = version
        self.startedAt = startedAt
        self.pcscdRunning = pcscdRunning
        self.historyOK = historyOK
        self.readers = readers
        self.terminals = terminals
    }

    enum CodingKeys: String, CodingKey {
        case version, startedAt, pcscdRunning, historyOK = "historyOk", readers, terminals
    }
}

/// Which way a door reader lets people go.
public enum DoorDirection: String, Codable, Sendable, CaseIterable {
    /// Entering the room (`door.entry`).
    case `in`
    /// Leaving the room (`door.exit`).
    case out
}

/// What a reader is for, from the configuration.
public enum ReaderRole: Codable, Sendable, Equatable {
    /// The PIN administrator's station (card issue, PIN set/reset).
    case admin
    /// The reader of terminal `terminal`.
    case terminal(String)
    /// A door reader: door id, room id and direction.
    case door(String, room: String, direction: DoorDirection)

    enum CodingKeys: String, CodingKey { case kind, terminal, door, room, direction }

    /// Decodes `{"kind":"admin"}`, `{"kind":"terminal","terminal":"T01"}` or
    /// `{"kind":"door","door":"D01","room":"R1","direction":"in"}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "admin":
            self = .admin
        case "terminal":
            self = .terminal(try container.decode(String.self, forKey: .terminal))
        case "door":
            self = .door(
                try container.decode(String.self, forKey: .door),
                room: try container.decode(String.self, forKey: .room),
                direction: try container.decode(DoorDirection.self, forKey: .direction)
            )
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container, debugDescription: "unknown reader role kind \(other)")
        }
    }

    /// Encodes the role as an object with a `kind`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .admin:
            try container.encode("admin", forKey: .kind)
        case .terminal(let id):
            try container.encode("terminal", forKey: .kind)
            try container.encode(id, forKey: .terminal)
        case .door(let id, let room, let direction):
            try container.encode("door", forKey: .kind)
            try container.encode(id, forKey: .door)
            try container.encode(room, forKey: .room)
            try container.encode(direction, forKey: .direction)
        }
    }
}

/// What a reader is doing now.
public enum ReaderState: String, Codable, Sendable, CaseIterable {
    /// Present, no card.
    case empty
    /// Present, with a card.
    case cardPresent = "card-present"
    /// Configured but not seen by pcscd (unplugged, or pcscd down).
    case unavailable
    /// Seen but not approved (not in the configuration and the equipment ledger): ignored and recorded.
    case refused
}

/// One reader in the status.
public struct ReaderStatus: Codable, Sendable, Equatable {
    /// The PC/SC reader name, for example `CardGate Test A 00 00`.
    public var name: String
    /// Its role, absent for a refused reader.
    public var role: ReaderRole?
    /// What it is doing now.
    public var state: ReaderState

    /// Creates a reader status.
    public init(name: String, role: ReaderRole?, state: ReaderState) {
        self.name = name
        self.role = role
        self.state = state
    }
}
