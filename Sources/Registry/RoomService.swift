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
            try Self.checkOccupancyLimit(room.occupancyLimit)
            try db.execute(sql: """
                INSERT INTO room (id, name, requiresPIN, antiPassback, twoPerson, occupancyLimit, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [room.id, name, room.requiresPIN, room.antiPassback, room.twoPerson, room.occupancyLimit, now])
            return try Self.require(db, id: room.id)
        }
    }

    /// Changes a room's rules. A room that now requires a PIN keeps its card-only grants in the table, but the
    /// doors ask for the PIN anyway (the room's flag wins).
    @discardableResult
    public func change(_ id: String, _ change: RoomChange, by actor: String) throws(RegistryError) -> Room {
        try registry.write { db in
            _ = try registry.authorize(db, actor: actor, .manageRoomAccess)
            let room = try Self.require(db, id: id)
            let name = try change.name.map { name throws(RegistryError) in try RegistryFormat.checkText(name, what: "room name", limit: 100) } ?? room.name
            let limit = change.occupancyLimit ?? room.occupancyLimit
            try Self.checkOccupancyLimit(limit)
            try db.execute(sql: """
                UPDATE room SET name = ?, requiresPIN = ?, antiPassback = ?, twoPerson = ?, occupancyLimit = ? WHERE id = ?
                """, arguments: [name, change.requiresPIN ?? room.requiresPIN, change.antiPassback ?? room.antiPassback,
                                 change.twoPerson ?? room.twoPerson, limit, id])
            return try Self.require(db, id: id)
        }
    }

    private static func checkOccupancyLimit(_ limit: Int?) throws(RegistryError) {
        if let limit, !(1...9999).contains(limit) {
            throw RegistryError(.invalidInput, "an occupancy limit must be 1–9999 people, got \(limit)")
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
            guard (0...1439).contains(new.fromMinute), (1...1440).contains(new.toMinute), new.fromMinute != new.toMinute,
                  new.toMinute < 1440 || new.fromMinute < new.toMinute else {
                throw RegistryError(.invalidInput, "grant hours must be HH:MM-HH:MM with different start and end, the start before 24:00 and the end after 00:00; a start after the end crosses midnight (22:00-06:00)")
            }
            try RegistryFormat.checkPeriod(from: new.validFrom, to: new.validTo, what: "grant validity")
            if room.requiresPIN, new.mode == .card {
                throw RegistryError(.invalidInput, "room \(room.id) requires a PIN; a card-only grant is not allowed there (use card+pin)")
            }
            try db.execute(sql: """
                INSERT INTO roomGrant (roomId, operatorId, groupName, weekdays, fromMinute, toMinute, validFrom, validTo, mode,
                                       escort, excludeHolidays, createdAt, createdBy)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [room.id, operatorId, groupName, Weekday.mask(new.weekdays), new.fromMinute, new.toMinute,
                                 new.validFrom, new.validTo, new.mode.rawValue, new.escort, new.excludeHolidays, now, actor])
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
