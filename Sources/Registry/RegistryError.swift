import Credentials

/// Why a registry operation was refused. Nothing was changed when one of these is thrown.
///
/// `code` is for programs (exit codes, JSON output); `description` is for the person at the terminal and
/// says what to do. Messages never contain a PIN.
public struct RegistryError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, for a program to switch on.
    public enum Code: String, Sendable {
        /// A value given by the caller does not parse or is out of range (see the message).
        case invalidInput
        /// No operator with that id.
        case unknownOperator
        /// An operator with that id already exists.
        case operatorExists
        /// The operator is disabled or outside their validity period.
        case operatorNotActive
        /// The change would leave no active PIN administrator.
        case lastPINAdministrator
        /// A terminal id that is not an in-service terminal on the equipment ledger.
        case unknownTerminal
        /// No card with that GUID.
        case unknownCard
        /// The card is already bound to an operator.
        case cardAlreadyBound
        /// The card's public key is already pinned to another card (a clone or a re-used key).
        case keyAlreadyPinned
        /// The card is revoked, collected or destroyed.
        case cardRevoked
        /// The card's validity has ended.
        case cardExpired
        /// The card is suspended, or otherwise not usable for this act.
        case cardNotUsable
        /// The requested status change is not in the card lifecycle.
        case illegalTransition
        /// The PIN is blocked after too many wrong entries; only the PIN administrator can unblock it.
        case pinBlocked
        /// The PIN entered is wrong (the message gives the attempts left).
        case pinWrong
        /// The PIN was refused by the policy, or a hash or pepper problem (see `credentials`).
        case credentials
        /// No room with that id, or it already exists (see the message).
        case unknownRoom
        /// A room with that id already exists.
        case roomExists
        /// No room grant with that number.
        case unknownGrant
        /// No ledger entry with that id.
        case unknownEquipment
        /// A ledger entry with that id already exists.
        case equipmentExists
        /// The ledger entry is retired and can no longer change.
        case equipmentRetired
        /// The acting person's roles do not allow the act.
        case roleNotPermitted
        /// No administrative session with that token (never opened, or ended).
        case sessionUnknown
        /// The administrative session has expired.
        case sessionExpired
        /// Another process holds the database lock; nothing was changed.
        case databaseLocked
        /// The database cannot be written (read-only file, folder or file system); nothing was changed.
        case databaseReadOnly
        /// The database file is missing, damaged or failed otherwise.
        case database
        /// The act could not be recorded in the history inside its transaction, so it was rolled back.
        case notRecorded

        /// The code as the history writes it: kebab-case (`role-not-permitted`, `database-locked`).
        public var reasonCode: String { RegistryError.kebabCase(rawValue) }

        /// Whether the code is a fault of the installation (a locked, read-only or damaged database, an unrecorded
        /// act) rather than a rule refusing the act.
        public var isFault: Bool {
            switch self {
            case .databaseLocked, .databaseReadOnly, .database, .notRecorded: return true
            default: return false
            }
        }
    }

    /// The code.
    public let code: Code
    /// A message a person can act on.
    public let description: String
    /// The policy or hashing error behind a `.credentials` error.
    public let credentialsError: CredentialsError?

    /// Makes an error.
    public init(_ code: Code, _ description: String, credentialsError: CredentialsError? = nil) {
        self.code = code
        self.description = description
        self.credentialsError = credentialsError
    }

    /// The reason code the history records: the policy's own code for a refused PIN (`pin-reused`), else the code,
    /// kebab-case.
    public var reasonCode: String {
        credentialsError.map { Self.kebabCase($0.code.rawValue) } ?? code.reasonCode
    }

    /// `camelCase` as `kebab-case`.
    static func kebabCase(_ name: String) -> String {
        var text = ""
        for character in name {
            if character.isUppercase {
                text += "-" + character.lowercased()
            } else {
                text.append(character)
            }
        }
        return text
    }

    /// Wraps a policy, hashing or pepper error.
    init(_ error: CredentialsError) {
        self.init(.credentials, error.description, credentialsError: error)
    }
}
