import AccessPolicy
import Credentials
import Foundation
import GatewayAPI
import History
import Registry

extension GatewayCore {
    /// Runs `body` on ``queue`` and returns its result to the caller without blocking the cooperative pool.
    func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs blocking `body` (scrypt, SQLite) on ``workQueue``.
    func onWorkQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            workQueue.async { continuation.resume(returning: body()) }
        }
    }

    /// Runs CPU-bound `body` (scrypt) on ``hashQueue``.
    func onHashQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            hashQueue.addOperation { continuation.resume(returning: body()) }
        }
    }

    /// Checks a PIN with the registry (persisted failure counter) as the policy's result.
    func checkPIN(card guid: String, digits: String) async -> PINResult {
        let registry = registry
        let logger = logger
        return await onHashQueue {
            do {
                let cardGUID = try CardGUID(guid)
                switch try registry.pins.verify(card: cardGUID, pin: Credentials.PIN(digits)) {
                case .accepted: return .good
                case .rejected(let remaining): return remaining > 0 ? .wrong(attemptsLeft: remaining) : .blocked
                case .blocked: return .blocked
                }
            } catch {
                logger.warning("PIN check refused by the registry", metadata: ["error": "\(error)"])
                return .blocked
            }
        }
    }

    /// Version, readers (approved and refused) with their states, terminals, pcscd and history health.
    public func status() async throws -> GatewayStatus {
        try await onQueue {
            let readers = Set(self.seenReaders.keys).union(self.configuration.readers.filter {
                if case .admin = $0.role { return false } else { return true }
            }.map(\.name))
            return GatewayStatus(
                version: self.version, startedAt: self.startedAt, pcscdRunning: self.monitor?.isConnectedToService ?? false,
                historyOK: self.historyOK, readers: readers.sorted().map { self.readerStatus($0) },
                terminals: self.terminals.keys.sorted().map { self.view($0) })
        }
    }

    /// One terminal's state; ``GatewayError/Code/unknownTerminal`` for an id not configured.
    public func terminal(id: String) async throws -> TerminalView {
        try await onQueue {
            guard self.terminals[id] != nil else { throw GatewayError.unknownTerminal(id) }
            return self.view(id)
        }
    }

    /// Checks the PIN of the card waiting at the terminal (scrypt off the queue) and feeds the result to its state
    /// machine; answers the unlocked view, or wrong-PIN with the attempts left, card-blocked, history-unavailable.
    public func submitTerminalPIN(terminal id: String, pin: GatewayAPI.PIN) async throws -> TerminalView {
        let wait: PINWait = try await onQueue {
            guard let slot = self.terminals[id] else { throw GatewayError.unknownTerminal(id) }
            guard let wait = slot.machine.state.pinWait, wait.card.cardGUID != nil else {
                throw GatewayError(.notAwaitingPIN, "no card waits for a PIN at terminal \(id); insert an operator card first")
            }
            return wait
        }
        let result = await checkPIN(card: wait.card.cardGUID ?? "", digits: pin.digits)
        return try await onQueue {
            let outcome = self.feedTerminal(id, .pinResult(wait.card.id, result))
            if outcome.historyFailed {
                throw GatewayError.historyUnavailable("the sign-in could not be recorded")
            }
            switch result {
            case .good:
                let view = self.view(id)
                guard view.state == .unlocked else {
                    if outcome.unlockCommandFailed { throw GatewayError(.internal, "the unlock command of terminal \(id) failed; the terminal stays locked") }
                    throw GatewayError(.notAwaitingPIN, "the card left terminal \(id) before the PIN was checked")
                }
                return view
            case .wrong(let left):
                throw GatewayError(.wrongPIN, "wrong PIN; \(left) attempt(s) left before the card is blocked", attemptsLeft: left)
            case .blocked:
                throw GatewayError(.cardBlocked, "the card is blocked after too many wrong PINs; see the PIN administrator")
            }
        }
    }

    /// Records an operation under the terminal's open session (its operator, never the request's) before
    /// answering, and counts it as activity; ``GatewayError/Code/terminalLocked`` unless unlocked.
    public func recordOperation(terminal id: String, action: String, target: String) async throws -> OperationReceipt {
        try await onQueue {
            guard let slot = self.terminals[id] else { throw GatewayError.unknownTerminal(id) }
            let now = Date()
            // Deadlines first: a request after the idle timeout finds the terminal locked.
            self.feedTerminal(id, .tick, at: now)
            guard let session = self.terminals[id]?.machine.state.session else { throw GatewayError.terminalLocked(id) }
            let event = NewEvent(
                kind: .operation, result: .success, actor: session.operatorID, card: session.card.cardGUID, place: id,
                details: EventDetails(operation: action, record: target, session: HistoryRecords.sessionID(terminal: id, number: session.number)))
            let receipt: AppendReceipt
            do {
                receipt = try self.history.append(event)
                self.historyOK = true
            } catch {
                self.historyOK = false
                throw GatewayError.historyUnavailable("the operation could not be recorded")
            }
            self.feedTerminal(id, .activity, at: now)
            return OperationReceipt(
                terminal: id, operator: OperatorSummary(id: session.operatorID, name: slot.operatorName ?? session.operatorID),
                action: action, target: target, recordedAt: now, historySequence: receipt.sequence,
                idleLockAt: now.addingTimeInterval(self.seconds(slot.machine.policy.idleTimeout)))
        }
    }

    /// Locks the terminal now (lock command, session ended and recorded); the PIN is asked again while the card stays.
    public func lockTerminal(id: String) async throws -> TerminalView {
        try await onQueue {
            guard self.terminals[id] != nil else { throw GatewayError.unknownTerminal(id) }
            self.feedTerminal(id, .manualLock)
            return self.view(id)
        }
    }

    /// Checks the PIN of the card waiting at the door and, when the policy then opens it, records the entry and
    /// runs the door command.
    public func submitDoorPIN(door id: String, pin: GatewayAPI.PIN) async throws -> GatewayAPI.DoorDecision {
        let pending: DoorPresentation = try await onQueue {
            guard let slot = self.doors[id] else { throw GatewayError.unknownDoor(id) }
            guard let pending = slot.machine.pendingPIN, pending.presentation.card.cardGUID != nil else {
                throw GatewayError(.notAwaitingPIN, "no card waits for a PIN at door \(id), or its 30 seconds ran out; present the card again")
            }
            return pending.presentation
        }
        let result = await checkPIN(card: pending.card.cardGUID ?? "", digits: pin.digits)
        return try await onQueue {
            let outcome = self.feedDoor(id, .pinResult(pending.card.id, result))
            if outcome.historyFailed { throw GatewayError.historyUnavailable("the door decision could not be recorded") }
            guard let configuration = self.doors[id]?.machine.configuration else { throw GatewayError.unknownDoor(id) }
            if let opened = outcome.opened, let operatorID = opened.operatorID {
                return GatewayAPI.DoorDecision(
                    door: id, room: configuration.roomID, direction: opened.direction == .entry ? .in : .out,
                    operator: OperatorSummary(id: operatorID, name: self.doors[id]?.operatorName ?? operatorID),
                    openSeconds: Int(configuration.openDuration.components.seconds), decidedAt: opened.at)
            }
            switch (result, outcome.refusal) {
            case (.wrong(let left), _):
                throw GatewayError(.wrongPIN, "wrong PIN; the door stays shut; \(left) attempt(s) left before the card is blocked", attemptsLeft: left)
            case (.blocked, _), (_, .pinBlocked?):
                throw GatewayError(.cardBlocked, "the card is blocked after too many wrong PINs; see the PIN administrator")
            case (_, let refusal?):
                throw GatewayError(.accessRefused, "door \(id) stays shut: \(refusal.rawValue)")
            default:
                throw GatewayError(.notAwaitingPIN, "the PIN came too late or for another card; present the card again")
            }
        }
    }

    /// Who is in the room now, from the recorded entries and exits.
    public func occupancy(room id: String) async throws -> GatewayAPI.RoomOccupancy {
        let known = try await onQueue { self.doors.values.contains { $0.machine.configuration.roomID == id } }
        if !known {
            let registry = registry
            let exists = await onWorkQueue { (try? registry.rooms.show(id)) != nil }
            guard exists else { throw GatewayError.unknownRoom(id) }
        }
        let registry = registry
        let occupants = try await onQueue { self.occupancy.occupants(of: id) }
        let names = await onWorkQueue { () -> [String: String] in
            var names: [String: String] = [:]
            for occupant in occupants { names[occupant.operatorID] = (try? registry.operators.show(occupant.operatorID))?.name }
            return names
        }
        return GatewayAPI.RoomOccupancy(
            room: id,
            occupants: occupants.map {
                Occupant(operator: OperatorSummary(id: $0.operatorID, name: names[$0.operatorID] ?? $0.operatorID), enteredAt: $0.enteredAt, door: $0.doorID)
            },
            asOf: Date())
    }

    /// Clause 30: records the emergency, then locks every terminal and ends every session (locks run even if a
    /// record fails).
    public func emergencyLockAll(reason: String?) async throws -> EmergencyLockResult {
        try await onQueue {
            let now = Date()
            // Recorded first; the locks run even if the record fails (fail closed).
            let cleaned = (reason ?? "").unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }
            let code = cleaned.isEmpty ? "emergency" : String(String.UnicodeScalarView(cleaned.prefix(64)))
            self.append(NewEvent(kind: .adminEmergency, result: .success, details: EventDetails(reason: code)))
            var ended = 0
            let ids = self.terminals.keys.sorted()
            for id in ids {
                if self.terminals[id]?.machine.state.session != nil { ended += 1 }
                self.feedTerminal(id, .emergencyLock, at: now)
            }
            let result = EmergencyLockResult(lockedTerminals: ids, endedSessions: ended, reason: reason, at: now)
            self.broadcaster.publish(.emergency(result))
            return result
        }
    }

    /// A new subscription to the state changes (terminal, reader, door, emergency).
    public func events() async -> AsyncStream<GatewayEvent> {
        broadcaster.subscribe()
    }
}
