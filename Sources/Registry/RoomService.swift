import Vocabulary
import Foundation
import GRDB

/// Rooms and room grants (clause 12), managed by the network administrator.
public struct RoomService: Sendable {
    let registry: Registry

    /// Adds a room. Refuses an existing id or a bad name.
    @discardableResult
    public func add(_ room: Room, by actor: String) throws(RegistryError) -> Room {
        let now = registry.now
        return try registry.write { db in
            _ = try registry.authorize(db, actor: actor, .manageRoomAccess)
            try RegistryFormat.checkIdentifier(room.id, what: "room id")
            let name = try RegistryFormat.checkText(room.name, what: "room name", limit: 100)
            if try Self.fetch(db, id: room.id) != nil {
                throw RegistryError(.roomExists, "a room with id \(room.id) already exists")
            }
            try db.execute(sql: "INSERT INTO room (id, name, requiresPIN, antiPassback, createdAt) VALUES (?, ?, ?, ?, ?)",
                           arguments: [room.id, name, room.requiresPIN, room.antiPassback, now])
            return try Self.require(db, id: room.id)
        }
    }

    /// Every room, by id.
    public func list() throws(RegistryError) -> [Room] {
        try registry.read { try Row.fetchAll($0, sql: "SELECT * FROM room ORDER BY id").map(Room.init(row:)) }
    }

    /// One room; `unknownRoom` if there is none.
    public func show(_ id: String) throws(RegistryError) -> Room {
        try registry.read { try Self.require($0, id: id) }
    }

    /// Grants access. Refuses an unknown room or operator, an empty day set, hours out of order, a bad
    /// validity period, and card-only access to a room that requires a PIN.
    @discardableResult
    public func grant(_ new: NewRoomGrant, by actor: String) throws(RegistryError) -> RoomGrant {
        let now = registry.now
        return try registry.write { db in
            _ = try registry.authorize(db, actor: actor, .manageRoomAccess)
            let room = try Self.require(db, id: new.roomId)
            var operatorId: String?
            var groupName: String?
            switch new.grantee {
            case .operator(let id):
                operatorId = try Operator.require(db, id: id).id
            case .group(let name):
                try RegistryFormat.checkIdentifier(name, what: "group name")
                groupName = name
            }
            guard !new.weekdays.isEmpty else {
                throw RegistryError(.invalidInput, "a grant needs at least one day of the week")
            }
            guard (0...1439).contains(new.fromMinute), (1...1440).contains(new.toMinute), new.fromMinute < new.toMinute else {
                throw RegistryError(.invalidInput, "grant hours must be within the day with the start before the end (00:00–24:00); a night across midnight needs two grants")
            }
            try RegistryFormat.checkPeriod(from: new.validFrom, to: new.validTo, what: "grant validity")
            if room.requiresPIN, new.mode == .card {
                throw RegistryError(.invalidInput, "room \(room.id) requires a PIN; a card-only grant is not allowed there (use card+pin)")
            }
            try db.execute(sql: """
                INSERT INTO roomGrant (roomId, operatorId, groupName, weekdays, fromMinute, toMinute, validFrom, validTo, mode, createdAt, createdBy)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [room.id, operatorId, groupName, Weekday.mask(new.weekdays), new.fromMinute, new.toMinute,
                                 new.validFrom, new.validTo, new.mode.rawValue, now, actor])
            return RoomGrant(row: try Row.fetchOne(db, sql: "SELECT * FROM roomGrant WHERE id = ?", arguments: [db.lastInsertedRowID])!)
        }
    }

    /// Revokes a grant (kept, marked revoked, for the audit).
    @discardableResult
    public func revokeGrant(_ id: Int64, by actor: String) throws(RegistryError) -> RoomGrant {
        let now = registry.now
        return try registry.write { db in
            _ = try registry.authorize(db, actor: actor, .manageRoomAccess)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM roomGrant WHERE id = ?", arguments: [id]) else {
                throw RegistryError(.unknownGrant, "no room grant number \(id); see `cardgate room grants`")
            }
            guard RoomGrant(row: row).revokedAt == nil else {
                throw RegistryError(.unknownGrant, "room grant \(id) is already revoked")
            }
            try db.execute(sql: "UPDATE roomGrant SET revokedAt = ?, revokedBy = ? WHERE id = ?", arguments: [now, actor, id])
            return RoomGrant(row: try Row.fetchOne(db, sql: "SELECT * FROM roomGrant WHERE id = ?", arguments: [id])!)
        }
    }

    /// Grants not revoked, optionally for one room, by number.
    public func grants(roomId: String? = nil, includeRevoked: Bool = false) throws(RegistryError) -> [RoomGrant] {
        try registry.read { db in
            var sql = "SELECT * FROM roomGrant WHERE 1"
            var arguments: StatementArguments = []
            if let roomId {
                sql += " AND roomId = ?"
                arguments += [roomId]
            }
            if !includeRevoked { sql += " AND revokedAt IS NULL" }
            return try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments).map(RoomGrant.init(row:))
        }
    }

    /// The unrevoked grants that apply to an operator at a room, directly or through a group (for the door
    /// reader; the AccessPolicy module decides whether one is open now).
    public func grants(for operatorId: String, room roomId: String) throws(RegistryError) -> [RoomGrant] {
        try registry.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM roomGrant WHERE roomId = ? AND revokedAt IS NULL AND
                    (operatorId = ? OR groupName IN (SELECT groupName FROM operatorGroup WHERE operatorId = ?))
                ORDER BY id
                """, arguments: [roomId, operatorId, operatorId]).map(RoomGrant.init(row:))
        }
    }

    static func fetch(_ db: Database, id: String) throws -> Room? {
        try Row.fetchOne(db, sql: "SELECT * FROM room WHERE id = ?", arguments: [id]).map(Room.init(row:))
    }

    static func require(_ db: Database, id: String) throws -> Room {
        guard let room = try fetch(db, id: id) else {
            throw RegistryError(.unknownRoom, "no room with id \(id); see `cardgate room list`")
        }
        return room
    }
}
