import ArgumentParser
import Foundation
import GatewayAPI

/// `cardgate room …`: rooms and room grants (the administrator).
struct RoomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room",
        abstract: "Rooms and room grants: add, list, grant, revoke, grants.",
        subcommands: [RoomAddCommand.self, RoomListCommand.self, RoomGrantCommand.self, RoomRevokeCommand.self, RoomGrantsCommand.self]
    )
}

/// `cardgate room add`.
struct RoomAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a room.",
        discussion: "Example: cardgate room add R1 --name 電算室 --requires-pin --anti-passback")
    @OptionGroup var options: AdminOptions
    @Argument(help: "The room id (as the configuration's door readers name it).") var id: String
    @Option(help: "The room's name.") var name: String
    @Flag(help: "Entering always needs card + PIN.") var requiresPin = false
    @Flag(help: "Refuse entering while inside and leaving while outside.") var antiPassback = false

    func run() async throws {
        try await options.run(.roomAdd(AdminRoomAdd(id: id, name: name, requiresPIN: requiresPin, antiPassback: antiPassback)))
    }
}

/// `cardgate room list`.
struct RoomListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List rooms.", discussion: "Example: cardgate room list --json")
    @OptionGroup var options: AdminOptions
    @Flag(help: "Print a JSON array.") var json = false

    func run() async throws {
        try await options.run(.roomList, json: json)
    }
}

/// `cardgate room grant`.
struct RoomGrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant", abstract: "Grant an operator or a group access to a room on some weekdays and hours.",
        discussion: "Example: cardgate room grant R1 --operator op-0042 --days mon,tue,wed,thu,fri --hours 08:30-17:15 --valid-to 2027-03-31")
    @OptionGroup var options: AdminOptions
    @Argument(help: "The room id.") var room: String
    @Option(name: .customLong("operator"), help: "The operator granted access.") var operatorId: String?
    @Option(help: "The group granted access (instead of --operator).") var group: String?
    @Option(help: "Weekdays, comma-separated: mon,tue,wed,thu,fri,sat,sun.") var days = "mon,tue,wed,thu,fri"
    @Option(help: "Local hours HH:MM-HH:MM.") var hours = "08:00-18:00"
    @Option(help: "First day, YYYY-MM-DD.") var validFrom: String?
    @Option(help: "Last day, YYYY-MM-DD.") var validTo: String?
    @Option(help: "card or card+pin.") var mode = "card+pin"

    func run() async throws {
        try await options.run(.roomGrant(AdminRoomGrant(
            room: room, operator: operatorId, group: group, days: days, hours: hours, validFrom: validFrom, validTo: validTo, mode: mode)))
    }
}

/// `cardgate room revoke`.
struct RoomRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a room grant by its number.", discussion: "Example: cardgate room revoke 12")
    @OptionGroup var options: AdminOptions
    @Argument(help: "The grant number, as `cardgate room grants` shows it.") var grant: Int64

    func run() async throws {
        try await options.run(.roomRevoke(AdminGrantNumber(grant: grant)))
    }
}

/// `cardgate room grants`.
struct RoomGrantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grants", abstract: "List room grants.", discussion: "Example: cardgate room grants --room R1 --json")
    @OptionGroup var options: AdminOptions
    @Option(help: "Only this room's grants.") var room: String?
    @Flag(help: "Include revoked grants.") var all = false
    @Flag(help: "Print a JSON array.") var json = false

    func run() async throws {
        try await options.run(.roomGrants(AdminRoomGrants(room: room, all: all)), json: json)
    }
}
