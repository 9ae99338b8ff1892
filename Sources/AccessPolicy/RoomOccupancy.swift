import Foundation
import Vocabulary

/// Who is in each room now, derived from the `door.entry` and `door.exit` records (clause 12), visitors included.
///
/// The caller applies each door event after it was durably recorded, and rebuilds the value at start by replaying the
/// history's door events in order. An exit of someone not inside changes nothing; an escort's exit takes the visitors
/// they brought with them.
public struct RoomOccupancy: Hashable, Sendable {
    /// Someone with a card inside a room.
    public struct Occupant: Hashable, Sendable {
        /// The operator.
        public let operatorID: String
        /// When they entered.
        public let enteredAt: Date
        /// Through which door.
        public let doorID: String
    }

    /// A visitor inside a room, beside their escort.
    public struct VisitorInside: Hashable, Sendable {
        /// The visitor.
        public let visitor: Visitor
        /// The escort who brought them in (and takes them out).
        public let escortID: String
        /// When they entered.
        public let enteredAt: Date
    }

    private var rooms: [String: [String: Occupant]] = [:]
    private var visitors: [String: [VisitorInside]] = [:]

    /// An empty occupancy: nobody anywhere.
    public init() {}

    /// The occupancy after replaying `events` in order.
    public init(replaying events: some Sequence<DoorEvent>) {
        for event in events { apply(event) }
    }

    /// Applies one recorded door event: an entry puts its operator (or its visitor) in the room, an exit takes them
    /// out; other events change nothing.
    public mutating func apply(_ event: DoorEvent) {
        guard let operatorID = event.operatorID else { return }
        switch event.kind {
        case .entry:
            if let visitor = event.visitor {
                visitors[event.roomID, default: []].append(VisitorInside(visitor: visitor, escortID: operatorID, enteredAt: event.at))
            } else {
                rooms[event.roomID, default: [:]][operatorID] = Occupant(operatorID: operatorID, enteredAt: event.at, doorID: event.doorID)
            }
        case .exit:
            if let visitor = event.visitor {
                if let index = visitors[event.roomID]?.firstIndex(where: { $0.visitor == visitor && $0.escortID == operatorID }) {
                    visitors[event.roomID]?.remove(at: index)
                }
            } else {
                rooms[event.roomID]?[operatorID] = nil
            }
            if rooms[event.roomID]?.isEmpty == true { rooms[event.roomID] = nil }
            if visitors[event.roomID]?.isEmpty == true { visitors[event.roomID] = nil }
        case .refused, .alarm, .alarmCleared, .override, .released, .restored:
            break
        }
    }

    /// Whether `operatorID` is in `roomID`.
    public func isInside(_ operatorID: String, room roomID: String) -> Bool {
        rooms[roomID]?[operatorID] != nil
    }

    /// The people with a card in `roomID`, earliest entry first.
    public func occupants(of roomID: String) -> [Occupant] {
        (rooms[roomID] ?? [:]).values.sorted { ($0.enteredAt, $0.operatorID) < ($1.enteredAt, $1.operatorID) }
    }

    /// The visitors in `roomID`, earliest entry first.
    public func visitors(in roomID: String) -> [VisitorInside] {
        visitors[roomID] ?? []
    }

    /// The visitors `escortID` brought into `roomID`.
    public func visitors(of escortID: String, in roomID: String) -> [Visitor] {
        visitors(in: roomID).filter { $0.escortID == escortID }.map(\.visitor)
    }

    /// Everyone in `roomID`: people with a card and visitors.
    public func count(in roomID: String) -> Int {
        (rooms[roomID]?.count ?? 0) + (visitors[roomID]?.count ?? 0)
    }

    /// The rooms with at least one person inside, sorted.
    public var occupiedRooms: [String] { Set(rooms.keys).union(visitors.keys).sorted() }
}
