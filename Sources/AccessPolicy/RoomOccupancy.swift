import Foundation

/// Who is in each room now, derived from the `door.entry` and `door.exit` records (clause 12).
///
/// The caller applies each door event after it was durably recorded, and rebuilds the value at start by replaying the
/// history's door events in order. An exit of someone not inside changes nothing.
public struct RoomOccupancy: Hashable, Sendable {
    /// Someone inside a room.
    public struct Occupant: Hashable, Sendable {
        /// The operator.
        public let operatorID: String
        /// When they entered.
        public let enteredAt: Date
        /// Through which door.
        public let doorID: String
    }

    private var rooms: [String: [String: Occupant]] = [:]

    /// An empty occupancy: nobody anywhere.
    public init() {}

    /// The occupancy after replaying `events` in order.
    public init(replaying events: some Sequence<DoorEvent>) {
        for event in events { apply(event) }
    }

    /// Applies one recorded door event: an entry puts its operator in the room, an exit takes them out; refusals and
    /// events without an operator change nothing.
    public mutating func apply(_ event: DoorEvent) {
        guard let operatorID = event.operatorID else { return }
        switch event.kind {
        case .entry:
            rooms[event.roomID, default: [:]][operatorID] = Occupant(operatorID: operatorID, enteredAt: event.at, doorID: event.doorID)
        case .exit:
            rooms[event.roomID]?[operatorID] = nil
            if rooms[event.roomID]?.isEmpty == true { rooms[event.roomID] = nil }
        case .refused:
            break
        }
    }

    /// Whether `operatorID` is in `roomID`.
    public func isInside(_ operatorID: String, room roomID: String) -> Bool {
        rooms[roomID]?[operatorID] != nil
    }

    /// The people in `roomID`, earliest entry first.
    public func occupants(of roomID: String) -> [Occupant] {
        (rooms[roomID] ?? [:]).values.sorted { ($0.enteredAt, $0.operatorID) < ($1.enteredAt, $1.operatorID) }
    }

    /// The rooms with at least one person inside, sorted.
    public var occupiedRooms: [String] { rooms.keys.sorted() }
}
