import Foundation
import GRDB

/// The kinds of entries on the equipment ledger (構成管理簿, clause 14 (5), form 1).
public enum EquipmentKind: String, Sendable, CaseIterable, Codable {
    /// A card reader (its id is the PC/SC reader name).
    case reader
    /// An operator terminal.
    case terminal
    /// A server.
    case server
    /// A program, with its version and SHA-256.
    case program
    /// A storage medium (backup disk, USB medium).
    case storageMedia = "storage-media"
}

/// Where a ledger entry stands.
public enum EquipmentStatus: String, Sendable, CaseIterable, Codable {
    /// Approved and in use.
    case inService = "in-service"
    /// Approved, kept in stock.
    case inStock = "in-stock"
    /// Away for repair.
    case underRepair = "under-repair"
    /// Out of use for good; the entry no longer changes.
    case retired
}

/// An entry of the equipment ledger.
public struct Equipment: Sendable, Equatable, Codable {
    /// Ledger id (for a reader, its PC/SC name).
    public let id: String
    /// Kind.
    public let kind: EquipmentKind
    /// Name or model.
    public var name: String
    /// Where it is.
    public var location: String
    /// Serial number, if any.
    public var serial: String?
    /// Status.
    public var status: EquipmentStatus
    /// Program version (programs only).
    public var version: String?
    /// SHA-256 of the program's executable, lower-case hex (programs only).
    public var sha256: String?

    /// Makes an entry description (for `EquipmentLedger.add`).
    public init(id: String, kind: EquipmentKind, name: String, location: String, serial: String? = nil,
                status: EquipmentStatus = .inService, version: String? = nil, sha256: String? = nil) {
        self.id = id
        self.kind = kind
        self.name = name
        self.location = location
        self.serial = serial
        self.status = status
        self.version = version
        self.sha256 = sha256
    }

    init(row: Row) {
        self.init(id: row["id"], kind: EquipmentKind(rawValue: row["kind"]) ?? .server, name: row["name"],
                  location: row["location"], serial: row["serial"],
                  status: EquipmentStatus(rawValue: row["status"]) ?? .retired,
                  version: row["version"], sha256: row["sha256"])
    }
}

/// One line of the ledger's append-only change record, written by database triggers.
public struct EquipmentChangeRecord: Sendable, Equatable, Encodable {
    /// What happened.
    public enum Action: String, Sendable, Codable {
        /// Added to the ledger.
        case add
        /// A field changed.
        case change
        /// Retired.
        case retire
    }

    /// Sequence number (increasing, never reused).
    public let sequence: Int64
    /// The entry.
    public let equipmentId: String
    /// What happened.
    public let action: Action
    /// When.
    public let at: Date
    /// Who (operator id).
    public let actor: String
    /// Why, if given.
    public let note: String?
    /// The entry before, as JSON (nil for `add`).
    public let before: String?
    /// The entry after, as JSON.
    public let after: String

    init(row: Row) {
        sequence = row["seq"]
        equipmentId = row["equipmentId"]
        action = Action(rawValue: row["action"]) ?? .change
        at = row["at"]
        actor = row["actor"]
        note = row["note"]
        before = row["before"]
        after = row["after"]
    }
}

/// Changes to a ledger entry; nil leaves a field as it is.
public struct EquipmentUpdate: Sendable {
    /// New name.
    public var name: String?
    /// New location.
    public var location: String?
    /// New serial.
    public var serial: String?
    /// New status (use `retire` to retire).
    public var status: EquipmentStatus?
    /// New program version.
    public var version: String?
    /// New program SHA-256.
    public var sha256: String?

    /// An update; give only what changes.
    public init(name: String? = nil, location: String? = nil, serial: String? = nil, status: EquipmentStatus? = nil,
                version: String? = nil, sha256: String? = nil) {
        self.name = name
        self.location = location
        self.serial = serial
        self.status = status
        self.version = version
        self.sha256 = sha256
    }
}
