/// An error of the gateway or of the API, with a code to switch on and a message a person can act on.
///
/// The API answers it as `{"error": code, "message": message}` (plus `attemptsLeft` for a wrong PIN) with
/// the HTTP status of ``Code/httpStatus``. A message never contains a PIN.
public struct GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a stable string on the wire.
    public enum Code: String, Sendable, Codable, CaseIterable {
        // 400: the request itself is wrong.
        /// The body is not JSON, or not a JSON object.
        case invalidJSON = "invalid-json"
        /// A field is missing, unknown, of the wrong type, or does not match its pattern.
        case invalidField = "invalid-field"
        /// The PIN is not 4–16 digits.
        case invalidPIN = "invalid-pin"
        /// A path id is not 1–32 characters of `A-Z a-z 0-9 . _ -`.
        case invalidID = "invalid-id"
        /// Any other malformed request.
        case invalidRequest = "invalid-request"
        // 401
        /// The administration socket: no administrative session for this caller (log in at the admin station), or it
        /// ended (card pulled, time-out, logout).
        case notLoggedIn = "not-logged-in"
        // 404
        /// No such route.
        case notFound = "not-found"
        /// No such terminal in the configuration.
        case unknownTerminal = "unknown-terminal"
        /// No such door in the configuration.
        case unknownDoor = "unknown-door"
        /// No such room in the registry.
        case unknownRoom = "unknown-room"
        // 403
        /// The caller (identified by the kernel) may not use this terminal, door or route; the refusal is recorded.
        case forbidden
        /// The card was refused (for example its PIN must be changed first); the message says why.
        case cardRefused = "card-refused"
        /// The administrative act is not allowed for this administrator (role, separation of duties).
        case notPermitted = "not-permitted"
        /// The PIN was wrong; `attemptsLeft` says how many tries remain.
        case wrongPIN = "wrong-pin"
        /// The card is blocked (too many wrong PINs); only the PIN administrator unblocks it.
        case cardBlocked = "card-blocked"
        /// The door refused: no grant now, out of hours, anti-passback, revoked card…
        case accessRefused = "access-refused"
        // 405
        /// The route exists but not with this method; the `Allow` header lists the methods it has.
        case methodNotAllowed = "method-not-allowed"
        // 409
        /// No card waits for a PIN at this terminal or door (or the 30 s to enter it ran out).
        case notAwaitingPIN = "not-awaiting-pin"
        /// The registry refused the administrative act (unknown record, duplicate, a state that does not allow it).
        case conflict
        // 413, 415
        /// The body is larger than the limit (4 KiB).
        case bodyTooLarge = "body-too-large"
        /// The body is not `application/json`.
        case unsupportedMediaType = "unsupported-media-type"
        // 423
        /// The terminal is not unlocked: no operation can be recorded on it.
        case terminalLocked = "terminal-locked"
        // 429
        /// The caller has as many event streams open as it may.
        case tooManyStreams = "too-many-streams"
        // 503
        /// The history cannot be appended: the act is refused (no record, no access).
        case historyUnavailable = "history-unavailable"
        /// pcscd or the reader is not available.
        case readerUnavailable = "reader-unavailable"
        /// The registry or the card could not be read, so nothing could be decided (not the card's fault; nothing was
        /// counted against it).
        case unavailable
        /// The unlock command failed; the terminal stays locked.
        case unlockFailed = "unlock-failed"
        /// The socket holds as many connections as it may (in total or for this client).
        case tooManyConnections = "too-many-connections"
        // 500
        /// A fault of the gateway itself.
        case `internal`

        /// The HTTP status the API answers with.
        public var httpStatus: Int {
            switch self {
            case .invalidJSON, .invalidField, .invalidPIN, .invalidID, .invalidRequest: 400
            case .notLoggedIn: 401
            case .notFound, .unknownTerminal, .unknownDoor, .unknownRoom: 404
            case .forbidden, .cardRefused, .notPermitted, .wrongPIN, .cardBlocked, .accessRefused: 403
            case .methodNotAllowed: 405
            case .notAwaitingPIN, .conflict: 409
            case .bodyTooLarge: 413
            case .unsupportedMediaType: 415
            case .terminalLocked: 423
            case .tooManyStreams: 429
            case .historyUnavailable, .readerUnavailable, .unavailable, .unlockFailed, .tooManyConnections: 503
            case .internal: 500
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// What happened and what to do, without any secret.
    public var message: String
    /// PIN attempts left, with ``Code/wrongPIN``.
    public var attemptsLeft: Int?

    /// Creates an error.
    public init(_ code: Code, _ message: String, attemptsLeft: Int? = nil) {
        self.code = code
        self.message = message
        self.attemptsLeft = attemptsLeft
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }

    /// Terminal `id` is not configured.
    public static func unknownTerminal(_ id: String) -> GatewayError {
        GatewayError(.unknownTerminal, "terminal \(id) is not configured")
    }
    /// Door `id` is not configured.
    public static func unknownDoor(_ id: String) -> GatewayError {
        GatewayError(.unknownDoor, "door \(id) is not configured")
    }
    /// Room `id` is not in the registry.
    public static func unknownRoom(_ id: String) -> GatewayError {
        GatewayError(.unknownRoom, "room \(id) is not in the registry")
    }
    /// Terminal `id` is locked: insert a card and enter the PIN first.
    public static func terminalLocked(_ id: String) -> GatewayError {
        GatewayError(.terminalLocked, "terminal \(id) is not unlocked; insert an operator card and enter its PIN first")
    }
    /// The caller may not do `what`.
    public static func forbidden(_ what: String) -> GatewayError {
        GatewayError(.forbidden, "this client may not \(what); the gateway's configuration lists who may (clients, supervisors)")
    }
    /// The history append failed, so the act was refused.
    public static func historyUnavailable(_ detail: String) -> GatewayError {
        GatewayError(.historyUnavailable, "the history cannot be written (\(detail)); nothing is granted until it can (no record, no access)")
    }
}

/// The error body on the wire: `{"error": code, "message": …, "attemptsLeft": n?}`.
struct ErrorBody: Codable, Sendable {
    var error: String
    var message: String
    var attemptsLeft: Int?
}
