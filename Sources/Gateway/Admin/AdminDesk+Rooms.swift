import AccessPolicy
import Foundation
import GatewayAPI
import History
import Registry
import Vocabulary

extension AdminDesk {
    func roomAdd(_ body: AdminRoomAdd, caller: Peer) async throws -> AdminReply {
        try Self.checkOccupancyLimit(body.occupancyLimit)
        let (_, person) = try await authorize(caller, .manageRoomAccess, kind: .adminRoom)
        let room = Room(id: body.id, name: body.name, requiresPIN: body.requiresPIN, antiPassback: body.antiPassback,
                        twoPerson: body.twoPerson ?? false, occupancyLimit: body.occupancyLimit)
        let actor = person.id
        let added = try await perform(NewEvent(kind: .adminRoom, result: .success, place: String(body.id.prefix(64)),
                                               details: EventDetails(operation: "add", record: String(body.id.prefix(100)))),
                                      by: actor) { try $0.rooms.add(room, by: actor) }
        await station.roomChanged(added.id)
        return AdminReply(text: "room \(added.id) (\(added.name)) added\(Self.rules(added).map { ": \($0)" } ?? "")")
    }

    /// `room set`: changes the name or rules of a room; its doors take the new rules at once.
    func roomSet(_ body: AdminRoomSet, caller: Peer) async throws -> AdminReply {
        try Self.checkOccupancyLimit(body.occupancyLimit)
        if body.occupancyLimit != nil, body.noOccupancyLimit == true {
            throw GatewayError(.invalidField, "give --occupancy-limit or --no-occupancy-limit, not both; nothing was changed")
        }
        var change = RoomChange(name: body.name, requiresPIN: body.requiresPIN, antiPassback: body.antiPassback, twoPerson: body.twoPerson)
        if let limit = body.occupancyLimit { change.occupancyLimit = .some(limit) }
        if body.noOccupancyLimit == true { change.occupancyLimit = .some(nil) }
        guard change != RoomChange() else {
            throw GatewayError(.invalidField, "nothing to change: give --name or a rule (see cardgate room set --help); nothing was changed")
        }
        let (_, person) = try await authorize(caller, .manageRoomAccess, kind: .adminRoom)
        let (actor, id, wanted) = (person.id, body.id, change)
        let changed = try await perform(NewEvent(kind: .adminRoom, result: .success, place: String(id.prefix(64)),
                                                 details: EventDetails(operation: "change", record: String(id.prefix(100)))),
                                        by: actor) { try $0.rooms.change(id, wanted, by: actor) }
        await station.roomChanged(changed.id)
        return AdminReply(text: "room \(changed.id) (\(changed.name)) changed: \(Self.rules(changed) ?? "card only, no other rule")")
    }

    /// Refuses an occupancy limit outside 1–9999.
    static func checkOccupancyLimit(_ limit: Int?) throws {
        if let limit, !(1...9999).contains(limit) {
            throw GatewayError(.invalidField, "--occupancy-limit must be 1–9999 people, not \(limit); nothing was changed")
        }
    }

    /// A room's rules in words, nil when it has none.
    static func rules(_ room: Room) -> String? {
        var words: [String] = []
        if room.requiresPIN { words.append("card+PIN") }
        if room.antiPassback { words.append("anti-passback") }
        if room.twoPerson { words.append("two-person") }
        if let limit = room.occupancyLimit { words.append("at most \(limit) inside") }
        return words.isEmpty ? nil : words.joined(separator: ", ")
    }

    func roomList(caller: Peer) async throws -> AdminReply {
        _ = try await authorize(caller, .viewRoomAccess, kind: .adminRoom)
        let registry = context.registry
        let rooms = try await registryCall { try registry.rooms.list() }
        let lines = rooms.map { "\($0.id)  \($0.name)\(Self.rules($0).map { "  \($0)" } ?? "")" }
        return AdminReply(text: lines.joined(separator: "\n"), json: try json(rooms))
    }

    /// `room visitor`: announces a visitor at a door (a supervisor or an administrator); an escort with an open escort
    /// grant then brings them in.
    func roomVisitor(_ body: AdminRoomVisitor, caller: Peer) async throws -> AdminReply {
        guard let visitor = Visitor(name: body.name, organisation: body.organisation) else {
            throw GatewayError(.invalidField, "--name and --organisation must each be 1–\(Visitor.maximumLength) characters without control characters; nothing was announced")
        }
        let (session, person) = try await checkedSession(caller)
        let event = NewEvent(kind: .adminRoom, result: .success, actor: person.id, place: String(body.room.prefix(64)),
                             details: EventDetails(operation: "visitor", door: String(body.door.prefix(64)), visitor: visitor.name,
                                                   organisation: visitor.organisation))
        guard !person.roles.isDisjoint(with: [.supervisor, .administrator]) else {
            var refused = event
            refused.result = .denied
            refused.card = session.card.hex
            refused.details.reason = "not done: \(RegistryError.Code.roleNotPermitted.reasonCode)"
            refused.details.operation = "announce visitors"
            try await record(refused)
            throw GatewayError(.notPermitted, "\(person.id) may not announce visitors: this needs the supervisor or administrator role; nothing was announced")
        }
        // The door records the announcement itself before it takes effect; this act's one outcome follows it.
        do {
            guard let door = context.configuration.doors.first(where: { $0.configuration.doorID == body.door }) else {
                throw GatewayError.unknownDoor(body.door)
            }
            guard door.configuration.roomID == body.room else {
                throw GatewayError(.conflict, "door \(body.door) opens room \(door.configuration.roomID), not \(body.room); nothing was announced")
            }
            try await station.announceVisitor(body.door, visitor)
        } catch {
            var refused = event
            let code = (error as? GatewayError)?.code
            refused.result = code == .unknownDoor || code == .conflict ? .denied : .failure
            refused.details.reason = "not done: \(code?.rawValue ?? "error")"
            await context.history.append(refused)
            throw error
        }
        await context.history.append(event)
        return AdminReply(text: "visitor \(visitor.name) (\(visitor.organisation)) announced at door \(body.door); their escort presents a card with an escort grant there")
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
        var new = NewRoomGrant(roomId: body.room, grantee: grantee, weekdays: weekdays, fromMinute: span.0, toMinute: span.1,
                               validFrom: from, validTo: to, mode: mode)
        new.escort = body.escort ?? false
        new.excludeHolidays = body.excludeHolidays ?? false
        let who: String
        switch grantee {
        case .operator(let id): who = id
        case .group(let name): who = "group \(name)"
        }
        let (actor, wanted) = (person.id, new)
        let grant = try await perform(NewEvent(kind: .adminGrant, result: .success, place: String(body.room.prefix(64)),
                                               details: EventDetails(operation: "grant", record: String(who.prefix(100)))),
                                      by: actor) { try $0.rooms.grant(wanted, by: actor) }
        let extras = [grant.fromMinute > grant.toMinute ? "across midnight" : nil, grant.escort ? "escort" : nil,
                      grant.excludeHolidays ? "closed on holidays" : nil].compactMap { $0 }
        return AdminReply(text: "grant \(grant.id): \(who) may enter \(body.room) (\(body.days), \(body.hours), \(body.mode)\(extras.map { ", \($0)" }.joined()))")
    }

    /// Parses `HH:MM-HH:MM` into minutes since midnight. A start after the end is a night shift across midnight
    /// (`22:00-06:00`); `24:00` is accepted only as an end; the same start and end is refused.
    static func minutes(_ text: String) throws -> (Int, Int) {
        let refusal = GatewayError(.invalidField, "--hours must be HH:MM-HH:MM, for example 08:30-17:15, or 22:00-06:00 for a night shift across midnight (24:00 only as an end); nothing was changed")
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw refusal }
        func minute(_ part: Substring) throws -> Int {
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 2, fields.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                  let hour = Int(fields[0]), let minute = Int(fields[1]), (0...59).contains(minute),
                  (0...23).contains(hour) || (hour == 24 && minute == 0) else { throw refusal }
            return hour * 60 + minute
        }
        let from = try minute(parts[0])
        var to = try minute(parts[1])
        guard from < 1440 else {
            throw GatewayError(.invalidField, "--hours: 24:00 is only an end (00:00 starts the day); nothing was changed")
        }
        guard from != to else {
            throw GatewayError(.invalidField, "--hours: the start and the end are the same time; give a span such as 08:00-17:00, or 00:00-24:00 for the whole day; nothing was changed")
        }
        if to == 0 { to = 1440 }  // "until midnight"
        return (from, to)
    }

    func roomRevoke(_ grant: Int64, caller: Peer) async throws -> AdminReply {
        let (_, person) = try await authorize(caller, .manageRoomAccess, kind: .adminGrant)
        let actor = person.id
        let done = try await perform(NewEvent(kind: .adminGrant, result: .success, details: EventDetails(operation: "revoke", record: "grant \(grant)")),
                                     by: actor) { try $0.rooms.revokeGrant(grant, by: actor) }
        return AdminReply(text: "grant \(done.id) on \(done.roomId) revoked")
    }

    func roomGrants(_ body: AdminRoomGrants, caller: Peer) async throws -> AdminReply {
        _ = try await authorize(caller, .viewRoomAccess, kind: .adminGrant)
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
            let extras = (g.escort ? "  escort" : "") + (g.excludeHolidays ? "  no-holidays" : "")
            return "\(g.id)  \(g.roomId)  \(who)  \(days)  \(hhmm(g.fromMinute))-\(hhmm(g.toMinute))  \(g.mode.rawValue)\(extras)\(g.revokedAt == nil ? "" : "  (revoked)")"
        }
        return AdminReply(text: lines.joined(separator: "\n"), json: try json(grants))
    }
}
