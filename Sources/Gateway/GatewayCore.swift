import AccessPolicy
import CardGateConfig
import Foundation
import GatewayAPI
import History
import Logging
import Registry
import ServiceLifecycle
import SmartCard
import Synchronization
import Vocabulary

/// The gateway daemon's core: readers → card checks → the terminal and door state machines → history and commands.
/// It is the ``GatewayService`` the local API calls and the ``AdminService`` of the administration socket, and a
/// swift-service-lifecycle `Service` whose `run()` locks every terminal, watches the readers and pcscd until graceful
/// shutdown, then locks every terminal again and records `system.stop`.
///
/// Every terminal and every door is its own unit of state (``TerminalPlace``, ``DoorPlace``): a card check, a PIN
/// hash or a command at one never delays a decision or a lock at another. The history append is the only shared
/// step. Who may do what on the API is decided by ``AccessGuard`` from the caller the kernel identified.
public final class GatewayCore: Service, GatewayService, Sendable {
    let context: PlaceContext
    let terminals: [String: TerminalPlace]
    let doors: [String: DoorPlace]
    let book: RoomBook
    let alarmBoard: AlarmBoard
    let board: ReaderBoard
    let router: ReaderRouter
    let watchdog: PCSCWatchdog
    let access: AccessGuard
    let station: AdminStation
    let streams = StreamCounter()
    let version: String
    let startedAt = Date()

    /// Creates the core for an opened history and registry. Nothing runs until ``run()``. Throws when a client
    /// list names a user or group that does not exist.
    public init(configuration: CardGateConfiguration, history: HistoryStore, registry: Registry, version: String, logger: Logger)
        throws(GatewayStartError)
    {
        let writer: HistoryWriter
        do { writer = try HistoryWriter(store: history, spacing: configuration.history.checkpointSpacing, logger: logger) } catch {
            throw GatewayStartError(.historyUnavailable, error.description)
        }
        let watch = WatchList()
        context = PlaceContext(configuration: configuration, history: writer, registry: registry, broadcaster: EventBroadcaster(),
                               logger: logger, watch: watch)
        self.version = version
        access = try AccessGuard(configuration: configuration, recorder: RefusalRecorder(history: writer))
        var terminals: [String: TerminalPlace] = [:]
        for (id, reader) in configuration.terminals {
            terminals[id] = TerminalPlace(id: id, reader: reader, context: context)
        }
        book = RoomBook(replaying: [])
        alarmBoard = AlarmBoard()
        var doors: [String: DoorPlace] = [:]
        for door in configuration.doors {
            // A room's own flags in the registry (`cardgate room add|set --requires-pin --anti-passback --two-person
            // --occupancy-limit`) add to the configuration's; read at start and after every change of the room.
            let room = try? registry.rooms.show(door.configuration.roomID)
            doors[door.configuration.doorID] = DoorPlace(
                configuration: door.configuration, room: room.map(Self.roomRules), entryReader: door.entryReader,
                exitReader: door.exitReader, context: context, book: book, alarms: alarmBoard)
        }
        self.terminals = terminals
        self.doors = doors
        board = ReaderBoard()
        let routerBox = RouterBox()
        let doorList = doors
        station = AdminStation(
            context: context, ledgerChanged: { await routerBox.router?.recheckLedger() },
            roomChanged: { [context] room in await Self.reloadRules(of: room, doors: doorList, context: context) },
            announceVisitor: { door, visitor in
                guard let place = doorList[door] else { throw GatewayError.unknownDoor(door) }
                _ = try await place.ask { .report(.visitorAnnounced(visitor), $0) }
            })
        router = ReaderRouter(configuration: configuration, terminals: terminals, doors: doors, admin: station, board: board, context: context)
        routerBox.set(router)
        watchdog = PCSCWatchdog(timeout: configuration.pcscd.watchdog, watch: watch, logger: logger)
    }

    /// The registry's rules of a room, as a door takes them.
    static func roomRules(_ room: Room) -> DoorPlace.RoomRules {
        DoorPlace.RoomRules(
            requiresPIN: room.requiresPIN, antiPassback: room.antiPassback, twoPerson: room.twoPerson, occupancyLimit: room.occupancyLimit)
    }

    /// Gives the doors of `room` its rules from the registry again.
    static func reloadRules(of room: String, doors: [String: DoorPlace], context: PlaceContext) async {
        let registry = context.registry
        guard let found = await context.registryThreads.run({ try? registry.rooms.show(room) }) else { return }
        for door in doors.values where door.configuration.roomID == room {
            door.send(.rules(roomRules(found)))
        }
    }

    /// The administration socket's service.
    public var adminService: any AdminService { AdminDesk(station: station) }

    /// Whether `peer` may use the API at all (others are turned away when they connect).
    public func mayConnect(_ peer: Peer) -> Bool { access.mayConnect(peer) }

    /// Records a connection turned away by a socket (rate-limited).
    public func connectionRefused(_ peer: Peer?, reason: String, socket: String) {
        access.recorder.refused(peer, what: "connect to the \(socket) socket (\(reason))", place: nil)
    }

    // MARK: - Life cycle

    /// Locks every terminal, watches the readers and pcscd until graceful shutdown, then locks every terminal,
    /// records `system.stop` and returns.
    public func run() async throws {
        let logger = context.logger
        let rooms = Dictionary(context.configuration.doors.map { ($0.configuration.doorID, $0.configuration.roomID) }, uniquingKeysWith: { a, _ in a })
        let store = context.history.store
        let past = try await context.registryThreads.run { try HistoryRecords.doorEvents(store, rooms: rooms) }
        await book.load(past)
        let monitor = ReaderMonitor()
        // These wait on threads that may never return (a stopped pcscd, a clock that is never set): not in the task
        // group, which would wait for them at shutdown.
        let watchers = [
            Task.detached { [watchdog] in await watchdog.run() },
            Task.detached { [watchdog] in await watchdog.watchForResume() },
        ]
        try await withThrowingDiscardingTaskGroup { group in
            for terminal in terminals.values { group.addTask { await terminal.run() } }
            for door in doors.values { group.addTask { await door.run() } }
            // Fail closed from the first moment: whatever the screens were, they are locked now.
            await lockAll(.start)
            guard await context.history.healthy else {
                throw GatewayStartError(.historyUnavailable, "the history cannot be written at start")
            }
            group.addTask { await self.router.run(monitor) }
            group.addTask { await self.followWatchdog() }
            group.addTask { await self.checkpointEvery(self.context.configuration.history.checkpointEvery) }
            logger.notice("gateway started", metadata: ["terminals": "\(terminals.count)", "doors": "\(doors.count)"])
            try? await gracefulShutdown()
            await shutDown(monitor)
            group.cancelAll()
        }
        for watcher in watchers { watcher.cancel() }
    }

    /// Locks every terminal for `reason` and waits for their lock commands.
    func lockAll(_ reason: LockReason) async {
        await withDiscardingTaskGroup { group in
            for terminal in terminals.values {
                group.addTask { try? await terminal.ask { .systemLock(reason, $0) } }
            }
        }
    }

    /// At shutdown: locks all, records `system.stop`, signs a last checkpoint and copies the history's write-ahead log
    /// into its database, ends the event streams and the
    /// places' loops, stops the reader monitor.
    func shutDown(_ monitor: ReaderMonitor) async {
        await lockAll(.shutdown)
        await context.history.append(NewEvent(kind: .systemStop, result: .success, details: EventDetails(program: "cardgate \(version)")))
        await context.history.close()
        context.broadcaster.finishAll()
        for terminal in terminals.values { terminal.finish() }
        for door in doors.values { door.finish() }
        // At most about 2 s if pcscd does not answer; on a thread of its own so that nothing else waits for it.
        await onThreadOfItsOwn(name: "cardgate.monitor-stop") { monitor.stop() }
        context.logger.notice("gateway stopped; every terminal locked")
    }

    /// Acts on what the pcscd watchdog notices: everything fails closed, recorded once; when pcscd answers again,
    /// every reader is listed again.
    func followWatchdog() async {
        for await event in watchdog.events.cancelOnGracefulShutdown() {
            switch event {
            case .unresponsive:
                await context.history.append(NewEvent(kind: .systemFault, result: .failure, details: EventDetails(reason: "pcscd-unresponsive")))
                await router.failClosed(.pcscServiceLost)
            case .answering(let readers):
                await context.history.append(NewEvent(kind: .systemRecovered, result: .success, details: EventDetails(reason: "pcscd-answering")))
                await router.relist(readers)
            case .resumed:
                await context.history.append(NewEvent(kind: .systemFault, result: .failure, details: EventDetails(reason: "resumed-from-suspend")))
                await router.failClosed(.resumed)
                let readers = await onThreadOfItsOwn(name: "cardgate.relist") { PCSCWatchdog.probe() }
                await context.history.append(NewEvent(kind: .systemRecovered, result: .success, details: EventDetails(reason: "readers-listed")))
                await router.relist((try? readers.get()) ?? [])
            }
        }
    }

    /// Signs a checkpoint of the history at this interval (when something new was recorded).
    func checkpointEvery(_ interval: Duration) async {
        while (try? await Task.sleep(for: max(.seconds(1), interval))) != nil {
            await context.history.checkpoint()
        }
    }
}

/// The router, known to the admin station only after both are made (the router needs the station).
final class RouterBox: Sendable {
    private let value = Mutex<ReaderRouter?>(nil)
    func set(_ router: ReaderRouter) { value.withLock { $0 = router } }
    var router: ReaderRouter? { value.withLock { $0 } }
}

/// Counts the open event streams of each caller, to hold each to the configured limit.
final class StreamCounter: Sendable {
    private let counts = Mutex<[UInt32: Int]>([:])

    /// Takes a place for `uid`, or false when it holds `limit` streams already.
    func acquire(_ uid: UInt32, limit: Int) -> Bool {
        counts.withLock { counts in
            guard counts[uid, default: 0] < limit else { return false }
            counts[uid, default: 0] += 1
            return true
        }
    }

    /// Gives the place back.
    func release(_ uid: UInt32) {
        counts.withLock { counts in
            let left = counts[uid, default: 1] - 1
            counts[uid] = left > 0 ? left : nil
        }
    }
}
