import AccessPolicy
import CardGateConfig
import Foundation
import GatewayAPI
import History
import Registry
import Vocabulary

extension GatewayCore {
    /// Version, pcscd and history health, and the readers and terminals the caller may see.
    public func status(caller: Peer) async throws -> GatewayStatus {
        guard access.mayConnect(caller) else { throw access.refuse(caller, "read the status", place: nil) }
        let configuration = context.configuration
        let supervisor = access.isSupervisor(caller)
        var views: [TerminalView] = []
        for id in terminals.keys.sorted() where access.maySee(terminal: id, caller) {
            if let view = try? await terminals[id]?.ask({ .view($0) }) { views.append(view) }
        }
        let seen = await board.seen
        let configured = configuration.readers.filter { !$0.role.isAdminStation }.map(\.name)
        let readers = Set(seen.keys).union(configured).sorted().compactMap { name -> ReaderView? in
            let role = configuration.role(ofReader: name)
            let visible: Bool
            switch role {
            case .terminal(let id)?: visible = access.maySee(terminal: id, caller)
            case .door(let id, _, _)?: visible = access.maySee(door: id, caller)
            case .admin?, .adminSubject?, nil: visible = supervisor
            }
            return visible ? ReaderView(name: name, role: role, state: seen[name] ?? .unavailable) : nil
        }
        return GatewayStatus(
            version: version, startedAt: startedAt, pcscdRunning: await board.pcscdAnswering, historyOK: await context.history.healthy,
            readers: readers, terminals: views)
    }

    /// One terminal's state (its clients and the supervisors).
    public func terminal(id: String, caller: Peer) async throws -> TerminalView {
        let place = try terminal(id)
        try access.requireTerminal(id, caller, "see terminal \(id)", supervisorsToo: true)
        return try await place.ask { .view($0) }
    }

    /// Checks the PIN of the card waiting at the terminal (its clients only).
    public func submitTerminalPIN(terminal id: String, pin: PIN, caller: Peer) async throws -> TerminalView {
        let place = try terminal(id)
        try access.requireTerminal(id, caller, "enter a PIN at terminal \(id)")
        return try await place.ask { .submitPIN(pin, $0) }
    }

    /// Records an operation under the terminal's open session (its clients only).
    public func recordOperation(terminal id: String, action: String, target: String, caller: Peer) async throws -> OperationReceipt {
        let place = try terminal(id)
        try access.requireTerminal(id, caller, "record operations at terminal \(id)")
        return try await place.ask { .operation(action: action, target: target, $0) }
    }

    /// Locks the terminal now (its clients and the supervisors).
    public func lockTerminal(id: String, caller: Peer) async throws -> TerminalView {
        let place = try terminal(id)
        try access.requireTerminal(id, caller, "lock terminal \(id)", supervisorsToo: true)
        return try await place.ask { .manualLock($0) }
    }

    /// Checks the PIN of the card waiting at the door (its clients only).
    public func submitDoorPIN(door id: String, pin: PIN, caller: Peer) async throws -> DoorOpening {
        guard let place = doors[id] else { throw GatewayError.unknownDoor(id) }
        try access.requireDoor(id, caller, "enter a PIN at door \(id)")
        return try await withCheckedThrowingContinuation { place.send(.submitPIN(pin, $0)) }
    }

    /// Who is in the room now (clients of its doors and the supervisors).
    public func occupancy(room id: String, caller: Peer) async throws -> OccupancyView {
        let configured = doors.values.contains { $0.configuration.roomID == id }
        if !configured {
            let registry = context.registry
            let exists = await context.registryThreads.run { (try? registry.rooms.show(id)) != nil }
            guard exists else { throw GatewayError.unknownRoom(id) }
        }
        guard access.maySee(room: id, caller) else { throw access.refuse(caller, "see who is in room \(id)", place: id) }
        let snapshot = await book.snapshot()
        let occupants = snapshot.occupants(of: id)
        let visitors = snapshot.visitors(in: id)
        let registry = context.registry
        let people = Set(occupants.map(\.operatorID) + visitors.map(\.escortID))
        let names = await context.registryThreads.run { () -> [String: String] in
            var names: [String: String] = [:]
            for person in people { names[person] = (try? registry.operators.show(person))?.name }
            return names
        }
        func summary(_ id: String) -> OperatorSummary { OperatorSummary(id: id, name: names[id] ?? id) }
        return OccupancyView(
            room: id,
            occupants: occupants.map { Occupant(operator: summary($0.operatorID), enteredAt: $0.enteredAt, door: $0.doorID) },
            visitors: visitors.map {
                RoomVisitor(name: $0.visitor.name, organisation: $0.visitor.organisation, escort: summary($0.escortID), enteredAt: $0.enteredAt)
            },
            asOf: Date())
    }

    /// Clause 30: records the emergency, then locks every terminal and ends every session (supervisors only; the
    /// locks run even if the record fails).
    public func emergencyLockAll(reason: String?, caller: Peer) async throws -> EmergencyLockResult {
        try access.requireSupervisor(caller, "lock every terminal")
        let now = Date()
        await context.history.append(NewEvent(kind: .adminEmergency, result: .success,
                                              details: EventDetails(reason: reason ?? "emergency", record: "uid:\(caller.uid)")))
        let ended = await withTaskGroup(of: Bool.self) { group in
            for terminal in terminals.values {
                group.addTask { (try? await terminal.ask { .emergency($0) }) ?? false }
            }
            var count = 0
            for await hadSession in group where hadSession { count += 1 }
            return count
        }
        let result = EmergencyLockResult(lockedTerminals: terminals.keys.sorted(), endedSessions: ended, reason: reason, at: now)
        context.broadcaster.publish(.emergency(result))
        return result
    }

    /// The changes `caller` may see (one terminal's when `terminal` is given), at most the configured number of
    /// streams per caller.
    public func events(terminal id: String?, caller: Peer) async throws -> AsyncStream<GatewayEvent> {
        if let id {
            _ = try terminal(id)
            try access.requireTerminal(id, caller, "follow terminal \(id)", supervisorsToo: true)
        } else if !access.mayConnect(caller) {
            throw access.refuse(caller, "follow the events", place: nil)
        }
        let limit = context.configuration.api.limits.maximumEventStreamsPerClient
        guard streams.acquire(caller.uid, limit: limit) else {
            throw GatewayError(.tooManyStreams, "this client has \(limit) event streams open already; close one first")
        }
        let source = context.broadcaster.subscribe()
        let (filtered, continuation) = AsyncStream<GatewayEvent>.makeStream(bufferingPolicy: .bufferingNewest(64))
        let (access, configuration, streams) = (self.access, context.configuration, self.streams)
        let forwarder = Task {
            for await event in source where Self.visible(event, to: caller, terminal: id, access: access, configuration: configuration) {
                continuation.yield(event)
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in
            forwarder.cancel()
            streams.release(caller.uid)
        }
        return filtered
    }

    /// Whether `caller` may see `event` (of terminal `id` only, when given).
    static func visible(_ event: GatewayEvent, to caller: Peer, terminal id: String?, access: AccessGuard,
                        configuration: CardGateConfiguration) -> Bool {
        switch event {
        case .terminal(let view):
            return (id == nil || view.id == id) && access.maySee(terminal: view.id, caller)
        case .emergency:
            return true
        case .reader(let reader):
            guard id == nil else { return false }
            switch reader.role {
            case .terminal(let terminal)?: return access.maySee(terminal: terminal, caller)
            case .door(let door, _, _)?: return access.maySee(door: door, caller)
            case .admin?, .adminSubject?, nil: return access.isSupervisor(caller)
            }
        case .door(let notice):
            return id == nil && access.maySee(door: notice.door, caller)
        }
    }

    private func terminal(_ id: String) throws(GatewayError) -> TerminalPlace {
        guard let place = terminals[id] else { throw GatewayError.unknownTerminal(id) }
        return place
    }
}
