import Foundation

/// A door alarm: `GET /v1/alarms` lists those still raised or not yet acknowledged; a supervisor acknowledges one
/// with `POST /v1/alarms/{id}/acknowledge`.
public struct AlarmView: Codable, Sendable, Equatable {
    /// The alarm's number (counted from the gateway's start).
    public var id: Int
    /// The door.
    public var door: String
    /// The room behind it.
    public var room: String
    /// `forced-open` or `held-open`.
    public var alarm: String
    /// When it was raised.
    public var raisedAt: Date
    /// When it was cleared (the door closed), if it was.
    public var clearedAt: Date?
    /// When a supervisor acknowledged it, if one did.
    public var acknowledgedAt: Date?
    /// Who acknowledged it (`uid:N`).
    public var acknowledgedBy: String?

    /// Creates an alarm view.
    public init(
        id: Int, door: String, room: String, alarm: String, raisedAt: Date, clearedAt: Date? = nil, acknowledgedAt: Date? = nil,
        acknowledgedBy: String? = nil
    ) {
        self.id = id
        self.door = door
        self.room = room
        self.alarm = alarm
        self.raisedAt = raisedAt
        self.clearedAt = clearedAt
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedBy = acknowledgedBy
    }
}

/// The answer of `GET /v1/alarms`.
public struct AlarmList: Codable, Sendable, Equatable {
    /// The alarms, oldest first.
    public var alarms: [AlarmView]

    /// Creates the list.
    public init(alarms: [AlarmView]) { self.alarms = alarms }
}
