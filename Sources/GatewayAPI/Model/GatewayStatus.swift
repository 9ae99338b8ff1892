import Foundation
import Vocabulary

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
    /// Every reader the gateway sees, approved or refused (a client that is not a supervisor sees its own only).
    public var readers: [ReaderView]
    /// Every configured terminal (a client that is not a supervisor sees its own only).
    public var terminals: [TerminalView]

    /// Creates a status.
    public init(
        version: String,
        startedAt: Date,
        pcscdRunning: Bool,
        historyOK: Bool,
        readers: [ReaderView],
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
public struct ReaderView: Codable, Sendable, Equatable {
    /// The PC/SC reader name, for example `CardGate Test A 00 00`.
    public var name: String
    /// Its role, absent for a refused reader.
    public var role: ReaderRole?
    /// What it is doing now.
    public var state: ReaderState

    /// Creates a reader view.
    public init(name: String, role: ReaderRole?, state: ReaderState) {
        self.name = name
        self.role = role
        self.state = state
    }
}
