import Foundation
import GatewayAPI
import Vocabulary

/// A gateway that answers every call at once with the same plausible values, whoever the caller, and refuses every
/// PIN without echoing it: behind the API under fuzzing, so that any 5xx answer is the API's own fault.
struct FuzzGateway: GatewayService {
    static let time = Date(timeIntervalSince1970: 1_795_000_000)
    static let person = OperatorSummary(id: "op-0001", name: "山田 太郎")

    func status(caller: Peer) async throws -> GatewayStatus {
        GatewayStatus(
            version: "fuzz", startedAt: Self.time, pcscdRunning: true, historyOK: true,
            readers: [ReaderView(name: "CardGate T01 00 00", role: .terminal(id: "T01"), state: .empty)],
            terminals: [.locked("T01")])
    }

    func terminal(id: String, caller: Peer) async throws -> TerminalView { .locked(id) }

    func submitTerminalPIN(terminal id: String, pin: PIN, caller: Peer) async throws -> TerminalView {
        throw GatewayError(.wrongPIN, "wrong PIN", attemptsLeft: 2)
    }

    func recordOperation(terminal id: String, action: String, target: String, caller: Peer) async throws -> OperationReceipt {
        OperationReceipt(
            terminal: id, operator: Self.person, action: action, target: target, recordedAt: Self.time,
            historySequence: 1, idleLockAt: Self.time.addingTimeInterval(600))
    }

    func lockTerminal(id: String, caller: Peer) async throws -> TerminalView { .locked(id, reason: .manual) }

    func submitDoorPIN(door id: String, pin: PIN, caller: Peer) async throws -> DoorOpening {
        throw GatewayError(.wrongPIN, "wrong PIN", attemptsLeft: 1)
    }

    func door(id: String, caller: Peer) async throws -> DoorView { Self.door(id) }

    func reportDoorContact(door id: String, open: Bool, caller: Peer) async throws -> DoorView {
        var view = Self.door(id)
        view.contactOpen = open
        return view
    }

    func requestToExit(door id: String, caller: Peer) async throws -> DoorView { Self.door(id) }

    func announceVisitor(door id: String, visitor: Visitor, caller: Peer) async throws -> DoorView {
        var view = Self.door(id)
        view.visitorAnnounced = true
        return view
    }

    func overrideTwoPerson(door id: String, caller: Peer) async throws -> DoorView {
        var view = Self.door(id)
        view.overridePending = true
        return view
    }

    func alarms(caller: Peer) async throws -> AlarmList { AlarmList(alarms: [Self.alarm(1)]) }

    func acknowledgeAlarm(id: Int, caller: Peer) async throws -> AlarmView {
        var view = Self.alarm(id)
        view.acknowledgedAt = Self.time
        view.acknowledgedBy = Self.person.id
        return view
    }

    func releaseDoors(reason: String?, caller: Peer) async throws -> DoorReleaseResult {
        DoorReleaseResult(released: true, doors: ["D1"], lockedTerminals: ["T01"], unrecorded: [], reason: reason, at: Self.time)
    }

    func restoreDoors(caller: Peer) async throws -> DoorReleaseResult {
        DoorReleaseResult(released: false, doors: ["D1"], lockedTerminals: [], unrecorded: [], reason: nil, at: Self.time)
    }

    func occupancy(room id: String, caller: Peer) async throws -> OccupancyView {
        OccupancyView(room: id, occupants: [Occupant(operator: Self.person, enteredAt: Self.time, door: "D1")], asOf: Self.time)
    }

    func emergencyLockAll(reason: String?, caller: Peer) async throws -> EmergencyLockResult {
        EmergencyLockResult(lockedTerminals: ["T01"], endedSessions: 0, reason: reason, at: Self.time)
    }

    func events(terminal: String?, caller: Peer) async throws -> AsyncStream<GatewayEvent> {
        AsyncStream { continuation in
            continuation.yield(.terminal(.locked(terminal ?? "T01")))
            continuation.finish()
        }
    }

    /// Door `id` of room R1, closed and waiting for a card.
    static func door(_ id: String) -> DoorView {
        DoorView(
            id: id, room: "R1", contactOpen: false, alarms: [], released: false, awaiting: .card, awaitingUntil: nil,
            visitorAnnounced: false, overridePending: false)
    }

    /// Alarm `id`: door D1 held open, cleared, not yet acknowledged.
    static func alarm(_ id: Int) -> AlarmView {
        AlarmView(id: id, door: "D1", room: "R1", alarm: "held-open", raisedAt: Self.time, clearedAt: Self.time.addingTimeInterval(30))
    }
}
