import Foundation
import GRDB

/// Which events a query selects (clause 21: by operator, card, terminal or room, kind, result and period).
public struct EventFilter: Sendable, Equatable {
    /// The operator id.
    public var actor: String?
    /// The card GUID.
    public var card: String?
    /// The terminal, door or reader id.
    public var place: String?
    /// Kinds, each exact (`door.entry`) or a family prefix (`auth.pin.*`); empty selects all.
    public var kinds: [String]
    /// The result.
    public var result: EventResult?
    /// From this time on (inclusive).
    public var from: Date?
    /// Before this time (exclusive).
    public var to: Date?
    /// At most this many events.
    public var limit: Int?

    /// Creates a filter; with no arguments it selects everything.
    public init(actor: String? = nil, card: String? = nil, place: String? = nil, kinds: [String] = [], result: EventResult? = nil,
                from: Date? = nil, to: Date? = nil, limit: Int? = nil) {
        self.actor = actor
        self.card = card
        self.place = place
        self.kinds = kinds
        self.result = result
        self.from = from
        self.to = to
        self.limit = limit
    }

    /// The kinds selected, or nil for all; refuses a pattern that matches no known kind.
    func resolvedKinds() throws(HistoryError) -> [EventKind]? {
        guard !kinds.isEmpty else { return nil }
        var out: [EventKind] = []
        for pattern in kinds {
            let matched = EventKind.allCases.filter { $0.matches(pattern) }
            guard !matched.isEmpty else {
                throw HistoryError(.invalidEvent, "unknown kind \(pattern); kinds are: \(EventKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            out += matched.filter { !out.contains($0) }
        }
        return out
    }

    /// What follows `SELECT … FROM events`: index hint, WHERE clause and order, with the arguments
    /// (parameterised; no value is ever pasted into SQL).
    func sql() throws(HistoryError) -> (String, StatementArguments) {
        var conditions: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        if let actor { conditions.append("actor = ?"); args.append(actor) }
        if let card { conditions.append("card = ?"); args.append(card) }
        if let place { conditions.append("place = ?"); args.append(place) }
        if let kinds = try resolvedKinds() {
            conditions.append("kind IN (\(kinds.map { _ in "?" }.joined(separator: ", ")))")
            args += kinds.map(\.rawValue)
        }
        if let result { conditions.append("result = ?"); args.append(result.rawValue) }
        if let from { conditions.append("time >= ?"); args.append(HistoryTime.millis(from)) }
        if let to { conditions.append("time < ?"); args.append(HistoryTime.millis(to)) }
        let clause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        // A period alone: read it through the time index. Times never decrease along the chain, so time order
        // is sequence order and no sort is needed (without this, SQLite may scan the whole table).
        let onlyPeriod = actor == nil && card == nil && place == nil && kinds.isEmpty && result == nil && (from != nil || to != nil)
        if onlyPeriod { return ("INDEXED BY events_time \(clause) ORDER BY time, seq", StatementArguments(args)) }
        return (clause + " ORDER BY seq", StatementArguments(args))
    }

    /// Whether a year may hold selected events.
    func overlaps(year: Int) -> Bool {
        if let from, HistoryTime.year(ofMillis: HistoryTime.millis(from)) > year { return false }
        if let to, HistoryTime.year(ofMillis: HistoryTime.millis(to) - 1) < year { return false }
        return true
    }
}
