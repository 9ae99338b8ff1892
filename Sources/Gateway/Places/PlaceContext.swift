import CardGateConfig
import Foundation
import GatewayAPI
import Logging
import Registry
import Vocabulary

/// What every place (terminal, door, admin station) shares: the history writer, the registry, the threads for card
/// checks and PIN hashes, the commands, the alarm, the event broadcaster. Immutable after start.
final class PlaceContext: Sendable {
    let configuration: CardGateConfiguration
    let history: HistoryWriter
    let registry: Registry
    let commands: CommandRunner
    let alarms: Alarms
    let broadcaster: EventBroadcaster
    let logger: Logger
    /// PIN hashes (scrypt, CPU-bound): at most one fewer than the processors at a time, on threads of lower priority
    /// (nice 10), so that a card check, a lock or a decision never waits behind a burst of PIN entries.
    let pinThreads: WorkerThreads
    /// Registry reads and writes for the API and the admin station (SQLite blocks).
    let registryThreads: WorkerThreads
    /// Tells the pcscd watchdog which places hold a card (a hang matters only then).
    let watch: WatchList

    init(
        configuration: CardGateConfiguration, history: HistoryWriter, registry: Registry, broadcaster: EventBroadcaster,
        logger: Logger, watch: WatchList
    ) {
        self.configuration = configuration
        self.history = history
        self.registry = registry
        self.broadcaster = broadcaster
        self.logger = logger
        self.watch = watch
        commands = CommandRunner(logger: logger, timeout: configuration.commands.timeout)
        alarms = Alarms(command: configuration.commands.alarm, runner: commands, logger: logger)
        pinThreads = WorkerThreads(name: "cardgate.pin", count: max(1, ProcessInfo.processInfo.activeProcessorCount - 1), nice: 10)
        registryThreads = WorkerThreads(name: "cardgate.registry", count: 2)
    }

    /// Checks the card in `reader` on a thread of its own (a card that does not answer holds up only its reader).
    /// For a door (`room`), the city's closing days among today and yesterday are added to the check's holidays.
    func checkCard(in reader: String, room: String?) async -> CardCheck {
        let (registry, zone, policy) = (self.registry, configuration.timeZone, configuration.policy)
        return await onThreadOfItsOwn(name: "cardgate.card-check") {
            let now = Date()
            var check = CardCheck.run(reader: reader, room: room, registry: registry, timeZone: zone, now: now)
            if room != nil {
                let today = CivilDate(now, in: zone)
                check.holidays.formUnion([today, today.previousDay].filter(policy.isClosingDay))
            }
            return check
        }
    }
}

/// Raises alarms: the log at error level always, and the configured `alarm` command (`{place}`, `{reason}`) when there
/// is one. Never waits for the command.
struct Alarms: Sendable {
    let command: CommandTemplate?
    let runner: CommandRunner
    let logger: Logger

    func raise(place: String, reason: String) {
        logger.error("ALARM", metadata: ["place": "\(place)", "reason": "\(reason)"])
        guard let command else { return }
        let argv = command.render([.place: place, .reason: reason])
        let runner = runner
        Task { _ = await runner.run(argv, what: "alarm \(place) \(reason)") }
    }
}
