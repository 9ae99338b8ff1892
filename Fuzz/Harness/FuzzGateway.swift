import Foundation
import GatewayAPI

/// A gateway that answers every call at once with the same plausible values, and refuses every PIN without
/// echoing it: behind the API under fuzzing, so that any 5xx answer is the API's own fault.
struct FuzzGateway: GatewayService {
    static let time = Date(timeIntervalSince1970: 1_795_000_000)
    static let person = OperatorSummary(id: "op-0001", name: "山田 太郎")

    func status() async throws -> GatewayStatus {
        GatewayStatus(
            version: "fuzz", startedAt: Self.time, pcscdRunning: true, historyOK: true,
            readers: [ReaderStatus(name: "CardGate T01 00 00", role: .terminal("T01"), state: .empty)],
            terminals: [.locked("T01")])
    }

    func terminal(id: String) async throws -> TerminalView { .locked(id) }

    func submitTerminalPIN(terminal id: String, pin: PIN) async throws -> TerminalView {
        throw GatewayError(.wrongPIN, "wrong PIN", attemptsLeft: 2)
    }

    func recordOperation(terminal id: String, action: String, target: String) async throws -> OperationReceipt {
        OperationReceipt(
            terminal: id, operator: Self.person, action: action, target: target, recordedAt: Self.time,
            historySequence: 1, idleLockAt: Self.time.addingTimeInterval(600))
    }

    func lockTerminal(id: String) async throws -> TerminalView { .locked(id, reason: .requested) }

    func submitDoorPIN(door id: String, pin: PIN) async throws -> DoorDecision {
        throw GatewayError(.wrongPIN, "wrong PIN", attemptsLeft: 1)
    }

    func occupancy(room id: String) async throws -> RoomOccupancy {
        RoomOccupancy(room: id, occupants: [Occupant(operator: Self.person, enteredAt: Self.time, door: "D1")], asOf: Self.time)
    }

    func emergencyLockAll(reason: String?) async throws -> EmergencyLockResult {
        EmergencyLockResult(lockedTerminals: ["T01"], endedSessions: 0, reason: reason, at: Self.time)
    }

    func events() async -> AsyncStream<GatewayEvent> {
        AsyncStream { continuation in
            continuation.yield(.terminal(.locked("T01")))
            continuation.finish()
        }
    }
}
