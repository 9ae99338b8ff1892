import Foundation

/// A source of the current time, injectable so tests can set it exactly.
public protocol HistoryClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system clock.
public struct SystemClock: HistoryClock {
    /// Creates the system clock.
    public init() {}
    /// The current time.
    public func now() -> Date { Date() }
}

/// A clock that says what it was last set to; for tests and tools.
public final class FixedClock: HistoryClock, @unchecked Sendable {
    // Safe: `current` is only read and written while holding `lock`.
    private let lock = NSLock()
    private var current: Date

    /// Creates a clock showing `date`.
    public init(_ date: Date) { current = date }
    /// The time it shows.
    public func now() -> Date { lock.withLock { current } }
    /// Sets the time it shows.
    public func set(_ date: Date) { lock.withLock { current = date } }
    /// Moves it forward by `seconds`.
    public func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// Time conversions used by the store: milliseconds since 1970 UTC and calendar years in UTC.
public enum HistoryTime {
    /// Milliseconds since 1970-01-01T00:00:00Z, to the nearest millisecond (so `millis(date(millis: m)) == m`).
    public static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    /// The date for some milliseconds since 1970.
    public static func date(millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    /// The UTC calendar year of a time in milliseconds.
    public static func year(ofMillis ms: Int64) -> Int {
        // Days-from-civil inverse (proleptic Gregorian), cheaper than Calendar for the verify loop.
        let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
    }

    /// 1 January of `year`, 00:00 UTC.
    public static func startOfYear(_ year: Int) -> Date {
        utc.date(from: DateComponents(year: year, month: 1, day: 1))!
    }

    /// ISO 8601 text with milliseconds, UTC (`2026-11-26T16:22:40.123Z`).
    public static func iso(_ date: Date) -> String {
        let ms = millis(date)
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
        return String(whole.dropLast()) + String(format: ".%03dZ", Int(ms - seconds * 1000))
    }

    /// Parses `YYYY-MM-DD` (midnight UTC) or a full ISO 8601 time.
    public static func parse(_ text: String) -> Date? {
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return d }
        if let d = try? Date.ISO8601FormatStyle().parse(text) { return d }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, text.count == 10 else { return nil }
        return utc.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }
}
