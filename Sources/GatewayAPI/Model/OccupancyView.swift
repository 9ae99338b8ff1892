import Foundation

/// Who is in a room now, from the entries and exits: `GET /v1/rooms/{id}/occupancy`.
public struct OccupancyView: Codable, Sendable, Equatable {
    /// The room id.
    public var room: String
    /// The people in it, earliest entry first.
    public var occupants: [Occupant]
    /// The visitors without a card in it, each beside their escort, earliest entry first.
    public var visitors: [RoomVisitor]
    /// When this was computed.
    public var asOf: Date

    /// Creates an occupancy answer.
    public init(room: String, occupants: [Occupant], visitors: [RoomVisitor] = [], asOf: Date) {
        self.visitors = visitors
        self.room = room
        self.occupants = occupants
        self.asOf = asOf
    }
}

/// One person in a room.
public struct Occupant: Codable, Sendable, Equatable {
    /// Who.
    public var `operator`: OperatorSummary
    /// When they entered.
    public var enteredAt: Date
    /// Through which door.
    public var door: String

    /// Creates an occupant.
    public init(operator: OperatorSummary, enteredAt: Date, door: String) {
        self.operator = `operator`
        self.enteredAt = enteredAt
        self.door = door
    }
}

/// A visitor in a room.
public struct RoomVisitor: Codable, Sendable, Equatable {
    /// The visitor's name.
    public var name: String
    /// The visitor's organisation.
    public var organisation: String
    /// The escort who brought them in and takes them out.
    public var escort: OperatorSummary
    /// When they entered.
    public var enteredAt: Date

    /// Creates a visitor entry.
    public init(name: String, organisation: String, escort: OperatorSummary, enteredAt: Date) {
        self.name = name
        self.organisation = organisation
        self.escort = escort
        self.enteredAt = enteredAt
    }
}
