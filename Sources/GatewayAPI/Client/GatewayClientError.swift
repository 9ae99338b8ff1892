/// A failure of the client itself (as opposed to a ``GatewayError`` the gateway answered).
public struct GatewayClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// The socket could not be reached (gateway not running, wrong path, no permission).
        case unreachable
        /// The gateway answered something this client does not understand.
        case badResponse = "bad-response"
    }

    /// What went wrong.
    public var code: Code
    /// What happened and what to do.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
