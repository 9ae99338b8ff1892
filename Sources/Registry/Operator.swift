import Foundation
import GRDB
import Vocabulary

/// A person known to the gateway: an operator, and possibly an administrator of some kind.
public struct Operator: Sendable, Equatable, Encodable {
    /// Whether the record may be used.
    public enum Status: String, Sendable, Codable {
        /// In use.
        case active
        /// Switched off (transfer, leave); kept for the history.
        case disabled
    }

    /// Staff id: letters, digits, `.`, `_`, `-`, 1–64 characters.
    public let id: String
    /// Full name in UTF-8 (Japanese as written, NFC).
    public var name: String
    /// Roles held.
    public var roles: Set<Role>
    /// Active or disabled.
    public var status: Status
    /// Start of validity, if any.
    public var validFrom: Date?
    /// End of validity (exclusive), if any.
    public var validTo: Date?
    /// Terminal ids (ledger entries of kind terminal) this operator may unlock.
    public var terminals: Set<String>
    /// Groups the operator belongs to (room grants can name a group).
    public var groups: Set<String>
    /// When the record was made.
    public let createdAt: Date
    /// When the record last changed.
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, roles, status, validFrom, validTo, terminals, groups, createdAt, updatedAt
    }

    /// Encodes the record for `--json`, with roles, terminals and groups sorted.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(roles.sorted(), forKey: .roles)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(validFrom, forKey: .validFrom)
        try container.encodeIfPresent(validTo, forKey: .validTo)
        try container.encode(terminals.sorted(), forKey: .terminals)
        try container.encode(groups.sorted(), forKey: .groups)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    /// Active and within the validity period at `date`.
    public func isActive(at date: Date) -> Bool {
        status == .active && (validFrom.map { date >= $0 } ?? true) && (validTo.map { date < $0 } ?? true)
    }

    /// Why `isActive(at:)` is false, in words.
    func inactivityReason(at date: Date) -> String {
        if status == .disabled { return "disabled" }
        if let from = validFrom, date < from { return "not valid before \(RegistryFormat.day(from))" }
        if let to = validTo, date >= to { return "no longer valid since \(RegistryFormat.day(to))" }
        return "active"
    }

    static func fetch(_ db: Database, id: String) throws -> Operator? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM operator WHERE id = ?", arguments: [id]) else { return nil }
        return try Operator(db, row: row)
    }

    static func fetchAll(_ db: Database) throws -> [Operator] {
        try Row.fetchAll(db, sql: "SELECT * FROM operator ORDER BY id").map { try Operator(db, row: $0) }
    }

    /// Loads an operator and, for an administrative act, fails unless they exist and hold the role.
    static func require(_ db: Database, id: String) throws -> Operator {
        guard let found = try fetch(db, id: id) else {
            throw RegistryError(.unknownOperator, "no operator with id \(id); check the id with `cardgate operator list`")
        }
        return found
    }

    init(_ db: Database, row: Row) throws {
        id = row["id"]
        name = row["name"]
        status = Status(rawValue: row["status"]) ?? .disabled
        validFrom = row["validFrom"]
        validTo = row["validTo"]
        createdAt = row["createdAt"]
        updatedAt = row["updatedAt"]
        let roleNames = try String.fetchAll(db, sql: "SELECT role FROM operatorRole WHERE operatorId = ?", arguments: [id])
        roles = Set(roleNames.compactMap(Role.init(rawValue:)))
        terminals = Set(try String.fetchAll(db, sql: "SELECT terminalId FROM operatorTerminal WHERE operatorId = ?", arguments: [id]))
        groups = Set(try String.fetchAll(db, sql: "SELECT groupName FROM operatorGroup WHERE operatorId = ?", arguments: [id]))
    }
}
