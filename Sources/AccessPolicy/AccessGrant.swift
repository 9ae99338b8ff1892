import Foundation
import Vocabulary

/// A calendar date without a time or a zone (the validity bounds of a grant, in the grant's time zone).
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

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// Permission for one operator to enter one room on given weekdays and hours, within a validity period (clause 12).
///
/// The registry stores grants as plain data and converts them to this type. Hours are minutes of the day in the
/// evaluation time zone: `fromMinute` inclusive, `toMinute` exclusive. When `toMinute` ≤ `fromMinute` the window
/// crosses midnight and belongs to the day it starts on: Monday 22:00–06:00 is open from Monday 22:00 to Tuesday
/// 06:00. `0…1440` is the whole day. Validity is checked on the local date of the instant itself, both ends inclusive.
public struct AccessGrant: Hashable, Sendable {
    /// The operator allowed in.
    public var operatorID: String
    /// The room.
    public var roomID: String
    /// The days on which a window starts.
    public var weekdays: Set<Weekday>
    /// Start of the daily window, minutes after local midnight (0–1439).
    public var fromMinute: Int
    /// End of the daily window, minutes after local midnight (1–1440), exclusive.
    public var toMinute: Int
    /// First valid local date, inclusive; `nil` for no lower bound.
    public var validFrom: CivilDate?
    /// Last valid local date, inclusive; `nil` for no upper bound.
    public var validTo: CivilDate?
    /// A PIN must be entered at the door as well as the card.
    public var requiresPIN: Bool

    /// Creates a grant. Call ``validate()`` on data from outside.
    public init(
        operatorID: String, roomID: String, weekdays: Set<Weekday>, fromMinute: Int, toMinute: Int,
        validFrom: CivilDate? = nil, validTo: CivilDate? = nil, requiresPIN: Bool = false
    ) {
        self.operatorID = operatorID
        self.roomID = roomID
        self.weekdays = weekdays
        self.fromMinute = fromMinute
        self.toMinute = toMinute
        self.validFrom = validFrom
        self.validTo = validTo
        self.requiresPIN = requiresPIN
    }

    /// Checks the grant's own data: a non-empty weekday set, minutes in range and different, `validFrom` ≤ `validTo`.
    public func validate() throws(GrantError) {
        guard !weekdays.isEmpty else { throw GrantError(code: .noWeekdays, message: "grant for \(operatorID) in \(roomID) has no weekday") }
        guard (0..<1440).contains(fromMinute), (1...1440).contains(toMinute), fromMinute != toMinute else {
            throw GrantError(
                code: .badHours,
                message: "grant for \(operatorID) in \(roomID): hours \(fromMinute)–\(toMinute) must be minutes of the day, from 0–1439, to 1–1440, not equal")
        }
        if let from = validFrom, let to = validTo, to < from {
            throw GrantError(code: .badValidity, message: "grant for \(operatorID) in \(roomID): valid-to \(to) is before valid-from \(from)")
        }
    }

    /// Whether the grant is open at `instant` in `zone`, and if not, why. Invalid grants (see ``validate()``) are never open.
    public func evaluate(at instant: Date, in zone: TimeZone) -> GrantEvaluation {
        guard (try? validate()) != nil else { return .closed(.invalid) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: instant)
        guard let year = parts.year, let month = parts.month, let day = parts.day, let hour = parts.hour,
            let minute = parts.minute, let weekdayNumber = parts.weekday,
            let today = CivilDate(year: year, month: month, day: day),
            let weekday = Weekday(calendarWeekday: weekdayNumber)
        else { return .closed(.invalid) }

        if let from = validFrom, today < from { return .closed(.notYetValid) }
        if let to = validTo, today > to { return .closed(.expired) }

        let minuteOfDay = hour * 60 + minute
        let open: Bool
        if fromMinute < toMinute {
            open = weekdays.contains(weekday) && minuteOfDay >= fromMinute && minuteOfDay < toMinute
        } else {
            // Crosses midnight: the evening part belongs to today, the morning part to yesterday's window.
            open = (weekdays.contains(weekday) && minuteOfDay >= fromMinute)
                || (weekdays.contains(weekday.previous) && minuteOfDay < toMinute)
        }
        return open ? .open : .closed(.outsideHours)
    }
}

/// The answer of ``AccessGrant/evaluate(at:in:)``.
public enum GrantEvaluation: Hashable, Sendable {
    /// The grant lets its operator in now.
    case open
    /// The grant does not, for this reason.
    case closed(GrantClosure)
}

/// Why a grant is closed at an instant.
public enum GrantClosure: String, Hashable, Sendable {
    /// Not this weekday or not these hours.
    case outsideHours = "outside-hours"
    /// Before `validFrom`.
    case notYetValid = "grant-not-yet-valid"
    /// After `validTo`.
    case expired = "grant-expired"
    /// The grant's data is invalid.
    case invalid = "grant-invalid"
}

/// A grant whose data cannot be used.
public struct GrantError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Code: String, Hashable, Sendable {
        /// The weekday set is empty.
        case noWeekdays = "no-weekdays"
        /// The hours are out of range or equal.
        case badHours = "bad-hours"
        /// The validity period ends before it starts.
        case badValidity = "bad-validity"
    }

    /// The code to switch on.
    public let code: Code
    /// A message a person can act on.
    public let message: String

    public var description: String { message }
}
