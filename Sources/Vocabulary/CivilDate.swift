import Foundation

/// A calendar date without a time or a zone: the validity bounds of a grant, a holiday (read in the site's time zone).
public struct CivilDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The year, month (1–12) and day (1–31).
    public let year: Int, month: Int, day: Int

    /// Creates a date; `nil` when the month or day is out of range for that month.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        "\(String(format: "%04d", year))-\(String(format: "%02d", month))-\(String(format: "%02d", day))"
    }

    /// The calendar day before.
    public var previousDay: CivilDate {
        if day > 1 { return CivilDate(year: year, month: month, day: day - 1)! }
        if month > 1 { return CivilDate(year: year, month: month - 1, day: Self.daysIn(month: month - 1, year: year))! }
        return CivilDate(year: year - 1, month: 12, day: 31)!
    }

    /// The days in `month` of `year` (Gregorian).
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension CivilDate {
    /// Parses `YYYY-MM-DD` (four-digit year, two-digit month and day); nil for anything else or an impossible date.
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The date of `instant` in `zone`.
    public init(_ instant: Date, in zone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        self.init(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)!
    }
}
