/// Why a history operation failed. Any error from `append` means the act must be denied (no record, no access).
public struct HistoryError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for a program to switch on.
    public enum Code: String, Sendable {
        /// The event or a filter is not acceptable (bad identifier, details too large, unknown kind).
        case invalidEvent
        /// The database could not be opened, read or written (disk full, locked too long, damaged).
        case storage
        /// The signing key is missing, unreadable, readable by others or malformed.
        case signingKey
        /// A checkpoint was committed but a witness (file or command) could not be written; the act is denied.
        case witness
        /// The history refuses every write: its witness shows the database was cut short or rewritten. An alarm
        /// event was recorded; an administrator must act (`HistoryStore.acknowledgeWitnessMismatch(by:reason:)`).
        case halted
        /// A checkpoint note or witness line is malformed.
        case invalidCheckpoint
        /// A proof file is malformed or does not prove what it claims.
        case invalidProof
        /// Archive, prune or retention rules refused the request.
        case refused
        /// An archive file is missing or does not match its record.
        case archive
        /// The configuration is not usable (retention below seven years, bad intervals, no witness).
        case configuration
    }

    /// The code.
    public let code: Code
    /// A message a person can act on.
    public let description: String

    /// Creates an error.
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
