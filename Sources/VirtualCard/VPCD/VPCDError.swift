/// Why a ``VPCDLink`` could not put its card into the virtual reader.
public struct VPCDError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for a program to switch on.
    public enum Code: Sendable, Equatable {
        /// The host name did not resolve to an IPv4 or IPv6 address.
        case invalidAddress
        /// vpcd did not accept the connection before the deadline.
        case timedOut
        /// ``VPCDLink/close()`` was called (or the task was cancelled) before the connection was made.
        case cancelled
        /// ``VPCDLink/connect(timeout:)`` was called on a link that is already connecting or connected.
        case alreadyStarted
    }

    /// What went wrong.
    public let code: Code
    /// A sentence a person can act on.
    public let message: String

    /// Makes an error with its code and message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The ``message``.
    public var description: String { message }
}
