import Foundation
import Vocabulary

/// Who is signed in: the operator's registry id and display name (names print as they are, UTF-8).
public struct OperatorSummary: Codable, Sendable, Equatable {
    /// The operator's id in the registry.
    public var id: String
    /// The operator's display name, for example `山田 太郎`.
    public var name: String

    /// Creates a summary.
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// One terminal: `GET /v1/terminals/{id}`, the `terminals` of the status and the `terminal` events.
///
/// `operator`, `unlockedAt`, `idleLockAt` and `sessionEndsAt` are present only while unlocked;
/// `attemptsLeft` while awaiting a PIN after a wrong one.
public struct TerminalView: Codable, Sendable, Equatable {
    /// The terminal id from the configuration, for example `T01`.
    public var id: String
    /// Locked, awaiting the PIN, unlocking, unlocked, or lock-failed.
    public var state: TerminalState
    /// The signed-in operator, when unlocked; never taken from a request.
    public var `operator`: OperatorSummary?
    /// When the session began.
    public var unlockedAt: Date?
    /// When the idle lock falls if nothing happens before.
    public var idleLockAt: Date?
    /// When the maximum session length ends the session.
    public var sessionEndsAt: Date?
    /// PIN attempts left before the card is blocked, after a wrong PIN.
    public var attemptsLeft: Int?
    /// Why the terminal was last locked, when locked.
    public var lockReason: LockReason?
    /// Why the card in the reader was refused (a reason code such as `not-genuine` or `pin-change-required`), while
    /// it stays in the reader.
    public var refusal: String?

    /// Creates a terminal view.
    public init(
        id: String,
        state: TerminalState,
        operator: OperatorSummary? = nil,
        unlockedAt: Date? = nil,
        idleLockAt: Date? = nil,
        sessionEndsAt: Date? = nil,
        attemptsLeft: Int? = nil,
        lockReason: LockReason? = nil,
        refusal: String? = nil
    ) {
        self.id = id
        self.state = state
        self.operator = `operator`
        self.unlockedAt = unlockedAt
        self.idleLockAt = idleLockAt
        self.sessionEndsAt = sessionEndsAt
        self.attemptsLeft = attemptsLeft
        self.lockReason = lockReason
        self.refusal = refusal
    }

    /// A locked terminal, with the reason if known.
    public static func locked(_ id: String, reason: LockReason? = nil) -> TerminalView {
        TerminalView(id: id, state: .locked, lockReason: reason)
    }
}
