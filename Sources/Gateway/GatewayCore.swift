import AccessPolicy
import CardGateConfig
import Foundation
import GatewayAPI
import History
import Logging
import Registry
import ServiceLifecycle
import SmartCard

/// The gateway daemon's core: readers → card checks → the terminal and door state machines → history and
/// commands. It is the ``GatewayService`` the local API calls, and a swift-service-lifecycle `Service` whose
/// `run()` watches the readers until graceful shutdown, then locks every terminal and records `system.stop`.
///
/// Concurrency: every piece of mutable state is touched only on ``queue``, a serial dispatch queue with a thread of
/// its own (never the cooperative pool), so inputs reach each state machine one at a time and the effects of one
/// input are carried out, history first, before the next input is looked at. Each card read (PC/SC) runs on a thread
/// of its own, PIN hashes (scrypt) on ``hashQueue``, and both come back to ``queue`` as inputs; a result that belongs to a card that has
/// since left its reader is recognised by the reader's generation counter and dropped.
public final class GatewayCore: Service, GatewayService, @unchecked Sendable {
    // @unchecked Sendable: all `var` state below is confined to `queue` (see the type's documentation); the `let`s
    // are Sendable or thread-safe (HistoryStore, Registry, EventBroadcaster, Logger).

    let configuration: CardGateConfiguration
    let history: HistoryStore
    let registry: Registry
    let logger: Logger
    let version: String
    let startedAt = Date()
    let broadcaster = EventBroadcaster()
    let commands: CommandRunner
    /// The serial queue that owns the state.
    let queue = DispatchQueue(label: "cardgate.gateway", qos: .userInteractive)
    /// Blocking registry reads for the API.
    let workQueue = DispatchQueue(label: "cardgate.gateway.work", qos: .userInitiated, attributes: .concurrent)
    /// PIN hashes (scrypt, CPU-bound): at most one fewer than the processors at a time, so that a card check or a
    /// lock never waits behind a burst of PIN entries (see Benchmarks/README.md).
    let hashQueue: OperationQueue = {
        let queue = OperationQueue()
        queue.name = "cardgate.gateway.pin-hash"
        queue.maxConcurrentOperationCount = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
        return queue
    }()

    var terminals: [String: TerminalSlot] = [:]
    var terminalByReader: [String: String] = [:]
    var doors: [String: DoorSlot] = [:]
    var doorByReader: [String: String] = [:]
    /// Readers pcscd reports, with their state for the status.
    var seenReaders: [String: GatewayAPI.ReaderState] = [:]
    /// Readers that are configured and approved in the ledger (checked when they appear).
    var approvedReaders: Set<String> = []
    /// Bumped on every card insertion or removal in a reader: late card checks for an older one are dropped.
    var readerGeneration: [String: UInt64] = [:]
    var occupancy = AccessPolicy.RoomOccupancy()
    var historyOK = true
    var monitor: ReaderMonitor?
    var checkpointTimer: (any DispatchSourceTimer)?
    /// When the reader event being handled came out of the monitor (for the latency in the log lines).
    var readerEventReceivedAt: DispatchTime?

    /// One terminal: its state machine, its idle/maximum-session timer and what the API shows.
    struct TerminalSlot {
        var machine: TerminalStateMachine
        var timer: DispatchWorkItem?
        var lockReason: GatewayAPI.LockReason?
        var operatorName: String?
        var reader: String
    }

    /// One door: its state machine and its PIN-timeout timer.
    struct DoorSlot {
        var machine: DoorStateMachine
        var timer: DispatchWorkItem?
        var operatorName: String?
    }

    /// Creates the core for an opened history and registry. Nothing runs until ``start()``.
    public init(configuration: CardGateConfiguration, history: HistoryStore, registry: Registry, version: String, logger: Logger) {
        self.configuration = configuration
        self.history = history
        self.registry = registry
        self.version = version
        self.logger = logger
        self.commands = CommandRunner(logger: logger)
        for (id, reader) in configuration.terminals {
            terminals[id] = TerminalSlot(
                machine: TerminalStateMachine(terminalID: id, reader: reader, policy: configuration.terminalPolicy),
                lockReason: nil, reader: reader)
            terminalByReader[reader] = id
        }
        for door in configuration.doors {
            // A room's own flags in the registry (`cardgate room add --requires-pin --anti-passback`) add to the
            // configuration's card-and-pin-rooms and anti-passback-rooms; read once, at start.
            var doorConfiguration = door.configuration
            if let room = try? registry.rooms.show(doorConfiguration.roomID) {
                doorConfiguration.roomRequiresPIN = doorConfiguration.roomRequiresPIN || room.requiresPIN
                let bothSides = door.entryReader != nil && door.exitReader != nil
                doorConfiguration.antiPassback = doorConfiguration.antiPassback || (room.antiPassback && bothSides)
            }
            doors[door.configuration.doorID] = DoorSlot(
                machine: DoorStateMachine(configuration: doorConfiguration, entryReader: door.entryReader, exitReader: door.exitReader))
            if let reader = door.entryReader { doorByReader[reader] = door.configuration.doorID }
            if let reader = door.exitReader { doorByReader[reader] = door.configuration.doorID }
        }
    }

    // MARK: - Life cycle

    /// Rebuilds the occupancy from the history, locks every terminal (lock command), starts the history checkpoint
    /// timer and the reader monitor. Throws when the history cannot be read or written. Runs on ``queue``.
    public func start() async throws {
        let rooms = Dictionary(configuration.doors.map { ($0.configuration.doorID, $0.configuration.roomID) }, uniquingKeysWith: { a, _ in a })
        try await onQueue {
            let past = try HistoryRecords.doorEvents(self.history, rooms: rooms)
            self.occupancy = AccessPolicy.RoomOccupancy(replaying: past)
            for id in self.terminals.keys.sorted() {
                guard let slot = self.terminals[id] else { continue }
                // Fail closed from the first moment: whatever the screen was, it is locked now.
                self.append(NewEvent(kind: .terminalLocked, result: .success, place: id, details: EventDetails(reason: "start")))
                self.commands.start(self.lockArgv(id, reader: slot.reader), what: "lock \(id)")
            }
            self.startCheckpointTimer()
            if !self.historyOK { throw GatewayStartError(.historyUnavailable, "the history cannot be written at start") }
        }
        let monitor = ReaderMonitor()
        try await onQueue { self.monitor = monitor }
        // Draining the stream only awaits; each event is handed to the queue, in order.
        Task.detached { [self] in
            for await event in monitor {
                let received = DispatchTime.now()
                queue.async {
                    self.readerEventReceivedAt = received
                    self.handleReaderEvent(event)
                    self.readerEventReceivedAt = nil
                }
            }
        }
        logger.notice("gateway started", metadata: ["terminals": "\(terminals.count)", "doors": "\(doors.count)"])
    }

    /// Waits for graceful shutdown, then locks every terminal, records `system.stop` and returns.
    public func run() async throws {
        try? await gracefulShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.shutDown()
                continuation.resume()
            }
        }
    }

    /// On ``queue``: locks all, records `system.stop`, signs a last checkpoint.
    func shutDown() {
        checkpointTimer?.cancel()
        for id in terminals.keys.sorted() {
            guard var slot = terminals[id] else { continue }
            slot.timer?.cancel()
            if let session = slot.machine.state.session {
                _ = append(NewEvent(
                    kind: .sessionLocked, result: .success, actor: session.operatorID, card: session.card.cardGUID, place: id,
                    details: EventDetails(reason: "shutdown", session: HistoryRecords.sessionID(terminal: id, number: session.number))))
            }
            _ = commands.run(lockArgv(id, reader: slot.reader), what: "lock \(id)")
            slot.machine = TerminalStateMachine(terminalID: id, reader: slot.reader, policy: configuration.terminalPolicy)
            slot.lockReason = .shutdown
            terminals[id] = slot
            broadcaster.publish(.terminal(view(id)))
        }
        _ = append(NewEvent(kind: .systemStop, result: .success, details: EventDetails(program: "cardgate \(version)")))
        _ = try? history.checkpoint()
        broadcaster.finishAll()
        monitor?.stop()  // at most about 2 s if pcscd does not answer; nothing else is waiting any more
        monitor = nil
        logger.notice("gateway stopped; every terminal locked")
    }

    func startCheckpointTimer() {
        let seconds = max(1, Int(configuration.history.checkpointEvery.components.seconds))
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .seconds(seconds), repeating: .seconds(seconds), leeway: .seconds(1))
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            do { _ = try self.history.checkpoint() } catch { self.logger.error("history checkpoint failed", metadata: ["error": "\(error)"]) }
        }
        timer.resume()
        checkpointTimer = timer
    }

    // MARK: - History and commands (on `queue`)

    /// Appends one event; false (and `historyOK` false) when it could not be written.
    @discardableResult
    func append(_ event: NewEvent) -> Bool {
        do {
            try history.append(event)
            if !historyOK { logger.notice("history writable again") }
            historyOK = true
            return true
        } catch {
            historyOK = false
            logger.critical("history append failed; the act it records is refused", metadata: ["kind": "\(event.kind.rawValue)", "error": "\(error)"])
            return false
        }
    }

    func lockArgv(_ terminal: String, reader: String) -> [String] {
        configuration.commands.lock.render([.terminal: terminal, .reader: reader])
    }
}

/// Why `cardgate serve` could not start.
public struct GatewayStartError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// The history cannot be written.
        case historyUnavailable = "history-unavailable"
        /// The program is not the approved one and the configuration says refuse.
        case programNotApproved = "program-not-approved"
        /// A secret or database could not be opened.
        case setup
    }

    /// The code.
    public let code: Code
    /// A message a person can act on.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
