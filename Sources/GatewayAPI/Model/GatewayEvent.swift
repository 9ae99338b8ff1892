/// A change of state, streamed to lock screens by `GET /v1/events` as server-sent events.
///
/// On the wire each event is `event: <kind>` and `data: <JSON of the payload>`.
public enum GatewayEvent: Sendable, Equatable {
    /// A terminal changed state (locked, awaiting PIN, unlocked, wrong PIN, idle lock moved).
    case terminal(TerminalView)
    /// A reader appeared, disappeared, got or lost a card, or was refused.
    case reader(ReaderView)
    /// Something happened at a door.
    case door(DoorNotice)
    /// Emergency lock-all ran (clause 30).
    case emergency(EmergencyLockResult)

    /// The SSE event name: `terminal`, `reader`, `door` or `emergency`.
    public var kind: String {
        switch self {
        case .terminal: "terminal"
        case .reader: "reader"
        case .door: "door"
        case .emergency: "emergency"
        }
    }

    /// The terminal this event concerns, if it concerns one terminal.
    public var terminalID: String? {
        if case .terminal(let view) = self { return view.id }
        return nil
    }
}
