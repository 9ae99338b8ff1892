import Foundation

/// What happened at a door, for the `door` events.
public struct DoorNotice: Codable, Sendable, Equatable {
    /// What happened.
    public enum Outcome: String, Codable, Sendable, CaseIterable {
        /// A card was accepted and the room needs a PIN within 30 s.
        case awaitingPIN = "awaiting-pin"
        /// The door was opened.
        case opened
        /// The attempt was refused (see `reason`).
        case refused
        /// A two-person room: the first person passed the rules; a second must present their card.
        case awaitingSecondPerson = "awaiting-second-person"
        /// A visitor was announced and waits for the escort's card.
        case visitorAnnounced = "visitor-announced"
        /// An alarm was raised (`reason`: `forced-open` or `held-open`).
        case alarm
        /// An alarm is over (the door closed).
        case alarmCleared = "alarm-cleared"
        /// A supervisor acknowledged an alarm.
        case alarmAcknowledged = "alarm-acknowledged"
        /// The door was released for evacuation (opened and held).
        case released
        /// The release ended; the door is secured.
        case restored
        /// A supervisor let the next exit of a two-person room pass alone.
        case override
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
