import CardGateConfig
import Foundation
import GatewayAPI
import History
import Logging
import Registry
import SmartCard
import Vocabulary

/// Takes what pcscd reports (the reader monitor) and what the watchdog notices, and hands each event to the place it
/// concerns: a terminal, a door or the admin station. Checks each reader against the configuration and the equipment
/// ledger when it appears; refused readers are recorded (once per run) and ignored.
final class ReaderRouter: Sendable {
    let configuration: CardGateConfiguration
    let terminals: [String: TerminalPlace]
    let doors: [String: DoorPlace]
    let admin: AdminStation
    let board: ReaderBoard
    let context: PlaceContext
    private let terminalsByReader: [String: TerminalPlace]
    private let doorsByReader: [String: DoorPlace]

    init(configuration: CardGateConfiguration, terminals: [String: TerminalPlace], doors: [String: DoorPlace], admin: AdminStation,
         board: ReaderBoard, context: PlaceContext) {
        self.configuration = configuration
        self.terminals = terminals
        self.doors = doors
        self.admin = admin
        self.board = board
        self.context = context
        terminalsByReader = Dictionary(uniqueKeysWithValues: terminals.values.map { ($0.reader, $0) })
        var byReader: [String: DoorPlace] = [:]
        for reader in configuration.readers {
            if case .door(let id, _, _) = reader.role, let door = doors[id] { byReader[reader.name] = door }
        }
        doorsByReader = byReader
    }

    /// Hands every event of `monitor` to its place, in order, until the monitor ends.
    func run(_ monitor: ReaderMonitor) async {
        for await event in monitor {
            await handle(event, pcscdConnected: monitor.isConnectedToService)
        }
    }

    /// One event from the reader monitor.
    func handle(_ event: ReaderEvent, pcscdConnected: Bool) async {
        let heard = ContinuousClock.now
        let reader = event.reader
        let role = configuration.role(ofReader: reader)
        await board.setPCSCD(answering: pcscdConnected)
        switch event {
        case .readerAdded:
            if let refusal = await refusal(of: reader, role: role) {
                await board.approve(reader, false)
                await board.set(reader, .refused)
                if await board.firstRefusal(reader) {
                    await context.history.append(NewEvent(
                        kind: .ledgerRefused, result: .denied, place: String(reader.prefix(128)), details: EventDetails(reason: refusal)))
                }
                context.logger.warning("reader refused", metadata: ["reader": "\(reader)", "reason": "\(refusal)"])
            } else {
                await board.approve(reader, true)
                await board.set(reader, .empty)
                terminalsByReader[reader]?.send(.readerReady)
            }
            await publish(reader)

        case .readerRemoved:
            let wasApproved = await board.isApproved(reader)
            await board.approve(reader, false)
            await board.set(reader, nil)
            if wasApproved {
                terminalsByReader[reader]?.send(pcscdConnected ? .readerLost : .pcscServiceLost)
                doorsByReader[reader]?.send(.readerLost)
                if role?.isAdminStation == true { admin.send(.cardRemoved(reader: reader)) }
            }
            context.broadcaster.publish(.reader(ReaderView(name: reader, role: role, state: .unavailable)))

        case .cardInserted:
            guard await board.isApproved(reader) else {
                await context.history.append(NewEvent(
                    kind: .ledgerRefused, result: .denied, place: String(reader.prefix(128)), details: EventDetails(reason: "card-in-unapproved-reader")))
                context.logger.warning("card in a refused reader ignored", metadata: ["reader": "\(reader)"])
                return
            }
            await board.set(reader, .cardPresent)
            await publish(reader)
            present(reader, role: role)

        case .cardRemoved:
            guard await board.isApproved(reader) else { return }
            await board.set(reader, .empty)
            terminalsByReader[reader]?.send(.cardRemoved(reported: heard))
            if role?.isAdminStation == true { admin.send(.cardRemoved(reader: reader)) }
            await publish(reader)
        }
    }

    /// The equipment ledger changed: every reader pcscd reports is checked again. A reader newly approved is used at
    /// once; one no longer approved (retired, under repair) is refused as if it had been unplugged (its terminal
    /// locks), and the refusal is recorded.
    func recheckLedger() async {
        for (reader, state) in await board.seen where state != .unavailable {
            let role = configuration.role(ofReader: reader)
            let wasApproved = await board.isApproved(reader)
            let refusal = await refusal(of: reader, role: role)
            if refusal == nil && !wasApproved {
                await handle(.readerAdded(reader), pcscdConnected: true)
            } else if let refusal, wasApproved {
                terminalsByReader[reader]?.send(.readerLost)
                doorsByReader[reader]?.send(.readerLost)
                await board.approve(reader, false)
                await board.set(reader, .refused)
                await context.history.append(NewEvent(
                    kind: .ledgerRefused, result: .denied, place: String(reader.prefix(128)), details: EventDetails(reason: refusal)))
                await publish(reader)
            }
        }
    }

    /// pcscd stopped answering, or the machine resumed from suspend: every terminal locks, every door gives up what
    /// it was deciding, the admin session ends, and no reader counts as approved until it is listed again.
    func failClosed(_ reason: LockReason) async {
        await board.forgetAll()
        await board.setPCSCD(answering: false)
        for terminal in terminals.values {
            terminal.send(reason == .resumed ? .systemLock(.resumed, nil) : .pcscServiceLost)
        }
        for door in doors.values { door.send(.readerLost) }
        admin.send(.fault)
    }

    /// pcscd answers again (or the machine resumed): every reader it lists is checked again as if it had just
    /// appeared, and a card already in a reader is checked as if it had just been inserted.
    func relist(_ statuses: [ReaderStatus]) async {
        for status in statuses {
            await handle(.readerAdded(status.name), pcscdConnected: true)
            if status.cardPresent { await handle(.cardInserted(reader: status.name, atr: status.atr), pcscdConnected: true) }
        }
    }

    private func present(_ reader: String, role: ReaderRole?) {
        if let terminal = terminalsByReader[reader] {
            terminal.send(.cardInserted)
        } else if let door = doorsByReader[reader] {
            door.send(.cardPresented(reader: reader))
        } else if role?.isAdminStation == true {
            admin.send(.cardInserted(reader: reader))
        }
    }

    /// Why `reader` may not be used, or nil: it must be configured and approved in the ledger (and for a terminal,
    /// the terminal too); a ledger that cannot be read refuses it.
    private func refusal(of reader: String, role: ReaderRole?) async -> String? {
        guard let role else { return "reader-not-configured" }
        let registry = context.registry
        return await context.registryThreads.run { () -> String? in
            func approved(_ kind: EquipmentKind, _ id: String) -> Bool {
                (try? registry.ledger.approved(kind, id: id)) != nil
            }
            guard approved(.reader, reader) else { return "reader-not-in-ledger" }
            if case .terminal(let terminal) = role, !approved(.terminal, terminal) { return "terminal-not-in-ledger" }
            return nil
        }
    }

    private func publish(_ reader: String) async {
        let state = await board.state(of: reader)
        context.broadcaster.publish(.reader(ReaderView(name: reader, role: configuration.role(ofReader: reader), state: state)))
    }
}
