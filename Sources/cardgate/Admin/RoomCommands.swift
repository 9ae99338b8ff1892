import ArgumentParser
import Foundation
import GatewayAPI

/// `cardgate room …`: rooms and room grants (the administrator).
struct RoomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room",
        abstract: "Rooms, their rules and room grants: add, set, list, grant, revoke, grants; announce a visitor.",
        subcommands: [RoomAddCommand.self, RoomSetCommand.self, RoomListCommand.self, RoomGrantCommand.self, RoomRevokeCommand.self,
                      RoomGrantsCommand.self, RoomVisitorCommand.self]
    )
}

/// `cardgate room add`.
struct RoomAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a room.",
        discussion: """
            The administrator. Example: cardgate room add R1 --name 電算室 --requires-pin --anti-passback --two-person --occupancy-limit 4
            The room's doors take its rules at once.
            """)
    @OptionGroup var options: AdminOptions
    @Argument(help: "The room id (as the configuration's door readers name it).") var id: String
    @Option(help: "The room's name.") var name: String
    @Flag(help: "Entering always needs card + PIN.") var requiresPin = false
    @Flag(help: "Refuse entering while inside and leaving while outside.") var antiPassback = false
    @Flag(help: "Two-person rule (二人制): two people with grants badge within the window to enter, and nobody stays alone inside.")
    var twoPerson = false
    @Option(help: "At most N people inside at once (1–9999).") var occupancyLimit: Int?

    func validate() throws {
        if let occupancyLimit, !(1...9999).contains(occupancyLimit) {
            throw ValidationError("--occupancy-limit must be 1–9999 people, not \(occupancyLimit)")
        }
    }

    func run() async throws {
        try await options.run(.roomAdd(AdminRoomAdd(id: id, name: name, requiresPIN: requiresPin, antiPassback: antiPassback,
                                                    twoPerson: twoPerson, occupancyLimit: occupancyLimit)))
    }
}

/// `cardgate room set`.
struct RoomSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Change a room's name or rules.",
        discussion: """
            The administrator. Only what is given changes; --no-… turns a rule off. The room's doors take the new rules at once.
            Examples: cardgate room set R1 --two-person --occupancy-limit 4
                      cardgate room set R1 --no-two-person --no-occupancy-limit
            """)
    @OptionGroup var options: AdminOptions
    @Argument(help: "The room id.") var id: String
    @Option(help: "The room's new name.") var name: String?
    @Flag(inversion: .prefixedNo, help: "Entering always needs card + PIN.") var requiresPin: Bool?
    @Flag(inversion: .prefixedNo, help: "Refuse entering while inside and leaving while outside.") var antiPassback: Bool?
    @Flag(inversion: .prefixedNo, help: "The two-person rule (二人制).") var twoPerson: Bool?
    @Option(help: "At most N people inside at once (1–9999).") var occupancyLimit: Int?
    @Flag(help: "Remove the occupancy limit.") var noOccupancyLimit = false

    func validate() throws {
        if let occupancyLimit, !(1...9999).contains(occupancyLimit) {
            throw ValidationError("--occupancy-limit must be 1–9999 people, not \(occupancyLimit)")
        }
        if occupancyLimit != nil && noOccupancyLimit {
            throw ValidationError("give --occupancy-limit or --no-occupancy-limit, not both")
        }
        if name == nil && requiresPin == nil && antiPassback == nil && twoPerson == nil && occupancyLimit == nil && !noOccupancyLimit {
            throw ValidationError("nothing to change: give --name or a rule (--two-person, --occupancy-limit N, …)")
        }
    }

    func run() async throws {
        try await options.run(.roomSet(AdminRoomSet(id: id, name: name, requiresPIN: requiresPin, antiPassback: antiPassback, twoPerson: twoPerson,
                                                    occupancyLimit: occupancyLimit, noOccupancyLimit: noOccupancyLimit ? true : nil)))
    }
}

/// `cardgate room visitor`.
struct RoomVisitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visitor", abstract: "Announce a visitor at a door, to enter with an escort.",
        discussion: """
            A supervisor or an administrator. The escort — someone with an open grant made with --escort — then presents \
            their card at the door within the visitor window ([policy] visitor-window-seconds) and the visitor enters with them.
            Example: cardgate room visitor R1 --door D1 --name 佐藤一郎 --organisation 保守業者株式会社
            """)
    @OptionGroup var options: AdminOptions
    @Argument(help: "The room the visitor enters (the door must open it).") var room: String
    @Option(help: "The door, as the configuration names it.") var door: String
    @Option(help: "The visitor's name (1–64 characters).") var name: String
    @Option(help: "The visitor's organisation (1–64 characters).") var organisation: String

    func run() async throws {
        try await options.run(.roomVisitor(AdminRoomVisitor(door: door, room: room, name: name, organisation: organisation)))
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
        discussion: """
            The administrator. Example: cardgate room grant R1 --operator op-0042 --days mon,tue,wed,thu,fri --hours 08:30-17:15 --valid-to 2027-03-31
            A night shift crosses midnight: --hours 22:00-06:00 (the days are those the shift starts on). 24:00 is only an end.
            """)
    @OptionGroup var options: AdminOptions
    @Argument(help: "The room id.") var room: String
    @Option(name: .customLong("operator"), help: "The operator granted access.") var operatorId: String?
    @Option(help: "The group granted access (instead of --operator).") var group: String?
    @Option(help: "Weekdays, comma-separated: mon,tue,wed,thu,fri,sat,sun.") var days = "mon,tue,wed,thu,fri"
    @Option(help: "Local hours HH:MM-HH:MM; a start after the end crosses midnight (22:00-06:00).") var hours = "08:00-18:00"
    @Option(help: "First day, YYYY-MM-DD.") var validFrom: String?
    @Option(help: "Last day, YYYY-MM-DD.") var validTo: String?
    @Option(help: "card or card+pin.") var mode = "card+pin"
    @Flag(help: "The holder may bring in a visitor announced at the room's door (cardgate room visitor).") var escort = false
    @Flag(help: "Closed on national holidays (cardgate holiday import) and the city's closing days.") var excludeHolidays = false

    func run() async throws {
        try await options.run(.roomGrant(AdminRoomGrant(
            room: room, operator: operatorId, group: group, days: days, hours: hours, validFrom: validFrom, validTo: validTo, mode: mode,
            escort: escort ? true : nil, excludeHolidays: excludeHolidays ? true : nil)))
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
