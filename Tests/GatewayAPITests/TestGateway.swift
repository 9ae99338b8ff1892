import Foundation
import GatewayAPI
@_spi(PINDigits) import Vocabulary

/// A small in-memory gateway with the behaviour the API relies on: PIN attempts, sessions, operations
/// refused while locked, doors, rooms, emergency lock-all and events. Used to test the API layer alone.
actor TestGateway: GatewayService {
    static let operatorPIN = "73910468"
    static let yamada = OperatorSummary(id: "op-0001", name: "山田 太郎")
    static let sato = OperatorSummary(id: "op-0002", name: "佐藤 花子")
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    private var views: [String: TerminalView]
    private var cardAt: [String: (operator: OperatorSummary, attemptsLeft: Int)] = [:]
    private var doorCard: (operator: OperatorSummary, attemptsLeft: Int)? = (sato, 3)
    private(set) var operations: [(terminal: String, operatorID: String, action: String, target: String)] = []
    private(set) var emergencyReasons: [String?] = []
    /// The caller of every request, as the server passed it (the kernel's credentials).
    private(set) var callers: [Peer] = []
    var historyFails = false
    nonisolated let broadcaster = EventBroadcaster()

    init() {
        views = [
            "T01": .locked("T01"),
            "T02": TerminalView(id: "T02", state: .awaitingPIN),
            "T03": TerminalView(
                id: "T03", state: .unlocked, operator: Self.sato, unlockedAt: Self.start,
                idleLockAt: Self.start.addingTimeInterval(600), sessionEndsAt: Self.start.addingTimeInterval(8 * 3600)),
        ]
        cardAt["T02"] = (Self.yamada, 5)
    }

    /// Simulates a genuine card arriving at `terminal`.
    func insertCard(_ terminal: String, operator: OperatorSummary = yamada) {
        cardAt[terminal] = (`operator`, 5)
        update(TerminalView(id: terminal, state: .awaitingPIN))
    }

    /// Simulates the card leaving the reader of `terminal`: locked at once.
    func removeCard(_ terminal: String) {
        cardAt[terminal] = nil
        update(.locked(terminal, reason: .cardRemoved))
    }

    func setHistoryFails(_ fails: Bool) { historyFails = fails }

    private func update(_ view: TerminalView) {
        views[view.id] = view
        broadcaster.publish(.terminal(view))
    }

    private func known(_ id: String) throws -> TerminalView {
        guard let view = views[id] else { throw GatewayError.unknownTerminal(id) }
        return view
    }

    func status(caller: Peer) async throws -> GatewayStatus {
        callers.append(caller)
        return GatewayStatus(
            version: "0.1.0", startedAt: Self.start, pcscdRunning: true, historyOK: !historyFails,
            readers: [
                ReaderView(name: "CardGate Test A 00 00", role: .terminal(id: "T01"), state: .empty),
                ReaderView(name: "CardGate Test B 00 00", role: .door(id: "D01", room: "R101", direction: .entry), state: .cardPresent),
                ReaderView(name: "Unknown Reader 00 00", role: nil, state: .refused),
            ],
            terminals: views.keys.sorted().map { views[$0]! })
    }

    func terminal(id: String, caller: Peer) async throws -> TerminalView {
        callers.append(caller)
        return try known(id)
    }

    func submitTerminalPIN(terminal id: String, pin: PIN, caller: Peer) async throws -> TerminalView {
        callers.append(caller)
        let view = try known(id)
        guard view.state == .awaitingPIN, let card = cardAt[id] else {
            throw GatewayError(.notAwaitingPIN, "no card waits for a PIN at terminal \(id)")
        }
        if historyFails { throw GatewayError.historyUnavailable("database is read-only") }
        guard String(decoding: pin.digits, as: UTF8.self) == Self.operatorPIN else {
            let left = card.attemptsLeft - 1
            if left == 0 {
                cardAt[id] = nil
                update(.locked(id, reason: .cardRefused))
                throw GatewayError(.cardBlocked, "the card of \(card.operator.id) is blocked after 5 wrong PINs; ask the PIN administrator")
            }
            cardAt[id] = (card.operator, left)
            update(TerminalView(id: id, state: .awaitingPIN, attemptsLeft: left))
            throw GatewayError(.wrongPIN, "wrong PIN", attemptsLeft: left)
        }
        let unlocked = TerminalView(
            id: id, state: .unlocked, operator: card.operator, unlockedAt: Self.start,
            idleLockAt: Self.start.addingTimeInterval(600), sessionEndsAt: Self.start.addingTimeInterval(8 * 3600))
        update(unlocked)
        return unlocked
    }

    func recordOperation(terminal id: String, action: String, target: String, caller: Peer) async throws -> OperationReceipt {
        callers.append(caller)
        let view = try known(id)
        guard view.state == .unlocked, let who = view.operator else { throw GatewayError.terminalLocked(id) }
        if historyFails { throw GatewayError.historyUnavailable("database is read-only") }
        operations.append((id, who.id, action, target))
        return OperationReceipt(
            terminal: id, operator: who, action: action, target: target, recordedAt: Self.start,
            historySequence: Int64(operations.count), idleLockAt: Self.start.addingTimeInterval(600))
    }

    func lockTerminal(id: String, caller: Peer) async throws -> TerminalView {
        callers.append(caller)
        _ = try known(id)
        cardAt[id] = nil
        let locked = TerminalView.locked(id, reason: .manual)
        update(locked)
        return locked
    }

    func submitDoorPIN(door id: String, pin: PIN, caller: Peer) async throws -> DoorOpening {
        callers.append(caller)
        guard id == "D01" else { throw GatewayError.unknownDoor(id) }
        guard let card = doorCard else { throw GatewayError(.notAwaitingPIN, "no card waits for a PIN at door \(id)") }
        guard String(decoding: pin.digits, as: UTF8.self) == Self.operatorPIN else {
            doorCard = (card.operator, card.attemptsLeft - 1)
            throw GatewayError(.wrongPIN, "wrong PIN", attemptsLeft: card.attemptsLeft - 1)
        }
        doorCard = nil
        broadcaster.publish(.door(DoorNotice(door: id, room: "R101", outcome: .opened, operator: card.operator, at: Self.start)))
        return DoorOpening(door: id, room: "R101", direction: .entry, operator: card.operator, openSeconds: 5, decidedAt: Self.start)
    }

    private(set) var doorReports: [String] = []
    private(set) var released = false

    private func doorView(_ id: String) throws -> DoorView {
        guard id == "D01" else { throw GatewayError.unknownDoor(id) }
        return DoorView(id: id, room: "R101", contactOpen: nil, alarms: [], released: released, awaiting: nil, awaitingUntil: nil,
                        visitorAnnounced: doorReports.last?.hasPrefix("visitor") == true, overridePending: false)
    }

    func door(id: String, caller: Peer) async throws -> DoorView {
        callers.append(caller)
        return try doorView(id)
    }

    func reportDoorContact(door id: String, open: Bool, caller: Peer) async throws -> DoorView {
        callers.append(caller)
        let view = try doorView(id)
        doorReports.append(open ? "open" : "closed")
        return view
    }

    func requestToExit(door id: String, caller: Peer) async throws -> DoorView {
        callers.append(caller)
        let view = try doorView(id)
        doorReports.append("rex")
        return view
    }

    func announceVisitor(door id: String, visitor: Visitor, caller: Peer) async throws -> DoorView {
        callers.append(caller)
        _ = try doorView(id)
        doorReports.append("visitor \(visitor.name) / \(visitor.organisation)")
        return try doorView(id)
    }

    func overrideTwoPerson(door id: String, caller: Peer) async throws -> DoorView {
        callers.append(caller)
        let view = try doorView(id)
        doorReports.append("override")
        return view
    }

    func alarms(caller: Peer) async throws -> AlarmList {
        callers.append(caller)
        return AlarmList(alarms: [AlarmView(id: 1, door: "D01", room: "R101", alarm: "forced-open", raisedAt: Self.start)])
    }

    func acknowledgeAlarm(id: Int, caller: Peer) async throws -> AlarmView {
        callers.append(caller)
        guard id == 1 else { throw GatewayError(.notFound, "no unacknowledged alarm \(id)") }
        return AlarmView(id: 1, door: "D01", room: "R101", alarm: "forced-open", raisedAt: Self.start, acknowledgedAt: Self.start,
                         acknowledgedBy: "uid:\(caller.uid)")
    }

    func releaseDoors(reason: String?, caller: Peer) async throws -> DoorReleaseResult {
        callers.append(caller)
        released = true
        return DoorReleaseResult(released: true, doors: ["D01"], lockedTerminals: views.keys.sorted(), unrecorded: [], reason: reason, at: Self.start)
    }

    func restoreDoors(caller: Peer) async throws -> DoorReleaseResult {
        callers.append(caller)
        released = false
        return DoorReleaseResult(released: false, doors: ["D01"], lockedTerminals: [], unrecorded: [], reason: nil, at: Self.start)
    }

    func occupancy(room id: String, caller: Peer) async throws -> OccupancyView {
        callers.append(caller)
        guard id == "R101" else { throw GatewayError.unknownRoom(id) }
        return OccupancyView(room: id, occupants: [Occupant(operator: Self.sato, enteredAt: Self.start, door: "D01")], asOf: Self.start)
    }

    func emergencyLockAll(reason: String?, caller: Peer) async throws -> EmergencyLockResult {
        callers.append(caller)
        emergencyReasons.append(reason)
        let ended = views.values.filter { $0.state == .unlocked }.count
        for id in views.keys.sorted() { update(.locked(id, reason: .emergency)) }
        cardAt.removeAll()
        let result = EmergencyLockResult(lockedTerminals: views.keys.sorted(), endedSessions: ended, reason: reason, at: Self.start)
        broadcaster.publish(.emergency(result))
        return result
    }

    func events(terminal: String?, caller: Peer) async throws -> AsyncStream<GatewayEvent> {
        callers.append(caller)
        if let terminal { _ = try known(terminal) }
        guard let terminal else { return broadcaster.subscribe() }
        let source = broadcaster.subscribe()
        return AsyncStream { continuation in
            let task = Task {
                for await event in source {
                    switch event {
                    case .terminal(let view) where view.id == terminal: continuation.yield(event)
                    case .emergency: continuation.yield(event)
                    default: continue
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
