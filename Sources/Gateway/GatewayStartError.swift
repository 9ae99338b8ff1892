import Vocabulary

/// Why `cardgate serve` could not start.
public struct GatewayStartError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// The history cannot be written.
        case historyUnavailable = "history-unavailable"
        /// The program is not the approved one and the configuration says refuse.
        case programNotApproved = "program-not-approved"
        /// The configuration names something that is not there (a command's program, a user, a group).
        case configuration
        /// A secret or database could not be opened.
        case setup
    }

    /// The code.
    public let code: Code
    /// A message a person can act on.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
