/// What the local API asks of the gateway core. The core (readers → card checks → policy → history)
/// implements it; the API only validates input, calls it and maps ``GatewayError`` to HTTP.
///
/// Rules for implementations:
/// - Ids arrive validated (1–32 of `A-Z a-z 0-9 . _ -`); throw ``GatewayError/Code/unknownTerminal`` etc.
///   for ids that are not configured.
/// - The operator and the terminal of an operation come from the session of that terminal, never from the
///   request: ``recordOperation(terminal:action:target:)`` throws ``GatewayError/Code/terminalLocked``
///   unless the terminal is unlocked.
/// - Every grant, session change and operation is appended to the history before it takes effect; if the
///   append fails, throw ``GatewayError/historyUnavailable(_:)`` and do not act (no record, no access).
/// - Never put a PIN in an error message or a log line (``PIN`` prints redacted).
public protocol GatewayService: Sendable {
    /// Version, readers with roles and states, terminals, pcscd and history health.
    func status() async throws -> GatewayStatus

    /// One terminal's state.
    func terminal(id: String) async throws -> TerminalView

    /// Checks the PIN of the card waiting at terminal `id`; on success the terminal is unlocked and its view
    /// returned. Wrong PIN: ``GatewayError/Code/wrongPIN`` with `attemptsLeft`; the last wrong try blocks the
    /// card (``GatewayError/Code/cardBlocked``); no card waiting: ``GatewayError/Code/notAwaitingPIN``.
    func submitTerminalPIN(terminal id: String, pin: PIN) async throws -> TerminalView

    /// Records an operation in the history under the session of terminal `id` (its operator, its terminal)
    /// and counts as activity for the idle lock. ``GatewayError/Code/terminalLocked`` unless unlocked.
    /// `action` matches `[a-z][a-z0-9._-]{0,63}`, `target` matches `[A-Za-z0-9][A-Za-z0-9._:/@#-]{0,127}`.
    func recordOperation(terminal id: String, action: String, target: String) async throws -> OperationReceipt

    /// Locks terminal `id` now (runs the lock command, ends the session, records it). Locking a locked
    /// terminal is not an error: it answers the locked view.
    func lockTerminal(id: String) async throws -> TerminalView

    /// Checks the PIN of the card waiting at door `id` (rooms that need card + PIN, within 30 s) and, when
    /// granted, opens the door. Refusals: ``GatewayError/Code/wrongPIN``, ``GatewayError/Code/cardBlocked``,
    /// ``GatewayError/Code/accessRefused``, ``GatewayError/Code/notAwaitingPIN``.
    func submitDoorPIN(door id: String, pin: PIN) async throws -> DoorDecision

    /// Who is in room `id` now, from the entries and exits.
    func occupancy(room id: String) async throws -> RoomOccupancy

    /// Clause 30: locks every terminal and ends every session at once, recorded with `reason`.
    func emergencyLockAll(reason: String?) async throws -> EmergencyLockResult

    /// A new subscription to state changes. Each call returns its own stream; the subscription ends when
    /// the stream's consumer stops (see ``EventBroadcaster``, which implements exactly this).
    func events() async -> AsyncStream<GatewayEvent>
}
