import Foundation
import Vocabulary

/// The answer of `POST /v1/doors/{id}/pin` when the door opens, or (in a two-person room) when the first person
/// passed and a second must follow. Refusals are ``GatewayError``s.
public struct DoorOpening: Codable, Sendable, Equatable {
    /// The door id.
    public var door: String
    /// The room behind it.
    public var room: String
    /// Entry or exit.
    public var direction: DoorDirection
    /// Whose card opened it.
    public var `operator`: OperatorSummary
    /// How long the actuator holds the door open; 0 while a second person is awaited.
    public var openSeconds: Int
    /// A two-person room: the door opens only when a second authorised person presents their card before this.
    public var awaitingSecondPersonUntil: Date?
    /// When the decision was recorded.
    public var decidedAt: Date

    /// Creates a door decision.
    public init(
        door: String, room: String, direction: DoorDirection, operator: OperatorSummary, openSeconds: Int,
        decidedAt: Date, awaitingSecondPersonUntil: Date? = nil
    ) {
        self.awaitingSecondPersonUntil = awaitingSecondPersonUntil
        self.door = door
        self.room = room
        self.direction = direction
        self.operator = `operator`
        self.openSeconds = openSeconds
        self.decidedAt = decidedAt
    }
}
