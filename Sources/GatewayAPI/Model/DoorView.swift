import Foundation

/// A door's state: `GET /v1/doors/{id}`, and the answer of the door controller's reports (contact, exit button,
/// visitor) and of a supervisor's override.
public struct DoorView: Codable, Sendable, Equatable {
    /// What the door's decision waits for.
    public enum Awaiting: String, Codable, Sendable, CaseIterable {
        /// The card is being checked.
        case card
        /// The accepted card's holder must enter the PIN (`POST /v1/doors/{id}/pin`).
        case pin
        /// A two-person room: a second authorised person must present their card.
        case secondPerson = "second-person"
    }

    /// The door id.
    public var id: String
    /// The room behind it.
    public var room: String
    /// The contact as last reported: `true` open, `false` closed, nil before the first report.
    public var contactOpen: Bool?
    /// The alarms raised and not yet cleared (`forced-open`, `held-open`).
    public var alarms: [String]
    /// Released for evacuation: open and held until restored.
    public var released: Bool
    /// What the decision waits for, if anything.
    public var awaiting: Awaiting?
    /// Until when it waits.
    public var awaitingUntil: Date?
    /// A visitor was announced and waits for an escort's card.
    public var visitorAnnounced: Bool
    /// A supervisor's override for the next lone exit of a two-person room is pending.
    public var overridePending: Bool

    /// Creates a door view.
    public init(
        id: String, room: String, contactOpen: Bool?, alarms: [String], released: Bool, awaiting: Awaiting?, awaitingUntil: Date?,
        visitorAnnounced: Bool, overridePending: Bool
    ) {
        self.id = id
        self.room = room
        self.contactOpen = contactOpen
        self.alarms = alarms
        self.released = released
        self.awaiting = awaiting
        self.awaitingUntil = awaitingUntil
        self.visitorAnnounced = visitorAnnounced
        self.overridePending = overridePending
    }
}
