/// Why a PC/SC operation failed: a code to switch on and a message a person can act on.
public struct SmartCardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Equatable {
        /// pcsc-lite returned this `SCARD_*` code.
        case pcsc(PCSCError)
        /// The card did not answer a command within the connection's response time-out (a mute card).
        /// The connection is unusable afterwards; the card has to be removed.
        case cardNotResponding
        /// The connection or context was already closed (disconnected, released, or abandoned after a
        /// card stopped responding).
        case closed
        /// An argument was not acceptable (empty reader name, empty or oversized APDU).
        case invalidArgument
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

    /// An error for pcsc-lite result `result` of the call `operation` (e.g. "SCardConnect to \"Reader 00 00\"").
    init(_ operation: String, _ result: PCSCError) {
        self.init(.pcsc(result), "\(operation) failed: \(result)")
    }

    /// The `SCARD_*` code, when pcsc-lite reported one.
    public var pcscError: PCSCError? {
        if case .pcsc(let error) = code { return error }
        return nil
    }

    /// Whether pcscd is not reachable (not running, stopped, or restarted under this context).
    public var meansServiceUnavailable: Bool { pcscError?.meansServiceUnavailable ?? false }

    /// The ``message``.
    public var description: String { message }
}
