/// Why a terminal was locked or a session ended. The raw value is the reason code written to the history, sent by
/// the API (`lockReason`) and shown by the lock screen.
public enum LockReason: String, Hashable, Sendable, Codable, CaseIterable {
    /// The card left the reader (clause 16.5).
    case cardRemoved = "card-removed"
    /// A new card was reported while another one was still thought to be present.
    case cardReplaced = "card-replaced"
    /// No activity for the idle timeout.
    case idleTimeout = "idle-timeout"
    /// The session reached its maximum length.
    case maximumSession = "maximum-session"
    /// Someone asked to lock (the lock screen's button, `POST /v1/terminals/{id}/lock`).
    case manual
    /// The emergency lock of every terminal (clause 30).
    case emergency
    /// The terminal's reader disappeared.
    case readerLost = "reader-lost"
    /// The PC/SC service (pcscd) is gone or stopped answering.
    case pcscServiceLost = "pcsc-service-lost"
    /// The machine resumed from suspend: whatever was open is locked.
    case resumed
    /// The unlock could not be recorded or carried out.
    case unlockFailed = "unlock-failed"
    /// The card in the reader was refused, or a PIN failure blocked it.
    case cardRefused = "card-refused"
    /// The gateway started: every terminal is locked first.
    case start
    /// The gateway is stopping.
    case shutdown
}
