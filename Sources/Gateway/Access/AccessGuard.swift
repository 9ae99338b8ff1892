import CardGateConfig
import Foundation
import GatewayAPI
import History
import Vocabulary

/// Who may do what on the local API, decided from the caller the kernel identified (`SO_PEERCRED`) and the
/// configuration: each terminal's and door's `clients`, and the API's `supervisors`. A client sees and acts on its own
/// terminals and doors only; a supervisor sees everything, may lock any terminal and lock all. Every refusal is a
/// ``GatewayError/Code/forbidden`` and is recorded, rate-limited (``RefusalRecorder``).
struct AccessGuard: Sendable {
    private let terminals: [String: ClientSet]
    private let doors: [String: ClientSet]
    private let doorRooms: [String: String]
    private let supervisors: ClientSet
    private let firePanels: ClientSet
    let recorder: RefusalRecorder

    /// Resolves the configuration's lists; an unknown user or group name stops the start.
    init(configuration: CardGateConfiguration, recorder: RefusalRecorder) throws(GatewayStartError) {
        var terminals: [String: ClientSet] = [:]
        for (id, _) in configuration.terminals {
            terminals[id] = try ClientSet(configuration.clients(ofTerminal: id), what: "the clients of terminal \(id)")
        }
        var doors: [String: ClientSet] = [:]
        var rooms: [String: String] = [:]
        for door in configuration.doors {
            let id = door.configuration.doorID
            doors[id] = try ClientSet(configuration.clients(ofDoor: id), what: "the clients of door \(id)")
            rooms[id] = door.configuration.roomID
        }
        self.terminals = terminals
        self.doors = doors
        doorRooms = rooms
        supervisors = try ClientSet(configuration.api.supervisors, what: "api.supervisors")
        firePanels = try ClientSet(configuration.api.firePanels, what: "api.fire-panels")
        self.recorder = recorder
    }

    /// Whether `peer` may use the API at all (a client of something, or a supervisor); others are turned away when
    /// they connect.
    func mayConnect(_ peer: Peer) -> Bool {
        supervisors.contains(peer) || firePanels.contains(peer) || terminals.values.contains { $0.contains(peer) }
            || doors.values.contains { $0.contains(peer) }
    }

    /// Whether `peer` is a supervisor.
    func isSupervisor(_ peer: Peer) -> Bool { supervisors.contains(peer) }

    /// Whether `peer` may see terminal `id` (its clients and the supervisors).
    func maySee(terminal id: String, _ peer: Peer) -> Bool {
        isSupervisor(peer) || terminals[id]?.contains(peer) == true
    }

    /// Whether `peer` may see door `id`.
    func maySee(door id: String, _ peer: Peer) -> Bool {
        isSupervisor(peer) || doors[id]?.contains(peer) == true
    }

    /// Whether `peer` may see room `id` (a client of one of its doors, or a supervisor).
    func maySee(room id: String, _ peer: Peer) -> Bool {
        isSupervisor(peer) || doorRooms.contains { $0.value == id && doors[$0.key]?.contains(peer) == true }
    }

    /// Throws (and records) unless `peer` is a client of terminal `id`; supervisors too when `supervisorsToo`.
    func requireTerminal(_ id: String, _ peer: Peer, _ what: String, supervisorsToo: Bool = false) throws(GatewayError) {
        if terminals[id]?.contains(peer) == true || (supervisorsToo && isSupervisor(peer)) { return }
        throw refuse(peer, what, place: id)
    }

    /// Throws (and records) unless `peer` is a client of door `id`; supervisors too when `supervisorsToo`.
    func requireDoor(_ id: String, _ peer: Peer, _ what: String, supervisorsToo: Bool = false) throws(GatewayError) {
        if doors[id]?.contains(peer) == true || (supervisorsToo && isSupervisor(peer)) { return }
        throw refuse(peer, what, place: id)
    }

    /// Throws (and records) unless `peer` is a supervisor or one of the fire panel's clients.
    func requireFirePanel(_ peer: Peer, _ what: String) throws(GatewayError) {
        if isSupervisor(peer) || firePanels.contains(peer) { return }
        throw refuse(peer, what, place: nil)
    }

    /// Throws (and records) unless `peer` is a supervisor.
    func requireSupervisor(_ peer: Peer, _ what: String) throws(GatewayError) {
        if isSupervisor(peer) { return }
        throw refuse(peer, what, place: nil)
    }

    /// Records a refusal and returns the error to throw.
    func refuse(_ peer: Peer, _ what: String, place: String?) -> GatewayError {
        recorder.refused(peer, what: what, place: place)
        return .forbidden(what)
    }
}

/// Records refusals of API and administration callers in the history, at most one record per caller and refused act
/// per minute, so that a loop cannot flood the history: the next record of the same caller and act says how many
/// refusals were left out since.
final class RefusalRecorder: Sendable {
    private let state = RefusalState()
    private let history: HistoryWriter
    private let window: TimeInterval

    init(history: HistoryWriter, window: TimeInterval = 60) {
        self.history = history
        self.window = window
    }

    /// Notes that `peer` was refused `what` (at `place`); records it unless the caller was recorded within the window.
    func refused(_ peer: Peer?, what: String, place: String?) {
        let (history, state, window) = (self.history, self.state, self.window)
        Task {
            guard let suppressed = await state.admit(key: "\(peer?.uid ?? UInt32.max) \(what)", now: Date(), window: window) else { return }
            let event = NewEvent(
                kind: .apiRefused, result: .denied, place: place.map { String($0.prefix(64)) },
                details: EventDetails(
                    reason: "forbidden", operation: String(what.prefix(120)), record: peer.map { "uid:\($0.uid)" } ?? "unknown",
                    count: suppressed > 0 ? suppressed : nil))
            await history.append(event)
        }
    }
}

/// The rate limit's memory: per caller and act, when it was last recorded and how many refusals were left out since.
/// Bounded: the keys are the callers' uids times the routes and places of the configuration; beyond 4096 keys the
/// oldest are forgotten.
actor RefusalState {
    private var entries: [String: (recorded: Date, suppressed: Int)] = [:]

    /// How many refusals to report with this record, or nil to leave this one out.
    func admit(key: String, now: Date, window: TimeInterval) -> Int? {
        if let entry = entries[key], now.timeIntervalSince(entry.recorded) < window {
            entries[key] = (entry.recorded, entry.suppressed + 1)
            return nil
        }
        let suppressed = entries[key]?.suppressed ?? 0
        if entries.count >= 4096 {
            entries = entries.filter { now.timeIntervalSince($0.value.recorded) < window }
        }
        entries[key] = (now, 0)
        return suppressed
    }
}
