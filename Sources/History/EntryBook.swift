import Foundation

/// The entry/exit book of a room (入退室管理簿, clause 12): each person's entries and exits paired, with
/// times and durations, and the refusals apart.
public struct EntryBook: Sendable, Equatable {
    /// One stay in the room.
    public struct Visit: Sendable, Equatable {
        /// The operator id (or nil if only the card is known).
        public let person: String?
        /// The card GUID used.
        public let card: String?
        /// When they entered, nil if an exit has no entry in the period.
        public let entry: Date?
        /// When they left, nil if no exit was recorded (still inside, or the exit was not recorded).
        public let exit: Date?
        /// Whether the entry was let in outside granted hours.
        public let outsideGrantedHours: Bool
        /// Seconds between entry and exit.
        public var duration: TimeInterval? {
            guard let entry, let exit else { return nil }
            return exit.timeIntervalSince(entry)
        }
    }

    /// The room.
    public let room: String
    /// Stays, ordered by entry (or exit) time.
    public let visits: [Visit]
    /// `door.refused` events at the room.
    public let refusals: [HistoryEvent]

    /// Builds the book from `door.*` events of the room, oldest first.
    public init(room: String, events: [HistoryEvent]) {
        self.room = room
        var visits: [Visit] = []
        var open: [String: (index: Int, visit: Visit)] = [:]
        var refusals: [HistoryEvent] = []
        for e in events where e.place == room {
            let who = e.actor ?? e.card ?? "?"
            switch e.kind {
            case .doorEntry where e.result == .success:
                let v = Visit(person: e.actor, card: e.card, entry: e.time, exit: nil, outsideGrantedHours: e.details.outsideGrantedHours == true)
                visits.append(v)
                open[who] = (visits.count - 1, v)
            case .doorExit:
                if let o = open.removeValue(forKey: who) {
                    visits[o.index] = Visit(person: o.visit.person, card: o.visit.card, entry: o.visit.entry, exit: e.time, outsideGrantedHours: o.visit.outsideGrantedHours)
                } else {
                    visits.append(Visit(person: e.actor, card: e.card, entry: nil, exit: e.time, outsideGrantedHours: false))
                }
            case .doorRefused, .doorEntry:
                refusals.append(e)
            default:
                break
            }
        }
        self.visits = visits
        self.refusals = refusals
    }

    /// Reads the book from a store for a room and period.
    public static func read(from store: HistoryStore, room: String, from: Date?, to: Date?) throws(HistoryError) -> EntryBook {
        let events = try store.events(matching: EventFilter(place: room, kinds: ["door.*"], from: from, to: to))
        return EntryBook(room: room, events: events)
    }

    /// Hours and minutes, e.g. `1:05`.
    public static func format(duration: TimeInterval?) -> String {
        guard let d = duration else { return "" }
        let m = Int(d / 60)
        return String(format: "%d:%02d", m / 60, m % 60)
    }
}
