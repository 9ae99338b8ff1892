/// A PC/SC result code (`SCARD_*` from pcsc-lite's `pcsclite.h`): its number, its C name and a plain explanation.
///
/// Every code pcsc-lite defines has a named constant, so a program can switch on them:
/// ```swift
/// switch error {
/// case .noService, .serviceStopped, .communicationError: // pcscd is gone: reconnect later
/// default: …
/// }
/// ```
/// Codes outside the table still round-trip through ``rawValue`` and are described as unknown.
/// (`SCARD_E_UNEXPECTED` has the same number as `SCARD_E_UNSUPPORTED_FEATURE` in pcsc-lite: ``unexpected``.)
public struct PCSCError: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 32-bit code, e.g. `0x8010001D` for `SCARD_E_NO_SERVICE`.
    public let rawValue: UInt32

    /// Wraps a code.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Wraps a code as pcsc-lite returns it (a C `LONG`, 64 bits wide on Linux).
    public init(code: Int) {
        self.rawValue = UInt32(truncatingIfNeeded: code)
    }

    /// `SCARD_S_SUCCESS`: no error was encountered.
    public static let success = PCSCError(rawValue: 0x00000000)
    /// `SCARD_F_INTERNAL_ERROR`: an internal consistency check in the PC/SC layer failed; retry, and restart pcscd if it persists.
    public static let internalError = PCSCError(rawValue: 0x80100001)
    /// `SCARD_E_CANCELLED`: the operation was cancelled by an SCardCancel request.
    public static let cancelled = PCSCError(rawValue: 0x80100002)
    /// `SCARD_E_INVALID_HANDLE`: the context or card handle is not valid (often because pcscd was restarted); establish a new context.
    public static let invalidHandle = PCSCError(rawValue: 0x80100003)
    /// `SCARD_E_INVALID_PARAMETER`: one or more parameters passed to PC/SC could not be interpreted.
    public static let invalidParameter = PCSCError(rawValue: 0x80100004)
    /// `SCARD_E_INVALID_TARGET`: registry start-up information is missing or invalid.
    public static let invalidTarget = PCSCError(rawValue: 0x80100005)
    /// `SCARD_E_NO_MEMORY`: not enough memory to complete the command.
    public static let noMemory = PCSCError(rawValue: 0x80100006)
    /// `SCARD_F_WAITED_TOO_LONG`: an internal consistency timer of the PC/SC layer expired.
    public static let waitedTooLong = PCSCError(rawValue: 0x80100007)
    /// `SCARD_E_INSUFFICIENT_BUFFER`: the buffer for the returned data is too small.
    public static let insufficientBuffer = PCSCError(rawValue: 0x80100008)
    /// `SCARD_E_UNKNOWN_READER`: no reader has that name; list the readers (cardgate readers) and use one of the names shown.
    public static let unknownReader = PCSCError(rawValue: 0x80100009)
    /// `SCARD_E_TIMEOUT`: the given time-out expired before anything happened.
    public static let timeout = PCSCError(rawValue: 0x8010000A)
    /// `SCARD_E_SHARING_VIOLATION`: another program holds the card exclusively; close it and retry.
    public static let sharingViolation = PCSCError(rawValue: 0x8010000B)
    /// `SCARD_E_NO_SMARTCARD`: there is no card in the reader; insert the card.
    public static let noSmartcard = PCSCError(rawValue: 0x8010000C)
    /// `SCARD_E_UNKNOWN_CARD`: the card name is not recognised.
    public static let unknownCard = PCSCError(rawValue: 0x8010000D)
    /// `SCARD_E_CANT_DISPOSE`: the card could not be reset, unpowered or ejected as requested.
    public static let cantDispose = PCSCError(rawValue: 0x8010000E)
    /// `SCARD_E_PROTO_MISMATCH`: the requested protocols (T=0/T=1) are incompatible with the one the card uses.
    public static let protocolMismatch = PCSCError(rawValue: 0x8010000F)
    /// `SCARD_E_NOT_READY`: the reader or card is not ready to accept commands; wait and retry.
    public static let notReady = PCSCError(rawValue: 0x80100010)
    /// `SCARD_E_INVALID_VALUE`: one or more parameter values could not be interpreted.
    public static let invalidValue = PCSCError(rawValue: 0x80100011)
    /// `SCARD_E_SYSTEM_CANCELLED`: the operation was cancelled by the system (log-off or shutdown).
    public static let systemCancelled = PCSCError(rawValue: 0x80100012)
    /// `SCARD_F_COMM_ERROR`: the connection to pcscd broke (pcscd stopped or restarted); establish a new context.
    public static let communicationError = PCSCError(rawValue: 0x80100013)
    /// `SCARD_F_UNKNOWN_ERROR`: an internal error of unknown origin happened in the PC/SC layer.
    public static let unknownError = PCSCError(rawValue: 0x80100014)
    /// `SCARD_E_INVALID_ATR`: an ATR obtained from the registry is not a valid ATR.
    public static let invalidATR = PCSCError(rawValue: 0x80100015)
    /// `SCARD_E_NOT_TRANSACTED`: an attempt was made to end a transaction that does not exist.
    public static let notTransacted = PCSCError(rawValue: 0x80100016)
    /// `SCARD_E_READER_UNAVAILABLE`: the reader is not available any more (unplugged, or its driver failed); check the reader.
    public static let readerUnavailable = PCSCError(rawValue: 0x80100017)
    /// `SCARD_P_SHUTDOWN`: the operation was aborted so that the server application can exit.
    public static let shutdown = PCSCError(rawValue: 0x80100018)
    /// `SCARD_E_PCI_TOO_SMALL`: the PCI receive buffer was too small.
    public static let pciTooSmall = PCSCError(rawValue: 0x80100019)
    /// `SCARD_E_READER_UNSUPPORTED`: the reader driver does not meet the minimal requirements.
    public static let readerUnsupported = PCSCError(rawValue: 0x8010001A)
    /// `SCARD_E_DUPLICATE_READER`: the reader driver did not produce a unique reader name.
    public static let duplicateReader = PCSCError(rawValue: 0x8010001B)
    /// `SCARD_E_CARD_UNSUPPORTED`: the card does not meet the minimal requirements.
    public static let cardUnsupported = PCSCError(rawValue: 0x8010001C)
    /// `SCARD_E_NO_SERVICE`: the PC/SC service is not running; start pcscd (systemctl start pcscd, or hardware/pcscd-virtual.sh start).
    public static let noService = PCSCError(rawValue: 0x8010001D)
    /// `SCARD_E_SERVICE_STOPPED`: the PC/SC service has shut down; start pcscd again.
    public static let serviceStopped = PCSCError(rawValue: 0x8010001E)
    /// `SCARD_E_UNSUPPORTED_FEATURE`: the card or reader does not support the requested feature (pcsc-lite gives SCARD_E_UNEXPECTED the same number).
    public static let unsupportedFeature = PCSCError(rawValue: 0x8010001F)
    /// `SCARD_E_ICC_INSTALLATION`: no primary provider can be found for the card.
    public static let iccInstallation = PCSCError(rawValue: 0x80100020)
    /// `SCARD_E_ICC_CREATEORDER`: the requested order of object creation is not supported.
    public static let iccCreateOrder = PCSCError(rawValue: 0x80100021)
    /// `SCARD_E_UNSUPPORTED_FEATURE_0x22`: the card does not support the requested feature (the Windows number of SCARD_E_UNSUPPORTED_FEATURE).
    public static let unsupportedFeatureWindows = PCSCError(rawValue: 0x80100022)
    /// `SCARD_E_DIR_NOT_FOUND`: the directory does not exist on the card.
    public static let directoryNotFound = PCSCError(rawValue: 0x80100023)
    /// `SCARD_E_FILE_NOT_FOUND`: the file does not exist on the card.
    public static let fileNotFound = PCSCError(rawValue: 0x80100024)
    /// `SCARD_E_NO_DIR`: the path is not a directory on the card.
    public static let noDirectory = PCSCError(rawValue: 0x80100025)
    /// `SCARD_E_NO_FILE`: the path is not a file on the card.
    public static let noFile = PCSCError(rawValue: 0x80100026)
    /// `SCARD_E_NO_ACCESS`: access to this file is denied.
    public static let noAccess = PCSCError(rawValue: 0x80100027)
    /// `SCARD_E_WRITE_TOO_MANY`: the card does not have enough memory to store the data.
    public static let writeTooMany = PCSCError(rawValue: 0x80100028)
    /// `SCARD_E_BAD_SEEK`: the card's file pointer could not be set.
    public static let badSeek = PCSCError(rawValue: 0x80100029)
    /// `SCARD_E_INVALID_CHV`: the PIN is incorrect.
    public static let invalidCHV = PCSCError(rawValue: 0x8010002A)
    /// `SCARD_E_UNKNOWN_RES_MNG`: a layered component returned an error code that is not recognised.
    public static let unknownResourceManager = PCSCError(rawValue: 0x8010002B)
    /// `SCARD_E_NO_SUCH_CERTIFICATE`: the requested certificate does not exist.
    public static let noSuchCertificate = PCSCError(rawValue: 0x8010002C)
    /// `SCARD_E_CERTIFICATE_UNAVAILABLE`: the requested certificate could not be obtained.
    public static let certificateUnavailable = PCSCError(rawValue: 0x8010002D)
    /// `SCARD_E_NO_READERS_AVAILABLE`: no card reader is connected; plug in a reader (or start the virtual readers).
    public static let noReadersAvailable = PCSCError(rawValue: 0x8010002E)
    /// `SCARD_E_COMM_DATA_LOST`: communication with the card failed and data was lost; retry the operation.
    public static let communicationDataLost = PCSCError(rawValue: 0x8010002F)
    /// `SCARD_E_NO_KEY_CONTAINER`: the requested key container does not exist on the card.
    public static let noKeyContainer = PCSCError(rawValue: 0x80100030)
    /// `SCARD_E_SERVER_TOO_BUSY`: the PC/SC service is too busy to complete the operation; retry later.
    public static let serverTooBusy = PCSCError(rawValue: 0x80100031)
    /// `SCARD_W_UNSUPPORTED_CARD`: the reader cannot talk to the card because of ATR configuration conflicts.
    public static let unsupportedCard = PCSCError(rawValue: 0x80100065)
    /// `SCARD_W_UNRESPONSIVE_CARD`: the card does not answer a reset; take it out and insert it again.
    public static let unresponsiveCard = PCSCError(rawValue: 0x80100066)
    /// `SCARD_W_UNPOWERED_CARD`: power was removed from the card, so communication is not possible; reconnect.
    public static let unpoweredCard = PCSCError(rawValue: 0x80100067)
    /// `SCARD_W_RESET_CARD`: the card was reset by another program, so its state is lost; reconnect and start again.
    public static let resetCard = PCSCError(rawValue: 0x80100068)
    /// `SCARD_W_REMOVED_CARD`: the card was removed from the reader.
    public static let removedCard = PCSCError(rawValue: 0x80100069)
    /// `SCARD_W_SECURITY_VIOLATION`: access was denied because of a security violation.
    public static let securityViolation = PCSCError(rawValue: 0x8010006A)
    /// `SCARD_W_WRONG_CHV`: the card cannot be accessed because the wrong PIN was presented.
    public static let wrongCHV = PCSCError(rawValue: 0x8010006B)
    /// `SCARD_W_CHV_BLOCKED`: the card cannot be accessed because the PIN is blocked (too many wrong tries).
    public static let chvBlocked = PCSCError(rawValue: 0x8010006C)
    /// `SCARD_W_EOF`: the end of the card file was reached.
    public static let endOfFile = PCSCError(rawValue: 0x8010006D)
    /// `SCARD_W_CANCELLED_BY_USER`: the user cancelled a card selection dialogue.
    public static let cancelledByUser = PCSCError(rawValue: 0x8010006E)
    /// `SCARD_W_CARD_NOT_AUTHENTICATED`: no PIN was presented to the card.
    public static let cardNotAuthenticated = PCSCError(rawValue: 0x8010006F)
    /// `SCARD_E_UNEXPECTED`: pcsc-lite gives it the number of ``unsupportedFeature``.
    public static let unexpected = unsupportedFeature

    /// The C name, e.g. `SCARD_E_NO_SERVICE`; `SCARD_0xXXXXXXXX` for a code pcsc-lite does not define.
    public var name: String { Self.table[rawValue]?.name ?? "SCARD_0x" + hex8(rawValue) }

    /// A plain sentence saying what happened and, where there is one, what to do.
    public var explanation: String {
        Self.table[rawValue]?.explanation ?? "PC/SC returned the unknown code 0x\(hex8(rawValue))"
    }

    /// Whether this code is in pcsc-lite's list.
    public var isKnown: Bool { Self.table[rawValue] != nil }

    /// Whether the code means the connection to pcscd is gone (stopped, restarted, or never started):
    /// release the context and establish a new one later.
    public var meansServiceUnavailable: Bool {
        [Self.noService, .serviceStopped, .communicationError, .invalidHandle, .shutdown].contains(self)
    }

    /// Whether the code means the card left the reader or lost its state (removed, reset, unpowered).
    public var meansCardGone: Bool {
        [Self.removedCard, .resetCard, .unpoweredCard, .noSmartcard, .readerUnavailable].contains(self)
    }

    /// "NAME (0xCODE): explanation".
    public var description: String { "\(name) (0x\(hex8(rawValue))): \(explanation)" }

    /// Every code pcsc-lite defines, in numeric order.
    public static let all: [PCSCError] = table.keys.sorted().map(PCSCError.init(rawValue:))

    private static let table: [UInt32: (name: String, explanation: String)] = [
        0x00000000: ("SCARD_S_SUCCESS", "no error was encountered"),
        0x80100001: ("SCARD_F_INTERNAL_ERROR", "an internal consistency check in the PC/SC layer failed; retry, and restart pcscd if it persists"),
        0x80100002: ("SCARD_E_CANCELLED", "the operation was cancelled by an SCardCancel request"),
        0x80100003: ("SCARD_E_INVALID_HANDLE", "the context or card handle is not valid (often because pcscd was restarted); establish a new context"),
        0x80100004: ("SCARD_E_INVALID_PARAMETER", "one or more parameters passed to PC/SC could not be interpreted"),
        0x80100005: ("SCARD_E_INVALID_TARGET", "registry start-up information is missing or invalid"),
        0x80100006: ("SCARD_E_NO_MEMORY", "not enough memory to complete the command"),
        0x80100007: ("SCARD_F_WAITED_TOO_LONG", "an internal consistency timer of the PC/SC layer expired"),
        0x80100008: ("SCARD_E_INSUFFICIENT_BUFFER", "the buffer for the returned data is too small"),
        0x80100009: ("SCARD_E_UNKNOWN_READER", "no reader has that name; list the readers (cardgate readers) and use one of the names shown"),
        0x8010000A: ("SCARD_E_TIMEOUT", "the given time-out expired before anything happened"),
        0x8010000B: ("SCARD_E_SHARING_VIOLATION", "another program holds the card exclusively; close it and retry"),
        0x8010000C: ("SCARD_E_NO_SMARTCARD", "there is no card in the reader; insert the card"),
        0x8010000D: ("SCARD_E_UNKNOWN_CARD", "the card name is not recognised"),
        0x8010000E: ("SCARD_E_CANT_DISPOSE", "the card could not be reset, unpowered or ejected as requested"),
        0x8010000F: ("SCARD_E_PROTO_MISMATCH", "the requested protocols (T=0/T=1) are incompatible with the one the card uses"),
        0x80100010: ("SCARD_E_NOT_READY", "the reader or card is not ready to accept commands; wait and retry"),
        0x80100011: ("SCARD_E_INVALID_VALUE", "one or more parameter values could not be interpreted"),
        0x80100012: ("SCARD_E_SYSTEM_CANCELLED", "the operation was cancelled by the system (log-off or shutdown)"),
        0x80100013: ("SCARD_F_COMM_ERROR", "the connection to pcscd broke (pcscd stopped or restarted); establish a new context"),
        0x80100014: ("SCARD_F_UNKNOWN_ERROR", "an internal error of unknown origin happened in the PC/SC layer"),
        0x80100015: ("SCARD_E_INVALID_ATR", "an ATR obtained from the registry is not a valid ATR"),
        0x80100016: ("SCARD_E_NOT_TRANSACTED", "an attempt was made to end a transaction that does not exist"),
        0x80100017: ("SCARD_E_READER_UNAVAILABLE", "the reader is not available any more (unplugged, or its driver failed); check the reader"),
        0x80100018: ("SCARD_P_SHUTDOWN", "the operation was aborted so that the server application can exit"),
        0x80100019: ("SCARD_E_PCI_TOO_SMALL", "the PCI receive buffer was too small"),
        0x8010001A: ("SCARD_E_READER_UNSUPPORTED", "the reader driver does not meet the minimal requirements"),
        0x8010001B: ("SCARD_E_DUPLICATE_READER", "the reader driver did not produce a unique reader name"),
        0x8010001C: ("SCARD_E_CARD_UNSUPPORTED", "the card does not meet the minimal requirements"),
        0x8010001D: ("SCARD_E_NO_SERVICE", "the PC/SC service is not running; start pcscd (systemctl start pcscd, or hardware/pcscd-virtual.sh start)"),
        0x8010001E: ("SCARD_E_SERVICE_STOPPED", "the PC/SC service has shut down; start pcscd again"),
        0x8010001F: ("SCARD_E_UNSUPPORTED_FEATURE", "the card or reader does not support the requested feature (pcsc-lite gives SCARD_E_UNEXPECTED the same number)"),
        0x80100020: ("SCARD_E_ICC_INSTALLATION", "no primary provider can be found for the card"),
        0x80100021: ("SCARD_E_ICC_CREATEORDER", "the requested order of object creation is not supported"),
        0x80100022: ("SCARD_E_UNSUPPORTED_FEATURE_0x22", "the card does not support the requested feature (the Windows number of SCARD_E_UNSUPPORTED_FEATURE)"),
        0x80100023: ("SCARD_E_DIR_NOT_FOUND", "the directory does not exist on the card"),
        0x80100024: ("SCARD_E_FILE_NOT_FOUND", "the file does not exist on the card"),
        0x80100025: ("SCARD_E_NO_DIR", "the path is not a directory on the card"),
        0x80100026: ("SCARD_E_NO_FILE", "the path is not a file on the card"),
        0x80100027: ("SCARD_E_NO_ACCESS", "access to this file is denied"),
        0x80100028: ("SCARD_E_WRITE_TOO_MANY", "the card does not have enough memory to store the data"),
        0x80100029: ("SCARD_E_BAD_SEEK", "the card's file pointer could not be set"),
        0x8010002A: ("SCARD_E_INVALID_CHV", "the PIN is incorrect"),
        0x8010002B: ("SCARD_E_UNKNOWN_RES_MNG", "a layered component returned an error code that is not recognised"),
        0x8010002C: ("SCARD_E_NO_SUCH_CERTIFICATE", "the requested certificate does not exist"),
        0x8010002D: ("SCARD_E_CERTIFICATE_UNAVAILABLE", "the requested certificate could not be obtained"),
        0x8010002E: ("SCARD_E_NO_READERS_AVAILABLE", "no card reader is connected; plug in a reader (or start the virtual readers)"),
        0x8010002F: ("SCARD_E_COMM_DATA_LOST", "communication with the card failed and data was lost; retry the operation"),
        0x80100030: ("SCARD_E_NO_KEY_CONTAINER", "the requested key container does not exist on the card"),
        0x80100031: ("SCARD_E_SERVER_TOO_BUSY", "the PC/SC service is too busy to complete the operation; retry later"),
        0x80100065: ("SCARD_W_UNSUPPORTED_CARD", "the reader cannot talk to the card because of ATR configuration conflicts"),
        0x80100066: ("SCARD_W_UNRESPONSIVE_CARD", "the card does not answer a reset; take it out and insert it again"),
        0x80100067: ("SCARD_W_UNPOWERED_CARD", "power was removed from the card, so communication is not possible; reconnect"),
        0x80100068: ("SCARD_W_RESET_CARD", "the card was reset by another program, so its state is lost; reconnect and start again"),
        0x80100069: ("SCARD_W_REMOVED_CARD", "the card was removed from the reader"),
        0x8010006A: ("SCARD_W_SECURITY_VIOLATION", "access was denied because of a security violation"),
        0x8010006B: ("SCARD_W_WRONG_CHV", "the card cannot be accessed because the wrong PIN was presented"),
        0x8010006C: ("SCARD_W_CHV_BLOCKED", "the card cannot be accessed because the PIN is blocked (too many wrong tries)"),
        0x8010006D: ("SCARD_W_EOF", "the end of the card file was reached"),
        0x8010006E: ("SCARD_W_CANCELLED_BY_USER", "the user cancelled a card selection dialogue"),
        0x8010006F: ("SCARD_W_CARD_NOT_AUTHENTICATED", "no PIN was presented to the card"),
    ]
}

/// Eight upper-case hex digits.
func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
