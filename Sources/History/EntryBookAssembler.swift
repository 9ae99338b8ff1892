import Foundation

/// Turns a room's events, oldest first, into an ``EntryBook`` (the rules are in ``EntryBook``'s documentation).
struct EntryBookAssembler {
    /// The last passage(s) at a door, to find two-person passages: both are recorded in the same moment.
    private struct Passage {
        let kind: EventKind
        let door: String?
        let person: String
        let visit: Int
        let time: Date
    }

    private struct VisitorKey: Hashable {
        let name: String
        let organisation: String?
        let escort: String?
    }

    let room: String
    private var visits: [EntryBook.Visit] = []
    private var openStays: [String: Int] = [:]
    private var visitors: [EntryBook.VisitorStay] = []
    private var openVisitors: [VisitorKey: Int] = [:]
    private var refusals: [HistoryEvent] = []
    private var alarms: [EntryBook.Alarm] = []
    private var actions: [EntryBook.DoorAction] = []
    private var lastPassage: Passage?
    private var pairedWithLast = false
    private var first: Int64?
    private var last: Int64?

    init(room: String) {
        self.room = room
    }

    /// Takes one event; events of other places, and kinds the book does not show, are ignored.
    mutating func add(_ e: HistoryEvent) {
        let building = e.kind == .adminEmergency && e.place == nil
        guard e.place == room || building else { return }
        switch e.kind {
        case .doorEntry where e.result == .success && e.details.visitor != nil,
             .doorExit where e.details.visitor != nil:
            visitor(e)  // beside the escort: does not end a two-person passage
            note(e)
            return
        case .doorEntry where e.result == .success:
            entry(e)
        case .doorExit:
            exit(e)
        case .doorRefused, .doorEntry:
            refusals.append(e)
            lastPassage = nil
        case .doorAlarm, .doorAlarmCleared, .doorAlarmAcknowledged:
            alarm(e)
            lastPassage = nil
        case .doorOverride, .doorReleased, .doorRestored, .adminEmergency:
            guard let kind = Self.actionKind(e) else { return }
            actions.append(EntryBook.DoorAction(kind: kind, time: e.time, door: e.details.door, by: e.actor, reason: Self.actionReason(e)))
            lastPassage = nil
        default:
            return
        }
        note(e)
    }

    /// The book of everything taken so far.
    func book() -> EntryBook {
        let range: ClosedRange<Int64>? = first.flatMap { f in last.map { f...$0 } }
        return EntryBook(room: room, visits: visits, refusals: refusals, visitors: visitors, alarms: alarms, actions: actions,
                         sequences: range)
    }

    private mutating func note(_ e: HistoryEvent) {
        first = first ?? e.sequence
        last = e.sequence
    }

    private static func key(_ e: HistoryEvent) -> String? { e.actor ?? e.card }

    private mutating func entry(_ e: HistoryEvent) {
        let who = Self.key(e) ?? "?"
        visits.append(EntryBook.Visit(person: e.actor, card: e.card, entry: e.time, exit: nil,
                                      outsideGrantedHours: e.details.outsideGrantedHours == true, entryDoor: e.details.door,
                                      sequence: e.sequence))
        openStays[who] = visits.count - 1
        passage(e, person: who, visit: visits.count - 1)
    }

    private mutating func exit(_ e: HistoryEvent) {
        guard let who = Self.key(e) else {
            // The request-to-exit button: nobody is known, so no stay is closed.
            visits.append(EntryBook.Visit(person: nil, card: nil, entry: nil, exit: e.time, exitDoor: e.details.door,
                                          exitByButton: e.details.reason == "request-to-exit", sequence: e.sequence))
            lastPassage = nil
            return
        }
        let index: Int
        if let open = openStays.removeValue(forKey: who) {
            visits[open].exit = e.time
            visits[open].exitDoor = e.details.door
            index = open
        } else {
            visits.append(EntryBook.Visit(person: e.actor, card: e.card, entry: nil, exit: e.time, exitDoor: e.details.door,
                                          sequence: e.sequence))
            index = visits.count - 1
        }
        passage(e, person: who, visit: index)
    }

    /// Pairs this passage with the one just before it when both are one two-person passage.
    private mutating func passage(_ e: HistoryEvent, person: String, visit: Int) {
        defer { lastPassage = Passage(kind: e.kind, door: e.details.door, person: person, visit: visit, time: e.time) }
        guard let before = lastPassage, !pairedWithLast, before.kind == e.kind, before.door == e.details.door,
              before.person != person, e.time.timeIntervalSince(before.time) <= EntryBook.twoPersonWindow
        else {
            pairedWithLast = false
            return
        }
        pairedWithLast = true
        let (first, second) = (visits[before.visit].person ?? visits[before.visit].card, visits[visit].person ?? visits[visit].card)
        if e.kind == .doorEntry {
            visits[before.visit].enteredWith = second
            visits[visit].enteredWith = first
        } else {
            visits[before.visit].leftWith = second
            visits[visit].leftWith = first
        }
    }

    private mutating func visitor(_ e: HistoryEvent) {
        guard let name = e.details.visitor else { return }
        let key = VisitorKey(name: name, organisation: e.details.organisation, escort: e.actor)
        if e.kind == .doorEntry {
            visitors.append(EntryBook.VisitorStay(name: name, organisation: e.details.organisation, escort: e.actor, escortCard: e.card,
                                                  entry: e.time, exit: nil, entryDoor: e.details.door, exitDoor: nil))
            openVisitors[key] = visitors.count - 1
            if let escort = Self.key(e), let stay = openStays[escort] { visits[stay].visitors.append(name) }
            return
        }
        // An escort's exit takes their visitors out; if the escort changed, match the visitor by name and organisation.
        var open = openVisitors.removeValue(forKey: key)
        if open == nil, let other = openVisitors.filter({ $0.key.name == name && $0.key.organisation == e.details.organisation })
            .min(by: { $0.value < $1.value }) {
            open = openVisitors.removeValue(forKey: other.key)
        }
        if let open {
            visitors[open].exit = e.time
            visitors[open].exitDoor = e.details.door
        } else {
            visitors.append(EntryBook.VisitorStay(name: name, organisation: e.details.organisation, escort: e.actor, escortCard: e.card,
                                                  entry: nil, exit: e.time, entryDoor: nil, exitDoor: e.details.door))
        }
    }

    private mutating func alarm(_ e: HistoryEvent) {
        let reason = e.details.reason ?? "?"
        let door = e.details.door
        let same = alarms.indices.filter { alarms[$0].door == door && alarms[$0].reason == reason }
        switch e.kind {
        case .doorAlarm:
            alarms.append(EntryBook.Alarm(door: door, reason: reason, raised: e.time))
        case .doorAlarmCleared:
            // A door has at most one alarm of each kind raised at a time: the newest is the one that clears.
            if let i = same.last(where: { alarms[$0].cleared == nil }) {
                alarms[i].cleared = e.time
            } else {
                alarms.append(EntryBook.Alarm(door: door, reason: reason, raised: nil, cleared: e.time))
            }
        default:
            // Supervisors acknowledge from the alarm list, oldest first.
            if let i = same.first(where: { alarms[$0].acknowledged == nil }) {
                alarms[i].acknowledged = e.time
                alarms[i].acknowledgedBy = e.actor
            } else {
                alarms.append(EntryBook.Alarm(door: door, reason: reason, raised: nil, acknowledged: e.time, acknowledgedBy: e.actor))
            }
        }
    }

    private static func actionKind(_ e: HistoryEvent) -> EntryBook.DoorAction.Kind? {
        switch e.kind {
        case .doorOverride: .override
        case .doorReleased: .released
        case .doorRestored: .restored
        case .adminEmergency where e.details.operation == "release-doors": .emergencyRelease
        case .adminEmergency where e.details.operation == "restore-doors": .emergencyRestore
        default: nil
        }
    }

    /// The reason worth printing: the building-wide release's (`evacuation`…); a door's own events carry only the
    /// direction (`in`, `out`) there.
    private static func actionReason(_ e: HistoryEvent) -> String? {
        guard e.kind == .adminEmergency, let reason = e.details.reason, reason != "restore" else { return nil }
        return reason
    }
}
