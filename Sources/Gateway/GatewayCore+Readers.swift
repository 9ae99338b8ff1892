import AccessPolicy
import Foundation
import GatewayAPI
import History
import Registry
import SmartCard

extension GatewayCore {
    /// On ``queue``: one event from the reader monitor.
    func handleReaderEvent(_ event: ReaderEvent) {
        let reader = event.reader
        let role = configuration.role(ofReader: reader)
        if case .admin? = role { return }  // the PIN administrator's station belongs to the CLI
        switch event {
        case .readerAdded:
            // Only equipment both configured and approved in the ledger is used (for a terminal, its reader and itself).
            var refusal: String? = role == nil ? "reader-not-configured" : isApprovedInLedger(reader) ? nil : "reader-not-in-ledger"
            if refusal == nil, let terminal = terminalByReader[reader], !isApprovedInLedger(terminal, kind: .terminal) {
                refusal = "terminal-not-in-ledger"
            }
            if let reason = refusal {
                approvedReaders.remove(reader)
                seenReaders[reader] = .refused
                append(NewEvent(kind: .ledgerRefused, result: .denied, place: String(reader.prefix(128)), details: EventDetails(reason: reason)))
                logger.warning("reader refused", metadata: ["reader": "\(reader)", "reason": "\(reason)"])
            } else {
                approvedReaders.insert(reader)
                seenReaders[reader] = .empty
                if let terminal = terminalByReader[reader] { feedTerminal(terminal, .readerReady) }
            }
            broadcaster.publish(.reader(readerStatus(reader)))

        case .readerRemoved:
            readerGeneration[reader, default: 0] += 1
            let wasApproved = approvedReaders.remove(reader) != nil
            seenReaders[reader] = nil
            if wasApproved {
                let pcscdLost = !(monitor?.isConnectedToService ?? false)
                if let terminal = terminalByReader[reader] { feedTerminal(terminal, pcscdLost ? .pcscServiceLost : .readerLost) }
                if let door = doorByReader[reader] { feedDoor(door, .readerLost) }
            }
            broadcaster.publish(.reader(GatewayAPI.ReaderStatus(name: reader, role: apiRole(reader), state: .unavailable)))

        case .cardInserted:
            readerGeneration[reader, default: 0] += 1
            guard approvedReaders.contains(reader) else {
                append(NewEvent(kind: .ledgerRefused, result: .denied, place: String(reader.prefix(128)), details: EventDetails(reason: "card-in-unapproved-reader")))
                logger.warning("card in a refused reader ignored", metadata: ["reader": "\(reader)"])
                return
            }
            seenReaders[reader] = .cardPresent
            broadcaster.publish(.reader(readerStatus(reader)))
            checkCard(in: reader, generation: readerGeneration[reader, default: 0])

        case .cardRemoved:
            readerGeneration[reader, default: 0] += 1
            guard approvedReaders.contains(reader) else { return }
            seenReaders[reader] = .empty
            if let terminal = terminalByReader[reader] { feedTerminal(terminal, .cardRemoved(reader: reader)) }
            broadcaster.publish(.reader(readerStatus(reader)))
        }
    }

    /// Whether the ledger lists `id` as in service (a reader by its PC/SC name, a terminal by its id); a ledger that
    /// cannot be read refuses it.
    func isApprovedInLedger(_ id: String, kind: EquipmentKind = .reader) -> Bool {
        do {
            return try registry.ledger.approved(kind, id: id) != nil
        } catch {
            logger.error("equipment ledger cannot be read; equipment refused", metadata: ["id": "\(id)", "error": "\(error)"])
            return false
        }
    }

    /// Reads and checks the card in `reader` on a thread of its own (never queued behind PIN hashes, and a mute card
    /// holds up only its own reader), then feeds the result to its terminal or door.
    func checkCard(in reader: String, generation: UInt64) {
        let room = doorByReader[reader].flatMap { doors[$0]?.machine.configuration.roomID }
        let registry = registry
        let zone = configuration.timeZone
        Thread.detachNewThread {
            let check = CardCheck.run(reader: reader, room: room, registry: registry, timeZone: zone, now: Date())
            self.queue.async {
                guard self.readerGeneration[reader, default: 0] == generation else { return }  // the card left meanwhile
                if let problem = check.problem {
                    self.logger.info("card check stopped", metadata: ["reader": "\(reader)", "problem": "\(problem)"])
                }
                if let terminal = self.terminalByReader[reader] {
                    self.terminals[terminal]?.operatorName = check.operatorName
                    let effects = self.terminals[terminal]?.machine.handle(.cardInserted(reader: reader, cardGUID: check.guid), at: Date()) ?? []
                    self.runTerminalEffects(terminal, effects, check: check)
                } else if let door = self.doorByReader[reader] {
                    self.doors[door]?.operatorName = check.operatorName
                    let effects = self.doors[door]?.machine.handle(.cardPresented(reader: reader, cardGUID: check.guid), at: Date(), occupancy: self.occupancy) ?? []
                    self.runDoorEffects(door, effects, check: check)
                }
            }
        }
    }

    func apiRole(_ reader: String) -> GatewayAPI.ReaderRole? {
        switch configuration.role(ofReader: reader) {
        case .admin: return .admin
        case .terminal(let id): return .terminal(id)
        case .door(let id, let room, let direction): return .door(id, room: room, direction: direction == .entry ? .in : .out)
        case nil: return nil
        }
    }

    func readerStatus(_ reader: String) -> GatewayAPI.ReaderStatus {
        GatewayAPI.ReaderStatus(name: reader, role: apiRole(reader), state: seenReaders[reader] ?? .unavailable)
    }
}
