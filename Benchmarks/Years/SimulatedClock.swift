import Foundation
import History
import Synchronization

/// The history's clock during the generation: set to each simulated event's time before it is appended.
final class SimulatedClock: HistoryClock {
    private let millis = Mutex<Int64>(0)

    func set(_ value: Int64) { millis.withLock { $0 = value } }

    func now() -> Date { HistoryTime.date(millis: millis.withLock { $0 }) }
}
