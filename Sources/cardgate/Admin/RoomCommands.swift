import ArgumentParser
import Foundation
import History
import Registry

/// `cardgate room …`: rooms and room grants (the administrator).
struct RoomCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room",
        abstract: "Rooms and room grants: add, list, grant, revoke, grants.",
        subcommands: [RoomAddCommand.self, RoomListCommand.self, RoomGrantCommand.self, RoomRevokeCommand.self, RoomGrantsCommand.self]
    )
}

/// `cardgate room add`.
struct RoomAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a room.",
        discussion: "Example: cardgate room add R1 --name 電算室 --requires-pin --anti-passback")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The room id (as the configuration's door readers name it).") var id: String
    @Option(help: "The room's name.") var name: String
    @Flag(help: "Entering always needs card + PIN.") var requiresPin = false
    @Flag(help: "Refuse entering while inside and leaving while outside.") var antiPassback = false

    func run() throws {
        let context = try AdminContext(options, act: .manageRoomAccess, kind: .adminRoom)
        let room = Room(id: id, name: name, requiresPIN: requiresPin, antiPassback: antiPassback)
        let added = try context.perform(NewEvent(kind: .adminRoom, result: .success, place: id, details: EventDetails(operation: "add", record: id))) {
            try context.registry.rooms.add(room, by: context.actor ?? "")
        }
        print("room \(added.id) (\(added.name)) added")
    }
}

/// `cardgate room list`.
struct RoomListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List rooms.", discussion: "Example: cardgate room list --json")
    @OptionGroup var options: ConfigOption
    @Flag(help: "Print a JSON array.") var json = false

    func run() throws {
        let context = try AdminContext(options, act: .viewRoomAccess)
        let rooms = try registryCall { () throws(RegistryError) in try context.registry.rooms.list() }
        if json { return try printJSON(rooms) }
        for room in rooms {
            print("\(room.id)  \(room.name)\(room.requiresPIN ? "  card+PIN" : "")\(room.antiPassback ? "  anti-passback" : "")")
        }
    }
}

/// `cardgate room grant`.
struct RoomGrantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant", abstract: "Grant an operator or a group access to a room on some weekdays and hours.",
        discussion: "Example: cardgate room grant R1 --operator op-0042 --days mon,tue,wed,thu,fri --hours 08:30-17:15 --valid-to 2027-03-31")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The room id.") var room: String
    @Option(name: .customLong("operator"), help: "The operator granted access.") var operatorId: String?
    @Option(help: "The group granted access (instead of --operator).") var group: String?
    @Option(help: "Weekdays, comma-separated: mon,tue,wed,thu,fri,sat,sun.") var days = "mon,tue,wed,thu,fri"
    @Option(help: "Local hours HH:MM-HH:MM (from < to; a night shift is two grants).") var hours = "08:00-18:00"
    @Option(help: "First day, YYYY-MM-DD.") var validFrom: String?
    @Option(help: "Last day, YYYY-MM-DD.") var validTo: String?
    @Option(help: "card or card+pin.") var mode = "card+pin"

    func run() throws {
        let grantee: Grantee
        switch (operatorId, group) {
        case (let id?, nil): grantee = .operator(id)
        case (nil, let name?): grantee = .group(name)
        default: throw CommandFailure("give exactly one of --operator and --group; nothing was changed")
        }
        let names: [String: Weekday] = ["mon": .monday, "tue": .tuesday, "wed": .wednesday, "thu": .thursday,
                                        "fri": .friday, "sat": .saturday, "sun": .sunday]
        let weekdays = try Set(days.split(separator: ",").map { name in
            guard let day = names[name.trimmingCharacters(in: .whitespaces).lowercased()] else {
                throw CommandFailure("--days: \"\(name)\" is not one of mon, tue, wed, thu, fri, sat, sun; nothing was changed")
            }
            return day
        })
        let span = try Self.minutes(hours)
        guard let accessMode = AccessMode(rawValue: mode) else {
            throw CommandFailure("--mode must be card or card+pin; nothing was changed")
        }
        let context = try AdminContext(options, act: .manageRoomAccess, kind: .adminGrant)
        let from = try context.day(validFrom, option: "--valid-from")
        let to = try context.day(validTo, option: "--valid-to").map { $0.addingTimeInterval(86_400) }
        let new = NewRoomGrant(roomId: room, grantee: grantee, weekdays: weekdays, fromMinute: span.0, toMinute: span.1,
                               validFrom: from, validTo: to, mode: accessMode)
        let who: String
        switch grantee {
        case .operator(let id): who = id
        case .group(let name): who = "group \(name)"
        }
        let grant = try context.perform(NewEvent(kind: .adminGrant, result: .success, place: room,
                                                 details: EventDetails(operation: "grant", record: String(who.prefix(100))))) {
            try context.registry.rooms.grant(new, by: context.actor ?? "")
        }
        print("grant \(grant.id): \(who) may enter \(room) (\(days), \(hours), \(mode))")
    }

    /// Parses `HH:MM-HH:MM` into minutes since midnight.
    static func minutes(_ text: String) throws -> (Int, Int) {
        let parts = text.split(separator: "-").map { $0.split(separator: ":").compactMap { Int($0) } }
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && (0...24).contains($0[0]) && (0...59).contains($0[1]) }) else {
            throw CommandFailure("--hours must be HH:MM-HH:MM, for example 08:30-17:15; nothing was changed")
        }
        return (parts[0][0] * 60 + parts[0][1], parts[1][0] * 60 + parts[1][1])
    }
}

/// `cardgate room revoke`.
struct RoomRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a room grant by its number.", discussion: "Example: cardgate room revoke 12")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The grant number, as `cardgate room grants` shows it.") var grant: Int64

    func run() throws {
        let context = try AdminContext(options, act: .manageRoomAccess, kind: .adminGrant)
        let done = try context.perform(NewEvent(kind: .adminGrant, result: .success, details: EventDetails(operation: "revoke", record: "grant \(grant)"))) {
            try context.registry.rooms.revokeGrant(grant, by: context.actor ?? "")
        }
        print("grant \(done.id) on \(done.roomId) revoked")
    }
}

/// `cardgate room grants`.
struct RoomGrantsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grants", abstract: "List room grants.", discussion: "Example: cardgate room grants --room R1 --json")
    @OptionGroup var options: ConfigOption
    @Option(help: "Only this room's grants.") var room: String?
    @Flag(help: "Include revoked grants.") var all = false
    @Flag(help: "Print a JSON array.") var json = false

    func run() throws {
        let context = try AdminContext(options, act: .viewRoomAccess)
        let grants = try registryCall { () throws(RegistryError) in try context.registry.rooms.grants(roomId: room, includeRevoked: all) }
        if json { return try printJSON(grants) }
        for g in grants {
            let who: String
            switch g.grantee {
            case .operator(let id): who = id
            case .group(let name): who = "group \(name)"
            }
            let days = g.weekdays.sorted().map { "\($0)".prefix(3) }.joined(separator: ",")
            func hhmm(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
            print("\(g.id)  \(g.roomId)  \(who)  \(days)  \(hhmm(g.fromMinute))-\(hhmm(g.toMinute))  \(g.mode.rawValue)\(g.revokedAt == nil ? "" : "  (revoked)")")
        }
    }
}
