import Vocabulary

/// What the local API asks of the gateway core. The core (readers → card checks → policy → history) implements
/// it; the API only validates input, calls it with the caller the kernel identified, and maps ``GatewayError`` to
/// HTTP.
///
/// Rules for implementations:
/// - Every call carries the ``Peer`` read with `SO_PEERCRED` on the connection: decide who may do what from it
///   (the configuration's `clients` of each terminal and door, and its `supervisors`), never from the request.
///   A refusal is ``GatewayError/Code/forbidden`` and is recorded (rate-limited).
/// - Ids arrive validated (1–32 of `A-Z a-z 0-9 . _ -`); throw ``GatewayError/Code/unknownTerminal`` etc. for ids
///   that are not configured.
/// - The operator and the terminal of an operation come from the session of that terminal, never from the request.
/// - Every grant, session change and operation is appended to the history before it takes effect; if the append
///   fails, throw ``GatewayError/historyUnavailable(_:)`` and do not act (no record, no access).
/// - Never put a PIN in an error message or a log line (`PIN` prints redacted).
public protocol GatewayService: Sendable {
    /// Version, pcscd and history health, and the readers and terminals the caller may see (all for a supervisor).
    func status(caller: Peer) async throws -> GatewayStatus

    /// One terminal's state (its clients and supervisors).
    func terminal(id: String, caller: Peer) async throws -> TerminalView

    /// Checks the PIN of the card waiting at terminal `id` (its clients only); answers the unlocked view once the
    /// unlock command succeeded. Wrong PIN: ``GatewayError/Code/wrongPIN`` with `attemptsLeft`; the last wrong try
    /// blocks the card (``GatewayError/Code/cardBlocked``); no card waiting: ``GatewayError/Code/notAwaitingPIN``.
    func submitTerminalPIN(terminal id: String, pin: PIN, caller: Peer) async throws -> TerminalView

    /// Records an operation in the history under the session of terminal `id` (its clients only) and counts as
    /// activity for the idle lock. ``GatewayError/Code/terminalLocked`` unless unlocked.
    func recordOperation(terminal id: String, action: String, target: String, caller: Peer) async throws -> OperationReceipt

    /// Locks terminal `id` now (its clients and supervisors). Locking a locked terminal answers the locked view.
    func lockTerminal(id: String, caller: Peer) async throws -> TerminalView

    /// Checks the PIN of the card waiting at door `id` (its clients only) and, when granted, opens the door.
    func submitDoorPIN(door id: String, pin: PIN, caller: Peer) async throws -> DoorOpening

    /// Door `id`'s state (its clients and supervisors).
    func door(id: String, caller: Peer) async throws -> DoorView

    /// The door controller reports the contact open or closed (its clients only). Opening without a granted passage
    /// or an exit request raises `forced-open`; staying open too long after one raises `held-open`; closing clears.
    func reportDoorContact(door id: String, open: Bool, caller: Peer) async throws -> DoorView

    /// The door controller reports the request-to-exit button (its clients only): the door opens, and the exit is
    /// recorded as an exit of an unknown person unless a card was shown.
    func requestToExit(door id: String, caller: Peer) async throws -> DoorView

    /// A visitor without a card is announced at the door (its clients only); the next card with an escort grant lets
    /// both in.
    func announceVisitor(door id: String, visitor: Visitor, caller: Peer) async throws -> DoorView

    /// A supervisor lets the next exit of a two-person room at door `id` pass alone (recorded).
    func overrideTwoPerson(door id: String, caller: Peer) async throws -> DoorView

    /// The door alarms still raised or not yet acknowledged that the caller may see.
    func alarms(caller: Peer) async throws -> AlarmList

    /// A supervisor acknowledges alarm `id` (recorded).
    func acknowledgeAlarm(id: Int, caller: Peer) async throws -> AlarmView

    /// Fire and evacuation: every door is opened and held, every terminal locked, until ``restoreDoors(caller:)``
    /// (supervisors and the fire panel's clients).
    func releaseDoors(reason: String?, caller: Peer) async throws -> DoorReleaseResult

    /// Ends a release: every door is secured again (supervisors and the fire panel's clients).
    func restoreDoors(caller: Peer) async throws -> DoorReleaseResult

    /// Who is in room `id` now (clients of its doors and supervisors).
    func occupancy(room id: String, caller: Peer) async throws -> OccupancyView

    /// Clause 30: locks every terminal and ends every session at once, recorded with `reason` (supervisors only).
    func emergencyLockAll(reason: String?, caller: Peer) async throws -> EmergencyLockResult

    /// A new subscription to the changes the caller may see (its terminals and doors; all for a supervisor),
    /// optionally of one terminal. At most a configured number per caller: ``GatewayError/Code/tooManyStreams``.
    /// The subscription ends when the stream's consumer stops.
    func events(terminal: String?, caller: Peer) async throws -> AsyncStream<GatewayEvent>
}
