import Foundation

/// The answer of `POST /v1/doors/{id}/pin` when the door opens. Refusals are ``GatewayError``s.
public struct DoorDecision: Codable, Sendable, Equatable {
    /// The door id.
    public var door: String
    /// The room behind it.
    public var room: String
    /// Entry or exit.
    public var direction: DoorDirection
    /// Whose card opened it.
    public var `operator`: OperatorSummary
    /// How long the actuator holds the door open.
    public var openSeconds: Int
    /// When the decision was recorded.
    public var decidedAt: Date

    /// Creates a door decision.
    public init(
        door: String, room: String, direction: DoorDirection, operator: OperatorSummary, openSeconds: Int,
        decidedAt: Date
    ) {
        self.door = door
        self.room = room
        self.direction = direction
        self.operator = `operator`
        self.openSeconds = openSeconds
        self.decidedAt = decidedAt
    }
}

/// Who is in a room now, from the entries and exits: `GET /v1/rooms/{id}/occupancy`.
public struct RoomOccupancy: Codable, Sendable, Equatable {
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

/// What happened at a door, for the `door` events.
public struct DoorEvent: Codable, Sendable, Equatable {
    /// What happened.
    public enum Outcome: String, Codable, Sendable, CaseIterable {
        /// A card was accepted and the room needs a PIN within 30 s.
        case awaitingPIN = "awaiting-pin"
        /// The door was opened.
        case opened
        /// The attempt was refused (see `reason`).
        case refused
    }

    /// The door id.
    public var door: String
    /// The room behind it.
    public var room: String
    /// What happened.
    public var outcome: Outcome
    /// Who, when known.
    public var `operator`: OperatorSummary?
    /// Why it was refused, in words a person can act on.
    public var reason: String?
    /// When.
    public var at: Date

    /// Creates a door event.
    public init(
        door: String, room: String, outcome: Outcome, operator: OperatorSummary? = nil, reason: String? = nil,
        at: Date
    ) {
        self.door = door
        self.room = room
        self.outcome = outcome
        self.operator = `operator`
        self.reason = reason
        self.at = at
    }
}
