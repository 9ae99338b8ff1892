/// The bodies of administrative requests. Dates are `YYYY-MM-DD` in the installation's time zone, read by the daemon;
/// names of roles, kinds and statuses are the CLI's words. Each type lists its fields, so unknown keys are refused.
public protocol AdminPayload: Codable, Sendable {
    /// The JSON keys this body may hold.
    static var fields: Set<String> { get }
}

/// `login`: open an administrative session with the card in the admin reader.
public struct AdminLogin: AdminPayload {
    public static let fields: Set<String> = ["reader", "pin"]
    /// The admin reader the card is in; nil for the configured one.
    public var reader: String?
    /// The administrator's PIN.
    public var pin: SecretPIN
    /// Creates the body.
    public init(reader: String?, pin: SecretPIN) { (self.reader, self.pin) = (reader, pin) }
}

/// A body with one record id (`operator show`, `operator disable`, `ledger show`, …).
public struct AdminID: AdminPayload {
    public static let fields: Set<String> = ["id"]
    /// The record id.
    public var id: String
    /// Creates the body.
    public init(id: String) { self.id = id }
}

/// A body with one card GUID (`card collect`, `card destroy`, `card unblock`, `card show`).
public struct AdminCard: AdminPayload {
    public static let fields: Set<String> = ["guid"]
    /// The card's GUID (32 hex digits).
    public var guid: String
    /// Creates the body.
    public init(guid: String) { self.guid = guid }
}

/// `operator add`.
public struct AdminOperatorAdd: AdminPayload {
    public static let fields: Set<String> = ["id", "name", "roles", "validFrom", "validTo", "terminals", "groups"]
    public var id: String
    public var name: String
    public var roles: [String]
    public var validFrom: String?
    public var validTo: String?
    public var terminals: [String]
    public var groups: [String]
    /// Creates the body.
    public init(id: String, name: String, roles: [String], validFrom: String?, validTo: String?, terminals: [String], groups: [String]) {
        (self.id, self.name, self.roles, self.validFrom, self.validTo, self.terminals, self.groups) =
            (id, name, roles, validFrom, validTo, terminals, groups)
    }
}

/// `operator update`: nil (or an empty list) leaves a field as it is.
public struct AdminOperatorUpdate: AdminPayload {
    public static let fields: Set<String> = ["id", "name", "roles", "validFrom", "validTo", "terminals", "groups"]
    public var id: String
    public var name: String?
    public var roles: [String]?
    public var validFrom: String?
    public var validTo: String?
    public var terminals: [String]?
    public var groups: [String]?
    /// Creates the body.
    public init(id: String, name: String?, roles: [String]?, validFrom: String?, validTo: String?, terminals: [String]?, groups: [String]?) {
        (self.id, self.name, self.roles, self.validFrom, self.validTo, self.terminals, self.groups) =
            (id, name, roles, validFrom, validTo, terminals, groups)
    }
}

/// `card issue`: the card in the admin station's second reader goes to `operator`.
public struct AdminCardIssue: AdminPayload {
    public static let fields: Set<String> = ["operator", "reader", "expires", "pin"]
    public var `operator`: String
    /// The reader holding the new card; nil for the configured admin-subject reader.
    public var reader: String?
    public var expires: String?
    /// The initial PIN.
    public var pin: SecretPIN
    /// Creates the body.
    public init(operator: String, reader: String?, expires: String?, pin: SecretPIN) {
        (self.operator, self.reader, self.expires, self.pin) = (`operator`, reader, expires, pin)
    }
}

/// `card revoke`.
public struct AdminCardRevoke: AdminPayload {
    public static let fields: Set<String> = ["guid", "reason"]
    public var guid: String
    /// lost, transfer, retired, damaged or other.
    public var reason: String
    /// Creates the body.
    public init(guid: String, reason: String) { (self.guid, self.reason) = (guid, reason) }
}

/// `card reset-pin`.
public struct AdminCardResetPIN: AdminPayload {
    public static let fields: Set<String> = ["guid", "pin"]
    public var guid: String
    /// The new initial PIN.
    public var pin: SecretPIN
    /// Creates the body.
    public init(guid: String, pin: SecretPIN) { (self.guid, self.pin) = (guid, pin) }
}

/// `card list`.
public struct AdminCardList: AdminPayload {
    public static let fields: Set<String> = ["operator"]
    public var `operator`: String?
    /// Creates the body.
    public init(operator: String?) { self.operator = `operator` }
}

/// `pin change`: the holder's own card and PINs (no administrative session needed).
public struct AdminPINChange: AdminPayload {
    public static let fields: Set<String> = ["reader", "current", "new"]
    /// The admin station reader holding the card; nil for the configured admin-subject reader.
    public var reader: String?
    public var current: SecretPIN
    public var new: SecretPIN
    /// Creates the body.
    public init(reader: String?, current: SecretPIN, new: SecretPIN) { (self.reader, self.current, self.new) = (reader, current, new) }
}

/// `room add`.
public struct AdminRoomAdd: AdminPayload {
    public static let fields: Set<String> = ["id", "name", "requiresPIN", "antiPassback"]
    public var id: String
    public var name: String
    public var requiresPIN: Bool
    public var antiPassback: Bool
    /// Creates the body.
    public init(id: String, name: String, requiresPIN: Bool, antiPassback: Bool) {
        (self.id, self.name, self.requiresPIN, self.antiPassback) = (id, name, requiresPIN, antiPassback)
    }
}

/// `room grant`.
public struct AdminRoomGrant: AdminPayload {
    public static let fields: Set<String> = ["room", "operator", "group", "days", "hours", "validFrom", "validTo", "mode"]
    public var room: String
    public var `operator`: String?
    public var group: String?
    /// Weekdays, comma-separated: `mon,tue,…`.
    public var days: String
    /// `HH:MM-HH:MM`.
    public var hours: String
    public var validFrom: String?
    public var validTo: String?
    /// `card` or `card+pin`.
    public var mode: String
    /// Creates the body.
    public init(room: String, operator: String?, group: String?, days: String, hours: String, validFrom: String?, validTo: String?, mode: String) {
        (self.room, self.operator, self.group, self.days, self.hours, self.validFrom, self.validTo, self.mode) =
            (room, `operator`, group, days, hours, validFrom, validTo, mode)
    }
}

/// `room revoke`.
public struct AdminGrantNumber: AdminPayload {
    public static let fields: Set<String> = ["grant"]
    public var grant: Int64
    /// Creates the body.
    public init(grant: Int64) { self.grant = grant }
}

/// `room grants`.
public struct AdminRoomGrants: AdminPayload {
    public static let fields: Set<String> = ["room", "all"]
    public var room: String?
    public var all: Bool
    /// Creates the body.
    public init(room: String?, all: Bool) { (self.room, self.all) = (room, all) }
}

/// `ledger add` and `ledger change` (for a change, nil leaves a field as it is).
public struct AdminLedgerEntry: AdminPayload {
    public static let fields: Set<String> = ["id", "kind", "name", "location", "serial", "status", "version", "sha256", "note"]
    public var id: String
    public var kind: String?
    public var name: String?
    public var location: String?
    public var serial: String?
    public var status: String?
    public var version: String?
    public var sha256: String?
    public var note: String?
    /// Creates the body.
    public init(id: String, kind: String?, name: String?, location: String?, serial: String?, status: String?, version: String?, sha256: String?, note: String?) {
        (self.id, self.kind, self.name, self.location, self.serial, self.status, self.version, self.sha256, self.note) =
            (id, kind, name, location, serial, status, version, sha256, note)
    }
}

/// `ledger retire`.
public struct AdminLedgerRetire: AdminPayload {
    public static let fields: Set<String> = ["id", "note"]
    public var id: String
    public var note: String?
    /// Creates the body.
    public init(id: String, note: String?) { (self.id, self.note) = (id, note) }
}

/// `ledger list`.
public struct AdminLedgerList: AdminPayload {
    public static let fields: Set<String> = ["kind"]
    public var kind: String?
    /// Creates the body.
    public init(kind: String?) { self.kind = kind }
}

/// `ledger history`.
public struct AdminLedgerHistory: AdminPayload {
    public static let fields: Set<String> = ["id"]
    public var id: String?
    /// Creates the body.
    public init(id: String?) { self.id = id }
}

/// `history archive` (a year) and `history prune` (before a year).
public struct AdminYear: AdminPayload {
    public static let fields: Set<String> = ["year"]
    public var year: Int
    /// Creates the body.
    public init(year: Int) { self.year = year }
}

/// A body without fields (`logout`, `operator list`, `room list`, `history checkpoint`, …).
public struct AdminNothing: AdminPayload {
    public static let fields: Set<String> = []
    /// Creates the body.
    public init() {}
}
