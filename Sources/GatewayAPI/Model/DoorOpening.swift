import Foundation
import Vocabulary

/// The answer of `POST /v1/doors/{id}/pin` when the door opens. Refusals are ``GatewayError``s.
public struct DoorOpening: Codable, Sendable, Equatable {
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
