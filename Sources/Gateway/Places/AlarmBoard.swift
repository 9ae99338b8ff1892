import AccessPolicy
import Foundation
import GatewayAPI
import Synchronization

/// The door alarms of the gateway (`GET /v1/alarms`): raised by a door, cleared when it closes, acknowledged by a
/// supervisor. An alarm leaves the list once it is both cleared and acknowledged. In memory; the history keeps every
/// raise, clear and acknowledgement.
final class AlarmBoard: Sendable {
    private struct State {
        var next = 1
        var alarms: [Int: AlarmView] = [:]
    }

    private let state = Mutex(State())

    /// Records a raised alarm and returns it.
    func raise(_ alarm: DoorAlarm, door: String, room: String, at: Date) -> AlarmView {
        state.withLock { state in
            let view = AlarmView(id: state.next, door: door, room: room, alarm: alarm.rawValue, raisedAt: at)
            state.alarms[view.id] = view
            state.next += 1
            return view
        }
    }

    /// Marks the door's raised `alarm` cleared.
    func clear(_ alarm: DoorAlarm, door: String, at: Date) {
        state.withLock { state in
            for (id, view) in state.alarms where view.door == door && view.alarm == alarm.rawValue && view.clearedAt == nil {
                var cleared = view
                cleared.clearedAt = at
                state.alarms[id] = cleared.acknowledgedAt == nil ? cleared : nil
            }
        }
    }

    /// The alarm with this number, if it is still listed.
    func alarm(_ id: Int) -> AlarmView? {
        state.withLock { $0.alarms[id] }
    }

    /// Marks alarm `id` acknowledged; nil when it is not listed (or was acknowledged already).
    func acknowledge(_ id: Int, by: String, at: Date) -> AlarmView? {
        state.withLock { state in
            guard var view = state.alarms[id], view.acknowledgedAt == nil else { return nil }
            view.acknowledgedAt = at
            view.acknowledgedBy = by
            state.alarms[id] = view.clearedAt == nil ? view : nil
            return view
        }
    }

    /// The listed alarms of the doors `visible` admits, oldest first.
    func list(_ visible: (String) -> Bool) -> [AlarmView] {
        state.withLock { $0.alarms.values.filter { visible($0.door) }.sorted { $0.id < $1.id } }
    }
}
