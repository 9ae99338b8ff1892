import Foundation
import History

/// Writes a city hall's days into a history the way the daemon would: every event appended on its own with the clock
/// at its time, a checkpoint signed as the daemon's history writer signs (a second after a burst of events, but no
/// sooner than `spacingSeconds` after the one before), each closed year archived on 15 January at 07:00 (JST), and
/// the oldest archive pruned that day once it is past the retention.
public final class CityHallGenerator {
    /// What the generation did so far.
    public struct Tally: Sendable {
        public var appended = 0
        public var checkpoints = 0
        /// Seconds spent in `append` and in `checkpoint`.
        public var appendSeconds = 0.0
        public var checkpointSeconds = 0.0
        public var archived: [ArchiveReceipt] = []
        public var pruned: [Int] = []
    }

    /// A line of progress: the first day of each month, each archive and prune.
    public enum Progress {
        case month(year: Int, month: Int, dayIndex: Int, days: Int, tally: Tally)
        case archived(ArchiveReceipt, seconds: Double)
        case archiveRefused(year: Int, HistoryError)
        case pruned([Int], seconds: Double)
    }

    public let store: HistoryStore
    public let clock: SimulatedClock
    public let hall: CityHall
    /// `checkpoint-spacing-seconds`, in milliseconds.
    let spacing: Int64
    public private(set) var tally = Tally()
    private var burstAt: Int64?, signAt: Int64?, lastSigned: Int64?

    /// Japan Standard Time (a fixed offset: no daylight saving).
    public static let jst = TimeZone(secondsFromGMT: 9 * 3600)!

    /// A generator writing into `store`, whose clock must be `clock`.
    public init(store: HistoryStore, clock: SimulatedClock, hall: CityHall, spacingSeconds: Double) {
        self.store = store
        self.clock = clock
        self.hall = hall
        spacing = Int64(spacingSeconds * 1000)
    }

    /// Local midnight (JST) of a `YYYY-MM-DD` date, in milliseconds since 1970; nil if it is not such a date.
    public static func midnight(_ text: String) -> Int64? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = jst
        guard parts.count == 3, let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else { return nil }
        return HistoryTime.millis(date)
    }

    /// Appends every day from local midnight `first` up to `end` (exclusive), reporting progress.
    public func run(from first: Int64, to end: Int64, progress: (Progress) -> Void = { _ in }) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Self.jst
        let days = Int((end - first) / 86_400_000)
        var lastMonth = 0
        for dayIndex in 0..<days {
            let dayStart = first + Int64(dayIndex) * 86_400_000
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: HistoryTime.date(millis: dayStart))
            if parts.month == 1 && parts.day == 15 { try maintenance(year: parts.year!, at: dayStart + 7 * 3_600_000, progress) }
            if parts.month != lastMonth {
                lastMonth = parts.month!
                progress(.month(year: parts.year!, month: parts.month!, dayIndex: dayIndex, days: days, tally: tally))
            }
            let activity = CityHall.activity(month: parts.month!, day: parts.day!, weekday: parts.weekday!)
            for item in hall.events(dayIndex: dayIndex, dayStartMillis: dayStart, activity: activity) {
                try signDue(before: item.millis)
                clock.set(item.millis)
                let t0 = DispatchTime.now().uptimeNanoseconds
                try store.append(item.event)
                tally.appendSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                tally.appended += 1
                if burstAt == nil { burstAt = item.millis + 1000 }
            }
            try signDue(before: nil)
        }
    }

    private func sign(at millis: Int64) throws {
        clock.set(millis)
        let t0 = DispatchTime.now().uptimeNanoseconds
        if try store.checkpoint() != nil {
            tally.checkpoints += 1
            lastSigned = millis
        }
        tally.checkpointSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    /// Runs the writer's timers due before `millis` (all of them with nil), in order.
    private func signDue(before millis: Int64?) throws {
        let limit = millis ?? Int64.max
        while true {
            let burst = burstAt.map { $0 <= limit ? $0 : Int64.max } ?? Int64.max
            let due = signAt.map { $0 <= limit ? $0 : Int64.max } ?? Int64.max
            if burst == Int64.max && due == Int64.max { return }
            if burst <= due {
                burstAt = nil
                if let last = lastSigned, burst - last < spacing {
                    if signAt == nil { signAt = last + spacing }
                } else {
                    try sign(at: burst)
                }
            } else {
                signAt = nil
                try sign(at: due)
            }
        }
    }

    /// 15 January: the year before is archived; the oldest archive goes once it is past the retention.
    private func maintenance(year: Int, at millis: Int64, _ progress: (Progress) -> Void) throws {
        clock.set(millis)
        let t0 = Date()
        do {
            let receipt = try store.archive(year: year - 1)
            tally.archived.append(receipt)
            progress(.archived(receipt, seconds: Date().timeIntervalSince(t0)))
        } catch {
            progress(.archiveRefused(year: year - 1, error))
        }
        if let oldest = try store.status().archivedYears.first, store.isPastRetention(year: oldest, at: clock.now()) {
            let t1 = Date()
            let receipt = try store.prune(before: oldest + 1)
            tally.pruned += receipt.years
            progress(.pruned(receipt.years, seconds: Date().timeIntervalSince(t1)))
        }
    }
}
