/// Why the API server could not start, with what to do about it.
public struct GatewayServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// The configured socket group does not exist.
        case unknownGroup = "unknown-group"
        /// The socket path is too long for a Unix socket address, or not absolute.
        case badSocketPath = "bad-socket-path"
        /// The socket's folder does not exist.
        case missingDirectory = "missing-directory"
        /// Something that is not a socket is at the socket path.
        case notASocket = "not-a-socket"
        /// Another process listens on the socket path.
        case alreadyListening = "already-listening"
        /// chown or chmod of the socket failed.
        case permissions
        /// Any other system call failed.
        case system
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
