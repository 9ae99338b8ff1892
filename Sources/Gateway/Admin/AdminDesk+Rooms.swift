import Foundation
import GatewayAPI
import History
import Registry
import Vocabulary

extension AdminDesk {
    func roomAdd(_ body: AdminRoomAdd, caller: Peer) async throws -> AdminReply {
        let (_, person) = try await authorize(caller, .manageRoomAccess, kind: .adminRoom)
        let room = Room(id: body.id, name: body.name, requiresPIN: body.requiresPIN, antiPassback: body.antiPassback)
        let actor = person.id
        let added = try await perform(NewEvent(kind: .adminRoom, result: .success, place: String(body.id.prefix(64)),
                                               details: EventDetails(operation: "add", record: String(body.id.prefix(100)))),
                                      by: actor) { try $0.rooms.add(room, by: actor) }
        return AdminReply(text: "room \(added.id) (\(added.name)) added")
    }

    func roomList(caller: Peer) async throws -> AdminReply {
        _ = try await authorize(caller, .viewRoomAccess)
        let registry = context.registry
        let rooms = try await registryCall { try registry.rooms.list() }
        let lines = rooms.map { "\($0.id)  \($0.name)\($0.requiresPIN ? "  card+PIN" : "")\($0.antiPassback ? "  anti-passback" : "")" }
        return AdminReply(text: lines.joined(separator: "\n"), json: try json(rooms))
    }

    func roomGrant(_ body: AdminRoomGrant, caller: Peer) async throws -> AdminReply {
        let grantee: Grantee
        switch (body.operator, body.group) {
        case (let id?, nil): grantee = .operator(id)
        case (nil, let name?): grantee = .group(name)
        default: throw GatewayError(.invalidField, "give exactly one of --operator and --group; nothing was changed")
        }
        let weekdays = try Set(body.days.split(separator: ",").map { name in
            guard let day = Weekday(abbreviation: name.trimmingCharacters(in: .whitespaces)) else {
                throw GatewayError(.invalidField, "--days: \"\(name.prefix(16))\" is not one of mon, tue, wed, thu, fri, sat, sun; nothing was changed")
            }
            return day
        })
        let span = try Self.minutes(body.hours)
        guard let mode = AccessMode(rawValue: body.mode) else {
            throw GatewayError(.invalidField, "--mode must be card or card+pin; nothing was changed")
        }
        let (_, person) = try await authorize(caller, .manageRoomAccess, kind: .adminGrant)
        let from = try day(body.validFrom, option: "--valid-from")
        let to = try day(body.validTo, option: "--valid-to").map { $0.addingTimeInterval(86_400) }
        let new = NewRoomGrant(roomId: body.room, grantee: grantee, weekdays: weekdays, fromMinute: span.0, toMinute: span.1,
                               validFrom: from, validTo: to, mode: mode)
        let who: String
        switch grantee {
        case .operator(let id): who = id
        case .group(let name): who = "group \(name)"
        }
        let actor = person.id
        let grant = try await perform(NewEvent(kind: .adminGrant, result: .success, place: String(body.room.prefix(64)),
                                               details: EventDetails(operation: "grant", record: String(who.prefix(100)))),
                                      by: actor) { try $0.rooms.grant(new, by: actor) }
        return AdminReply(text: "grant \(grant.id): \(who) may enter \(body.room) (\(body.days), \(body.hours), \(body.mode))")
    }

    /// Parses `HH:MM-HH:MM` into minutes since midnight.
    static func minutes(_ text: String) throws -> (Int, Int) {
        let parts = text.split(separator: "-").map { $0.split(separator: ":").compactMap { Int($0) } }
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && (0...24).contains($0[0]) && (0...59).contains($0[1]) }) else {
            throw GatewayError(.invalidField, "--hours must be HH:MM-HH:MM, for example 08:30-17:15; nothing was changed")
        }
        return (parts[0][0] * 60 + parts[0][1], parts[1][0] * 60 + parts[1][1])
    }

    func roomRevoke(_ grant: Int64, caller: Peer) async throws -> AdminReply {
        let (_, person) = try await authorize(caller, .manageRoomAccess, kind: .adminGrant)
        let actor = person.id
        let done = try await perform(NewEvent(kind: .adminGrant, result: .success, details: EventDetails(operation: "revoke", record: "grant \(grant)")),
                                     by: actor) { try $0.rooms.revokeGrant(grant, by: actor) }
        return AdminReply(text: "grant \(done.id) on \(done.roomId) revoked")
    }

    func roomGrants(_ body: AdminRoomGrants, caller: Peer) async throws -> AdminReply {
        _ = try await authorize(caller, .viewRoomAccess)
        let registry = context.registry
        let (room, all) = (body.room, body.all)
        let grants = try await registryCall { try registry.rooms.grants(roomId: room, includeRevoked: all) }
        func hhmm(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        let lines = grants.map { g -> String in
            let who: String
            switch g.grantee {
            case .operator(let id): who = id
            case .group(let name): who = "group \(name)"
            }
            let days = g.weekdays.sorted().map(\.abbreviation).joined(separator: ",")
            return "\(g.id)  \(g.roomId)  \(who)  \(days)  \(hhmm(g.fromMinute))-\(hhmm(g.toMinute))  \(g.mode.rawValue)\(g.revokedAt == nil ? "" : "  (revoked)")"
        }
        return AdminReply(text: lines.joined(separator: "\n"), json: try json(grants))
    }
}
