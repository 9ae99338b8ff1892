import Foundation

/// Dates and times of the printed entry book, in the book's time zone (the office's, not UTC), written the way
/// Japanese offices write them: `2026/04/01(水)`, `09:05`, `2026年4月1日（水）`. Independent of the machine's locale.
struct EntryBookClock: Sendable {
    let timeZone: TimeZone
    private let calendar: Calendar

    private static let weekdays = ["日", "月", "火", "水", "木", "金", "土"]

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    private func parts(_ date: Date) -> DateComponents {
        calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
    }

    private func weekday(_ p: DateComponents) -> String { Self.weekdays[((p.weekday ?? 1) - 1) % 7] }

    /// `2026/04/01(水)`.
    func day(_ date: Date) -> String {
        let p = parts(date)
        return String(format: "%04d/%02d/%02d", p.year ?? 0, p.month ?? 0, p.day ?? 0) + "(\(weekday(p)))"
    }

    /// `09:05`.
    func time(_ date: Date) -> String {
        let p = parts(date)
        return String(format: "%02d:%02d", p.hour ?? 0, p.minute ?? 0)
    }

    /// `09:05:07`.
    func timeWithSeconds(_ date: Date) -> String {
        let p = parts(date)
        return String(format: "%02d:%02d:%02d", p.hour ?? 0, p.minute ?? 0, p.second ?? 0)
    }

    /// `09:05` on the day of `reference`, else `4/2 07:10`.
    func time(_ date: Date, sameDayAs reference: Date?) -> String {
        guard let reference, !calendar.isDate(date, inSameDayAs: reference) else { return time(date) }
        let p = parts(date)
        return "\(p.month ?? 0)/\(p.day ?? 0) " + time(date)
    }

    /// `09:05:07` on the day of `reference`, else `4/2 07:10:03`.
    func timeWithSeconds(_ date: Date, sameDayAs reference: Date?) -> String {
        guard let reference, !calendar.isDate(date, inSameDayAs: reference) else { return timeWithSeconds(date) }
        let p = parts(date)
        return "\(p.month ?? 0)/\(p.day ?? 0) " + timeWithSeconds(date)
    }

    /// Midnight of the day of `date`, in the book's time zone (the day a line is listed under).
    func startOfDay(_ date: Date) -> Date { calendar.startOfDay(for: date) }

    /// `2026/04/01(水) 09:05:07`.
    func stamp(_ date: Date) -> String { day(date) + " " + timeWithSeconds(date) }

    /// `2026年4月1日（水）`.
    func longDay(_ date: Date) -> String {
        let p = parts(date)
        return "\(p.year ?? 0)年\(p.month ?? 0)月\(p.day ?? 0)日（\(weekday(p))）"
    }

    /// Whether `date` is midnight in the book's time zone.
    func isMidnight(_ date: Date) -> Bool { calendar.startOfDay(for: date) == date }

    /// The day before `date`.
    func dayBefore(_ date: Date) -> Date { calendar.date(byAdding: .day, value: -1, to: date) ?? date }

    /// The period as printed: whole days inclusive (`2026年4月1日（水）〜 2026年4月30日（木）`), else with times.
    func period(from: Date?, to: Date?) -> String {
        let whole = [from, to].allSatisfy { $0.map(isMidnight) ?? true }
        func start(_ d: Date) -> String { whole ? longDay(d) : longDay(d) + " " + time(d) }
        func end(_ d: Date) -> String { whole ? longDay(dayBefore(d)) : longDay(d) + " " + time(d) + "（を含まない）" }
        switch (from, to) {
        case (nil, nil): return "全期間"
        case (let f?, nil): return start(f) + " 以降"
        case (nil, let t?): return end(t) + " まで"
        case (let f?, let t?): return start(f) + " 〜 " + end(t)
        }
    }

    /// `日本時間（Asia/Tokyo）`, or the zone's identifier.
    var zoneLabel: String {
        timeZone.identifier == "Asia/Tokyo" ? "日本時間（Asia/Tokyo）" : timeZone.identifier
    }
}
