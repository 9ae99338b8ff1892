import Foundation
import History
import Synchronization

/// The history's clock during the generation: set to each simulated event's time before it is appended.
public final class SimulatedClock: HistoryClock {
    private let millis = Mutex<Int64>(0)

    /// A clock at 1970 until set.
    public init() {}

    /// Sets the time, in milliseconds since 1970.
    public func set(_ value: Int64) { millis.withLock { $0 = value } }

    /// The time last set.
    public func now() -> Date { HistoryTime.date(millis: millis.withLock { $0 }) }
}
