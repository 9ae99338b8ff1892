/// A day of the week, numbered as ISO 8601 does (Monday = 1 … Sunday = 7).
public enum Weekday: Int, Hashable, Sendable, Codable, CaseIterable, Comparable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    /// The weekday from a Gregorian `Calendar` weekday number (Sunday = 1 … Saturday = 7).
    public init?(calendarWeekday: Int) {
        guard (1...7).contains(calendarWeekday) else { return nil }
        self.init(rawValue: calendarWeekday == 1 ? 7 : calendarWeekday - 1)
    }

    /// The three-letter English abbreviation used on the command line: `mon` … `sun`.
    public var abbreviation: String {
        switch self {
        case .monday: "mon"
        case .tuesday: "tue"
        case .wednesday: "wed"
        case .thursday: "thu"
        case .friday: "fri"
        case .saturday: "sat"
        case .sunday: "sun"
        }
    }

    /// The weekday of a three-letter abbreviation (`mon` … `sun`, any case).
    public init?(abbreviation: String) {
        guard let day = Self.allCases.first(where: { $0.abbreviation == abbreviation.lowercased() }) else { return nil }
        self = day
    }

    /// The day before.
    public var previous: Weekday { Weekday(rawValue: rawValue == 1 ? 7 : rawValue - 1)! }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
}
