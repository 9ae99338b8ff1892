import Foundation

/// Who is in a room now, from the entries and exits: `GET /v1/rooms/{id}/occupancy`.
public struct OccupancyView: Codable, Sendable, Equatable {
    /// The room id.
    public var room: String
    /// The people in it, earliest entry first.
    public var occupants: [Occupant]
    /// When this was computed.
    public var asOf: Date

    /// Creates an occupancy answer.
    public init(room: String, occupants: [Occupant], asOf: Date) {
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
