import AccessPolicy
import Vocabulary

/// Who is in each room, from the recorded entries and exits (clause 12), shared by the doors: a door reads it before a
/// decision and applies each entry or exit once it is recorded. In memory only; rebuilt from the history at start.
actor RoomBook {
    private var occupancy: RoomOccupancy

    init(replaying events: [DoorEvent]) {
        occupancy = RoomOccupancy(replaying: events)
    }

    /// Replaces the occupancy with the one `events` (the history's entries and exits, oldest first) leave.
    func load(_ events: [DoorEvent]) {
        occupancy = RoomOccupancy(replaying: events)
    }

    /// The occupancy now.
    func snapshot() -> RoomOccupancy { occupancy }

    /// Applies a recorded door event.
    func apply(_ event: DoorEvent) { occupancy.apply(event) }

    /// The people in `room`, earliest entry first.
    func occupants(of room: String) -> [RoomOccupancy.Occupant] { occupancy.occupants(of: room) }
}
