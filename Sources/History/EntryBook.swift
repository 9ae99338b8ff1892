import Foundation

/// The entry/exit book of a room (入退室管理簿, clause 12): each person's entries and exits paired into stays, with
/// times, doors and durations; the visitors beside their escorts; and apart from these, the refusals, the door alarms,
/// and the overrides, fire releases and restores.
///
/// A `door.*` event's place is its room, so the book reads one place. How events become lines:
/// - A successful `door.entry` opens a stay; the next `door.exit` of the same person (operator id, else card) closes it.
///   An exit with no open stay is a stay with no entry (entered before the period, or the entry was not recorded).
/// - A `door.exit` with neither person nor card is the request-to-exit button (reason `request-to-exit`): a stay of an
///   unknown person with only an exit. It closes nobody's stay: who pressed the button is not known.
/// - A `door.entry` or `door.exit` whose details carry `visitor` is a visitor's, beside the escort (its actor): it goes
///   to ``visitors``, and the escort's stay names the visitor.
/// - Two entries (or two exits) of different people at the same door, within ``twoPersonWindow`` of each other with no
///   other passage between them, are one two-person passage (二人制): each stay names the other person.
/// - `door.refused` (and an unsuccessful `door.entry`) goes to ``refusals``; `door.alarm`, `door.alarm.cleared` and
///   `door.alarm.acknowledged` to ``alarms``; `door.override`, `door.released`, `door.restored` and the building-wide
///   `admin.emergency` release and restore to ``actions``.
public struct EntryBook: Sendable, Equatable {
    /// One stay in the room.
    public struct Visit: Sendable, Equatable {
        /// The operator id (or nil if only the card is known, or nobody is: an exit by the button).
        public internal(set) var person: String?
        /// The card GUID used.
        public internal(set) var card: String?
        /// When they entered, nil if an exit has no entry in the period.
        public internal(set) var entry: Date?
        /// When they left, nil if no exit was recorded (still inside, or the exit was not recorded).
        public internal(set) var exit: Date?
        /// Whether the entry was let in outside granted hours.
        public internal(set) var outsideGrantedHours: Bool
        /// The door of the entry.
        public internal(set) var entryDoor: String?
        /// The door of the exit.
        public internal(set) var exitDoor: String?
        /// The other person of a two-person entry (二人制).
        public internal(set) var enteredWith: String?
        /// The other person of a two-person exit.
        public internal(set) var leftWith: String?
        /// The exit was the request-to-exit button inside (nobody's card was read).
        public internal(set) var exitByButton: Bool
        /// The names of the visitors this person let in as escort during the stay.
        public internal(set) var visitors: [String]
        /// The history sequence number of the entry (or of the exit, when there is no entry).
        public internal(set) var sequence: Int64

        /// Seconds between entry and exit.
        public var duration: TimeInterval? {
            guard let entry, let exit else { return nil }
            return exit.timeIntervalSince(entry)
        }

        /// Nobody is known: neither an operator nor a card (an exit by the button).
        public var isUnknownPerson: Bool { person == nil && card == nil }

        init(person: String?, card: String?, entry: Date?, exit: Date?, outsideGrantedHours: Bool = false,
             entryDoor: String? = nil, exitDoor: String? = nil, exitByButton: Bool = false, sequence: Int64 = 0) {
            self.person = person
            self.card = card
            self.entry = entry
            self.exit = exit
            self.outsideGrantedHours = outsideGrantedHours
            self.entryDoor = entryDoor
            self.exitDoor = exitDoor
            self.exitByButton = exitByButton
            self.visitors = []
            self.sequence = sequence
        }
    }

    /// A visitor's stay beside the escort who let them in (立会い).
    public struct VisitorStay: Sendable, Equatable {
        /// The visitor's name, as the escort typed it.
        public internal(set) var name: String
        /// The visitor's organisation.
        public internal(set) var organisation: String?
        /// The escort's operator id (the actor of the visitor's entry, or of the exit when no entry was recorded).
        public internal(set) var escort: String?
        /// The escort's card.
        public internal(set) var escortCard: String?
        /// When the visitor entered; nil if only the exit is in the period.
        public internal(set) var entry: Date?
        /// When the visitor left; nil if no exit was recorded.
        public internal(set) var exit: Date?
        /// The door of the entry.
        public internal(set) var entryDoor: String?
        /// The door of the exit.
        public internal(set) var exitDoor: String?

        /// Seconds between entry and exit.
        public var duration: TimeInterval? {
            guard let entry, let exit else { return nil }
            return exit.timeIntervalSince(entry)
        }
    }

    /// A door alarm: raised, cleared (the door closed or was released) and acknowledged by a supervisor.
    public struct Alarm: Sendable, Equatable {
        /// The door.
        public internal(set) var door: String?
        /// `forced-open` or `held-open` (the details' reason).
        public internal(set) var reason: String
        /// When it was raised; nil if it was raised before the period.
        public internal(set) var raised: Date?
        /// When it was cleared; nil if not (yet) in the period.
        public internal(set) var cleared: Date?
        /// When a supervisor acknowledged it; nil if nobody did in the period.
        public internal(set) var acknowledged: Date?
        /// Who acknowledged it (the API client, `uid:N`).
        public internal(set) var acknowledgedBy: String?

        init(door: String?, reason: String, raised: Date?, cleared: Date? = nil, acknowledged: Date? = nil, acknowledgedBy: String? = nil) {
            self.door = door
            self.reason = reason
            self.raised = raised
            self.cleared = cleared
            self.acknowledged = acknowledged
            self.acknowledgedBy = acknowledgedBy
        }
    }

    /// An override of the two-person rule, a fire release or a restore.
    public struct DoorAction: Sendable, Equatable {
        /// What was done.
        public enum Kind: String, Sendable, Equatable, CaseIterable {
            /// A supervisor let the next exit of a two-person room pass alone (`door.override`).
            case override
            /// A door was released for evacuation: opened and held (`door.released`).
            case released
            /// A released door was secured again (`door.restored`).
            case restored
            /// The fire panel released every door (`admin.emergency`, operation `release-doors`; no room).
            case emergencyRelease = "emergency-release"
            /// The fire panel secured every door again (`admin.emergency`, operation `restore-doors`; no room).
            case emergencyRestore = "emergency-restore"
        }

        /// What was done.
        public let kind: Kind
        /// When.
        public let time: Date
        /// The door; nil for the building-wide emergency events.
        public let door: String?
        /// Who asked (the API client, `uid:N`).
        public let by: String?
        /// The details' reason (e.g. `evacuation` for an emergency release).
        public let reason: String?
    }

    /// How far apart two passages at one door may be recorded and still be one two-person passage: the gateway records
    /// both one after the other in the same moment, so well under a second; two separate card passages at one reader
    /// take longer (a card challenge, a door cycle).
    public static let twoPersonWindow: TimeInterval = 1

    /// The room.
    public let room: String
    /// Stays, ordered by entry (or exit) time.
    public let visits: [Visit]
    /// `door.refused` events at the room (and unsuccessful `door.entry` events), oldest first.
    public let refusals: [HistoryEvent]
    /// Visitors' stays, ordered by entry (or exit) time.
    public let visitors: [VisitorStay]
    /// Door alarms, ordered by when they were raised (or first seen).
    public let alarms: [Alarm]
    /// Overrides, fire releases and restores, oldest first.
    public let actions: [DoorAction]
    /// The first and last history sequence numbers the book was made from (nil if there were none).
    public let sequences: ClosedRange<Int64>?

    /// Builds the book from the events of the room (`door.*` events whose place is `room`) and the building-wide
    /// `admin.emergency` events (no place), oldest first. Other events are ignored.
    public init(room: String, events: [HistoryEvent]) {
        var assembler = EntryBookAssembler(room: room)
        for e in events { assembler.add(e) }
        self = assembler.book()
    }

    init(room: String, visits: [Visit], refusals: [HistoryEvent], visitors: [VisitorStay], alarms: [Alarm], actions: [DoorAction],
         sequences: ClosedRange<Int64>?) {
        self.room = room
        self.visits = visits
        self.refusals = refusals
        self.visitors = visitors
        self.alarms = alarms
        self.actions = actions
        self.sequences = sequences
    }

    /// Reads the book from a store for a room and period (`to` exclusive): the room's `door.*` events and the
    /// building-wide `admin.emergency` events. `progress` is called every `progressEvery` events read.
    public static func read(from store: HistoryStore, room: String, from: Date?, to: Date?, progressEvery: Int = 5000,
                            progress: ((Int) -> Void)? = nil) throws(HistoryError) -> EntryBook {
        let emergencies = try store.events(matching: EventFilter(kinds: [EventKind.adminEmergency.rawValue], from: from, to: to))
        var pending = emergencies[...]
        var assembler = EntryBookAssembler(room: room)
        var count = 0
        try store.forEachEvent(matching: EventFilter(place: room, kinds: ["door.*"], from: from, to: to)) { e in
            while let first = pending.first, first.sequence < e.sequence {
                assembler.add(first)
                pending.removeFirst()
            }
            assembler.add(e)
            count += 1
            if count % max(1, progressEvery) == 0 { progress?(count) }
            return true
        }
        for e in pending { assembler.add(e) }
        return assembler.book()
    }

    /// Hours and minutes, e.g. `1:05`.
    public static func format(duration: TimeInterval?) -> String {
        guard let d = duration else { return "" }
        let m = Int(d / 60)
        return String(format: "%d:%02d", m / 60, m % 60)
    }
}
