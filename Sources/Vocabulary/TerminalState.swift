/// The state of a terminal as the API, the event stream and the lock screen show it.
public enum TerminalState: String, Hashable, Sendable, Codable, CaseIterable {
    /// No session: the screen asks for a card (or shows why the card was refused).
    case locked
    /// A card was accepted; the gateway waits for its PIN.
    case awaitingPIN = "awaiting-pin"
    /// The PIN was accepted and the unlock command runs; the terminal is not unlocked until it succeeded.
    case unlocking
    /// A session is open.
    case unlocked
    /// The last lock command failed (after its retries): the screen may still be open. An alarm was raised.
    case lockFailed = "lock-failed"
}
