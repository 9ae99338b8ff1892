import Foundation
import Vocabulary

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
    /// The holder may escort visitors without a card into the room (立会い).
    public var escort: Bool
    /// The grant is closed on holidays (national holidays and the city's closing days): a window that starts on a
    /// holiday does not open.
    public var excludesHolidays: Bool

    /// Creates a grant. Call ``validate()`` on data from outside.
    public init(
        operatorID: String, roomID: String, weekdays: Set<Weekday>, fromMinute: Int, toMinute: Int,
        validFrom: CivilDate? = nil, validTo: CivilDate? = nil, requiresPIN: Bool = false, escort: Bool = false,
        excludesHolidays: Bool = false
    ) {
        self.escort = escort
        self.excludesHolidays = excludesHolidays
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

    /// Whether the grant is open at `instant` in `zone`, and if not, why. Invalid grants (see ``validate()``) are never
    /// open. With ``excludesHolidays``, a window that starts on one of `holidays` does not open (a night shift that
    /// starts the evening before a holiday still runs into it).
    public func evaluate(at instant: Date, in zone: TimeZone, holidays: Set<CivilDate> = []) -> GrantEvaluation {
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
        // The day the window that covers this instant started on: today, or yesterday for the morning part of a
        // window that crosses midnight.
        let windowStart: CivilDate?
        if fromMinute < toMinute {
            windowStart = weekdays.contains(weekday) && minuteOfDay >= fromMinute && minuteOfDay < toMinute ? today : nil
        } else if weekdays.contains(weekday) && minuteOfDay >= fromMinute {
            windowStart = today
        } else if weekdays.contains(weekday.previous) && minuteOfDay < toMinute {
            windowStart = today.previousDay
        } else {
            windowStart = nil
        }
        guard let windowStart else { return .closed(.outsideHours) }
        if excludesHolidays && holidays.contains(windowStart) { return .closed(.holiday) }
        return .open
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
    /// The window starts on a holiday and the grant excludes holidays.
    case holiday
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
