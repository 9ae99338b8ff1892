import ArgumentParser
import Foundation
import Gateway
import GatewayAPI
import Installation
import Logging

/// `cardgate serve --config FILE`: the gateway daemon.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway: watch the readers, unlock terminals, open doors, serve the local API.",
        discussion: """
            Loads and validates the configuration (errors name the file and the key), opens the history and the \
            registry (secret files must be mode 0600), records system.start with the SHA-256 of this executable, \
            locks every terminal and serves the API on the configured Unix socket. SIGTERM or SIGINT: every \
            terminal is locked, system.stop is recorded, and it exits 0. Logs go to standard error (journald).
            """
    )

    @Option(name: .long, help: "The configuration file (default: $CARDGATE_CONFIG or /etc/cardgate/cardgate.toml).")
    var config: String?

    @Flag(name: .long, help: "Log debug lines too.")
    var verbose = false

    func run() async throws {
        Self.acceptStopSignals()
        let level: Logger.Level = verbose ? .debug : .info
        LoggingSystem.bootstrap { JournalLogHandler(label: $0, level: level) }
        let logger = Logger(label: "cardgate.serve")
        let installation: Installation
        do {
            installation = try Installation(configurationFile: config)
        } catch {
            throw CommandFailure("\(error)")
        }
        do {
            try await GatewayDaemon.run(installation: installation, version: CardGateVersion.current, logger: logger)
        } catch let error as GatewayStartError {
            logger.critical("gateway not started", metadata: ["code": "\(error.code.rawValue)"])
            throw CommandFailure(error.message)
        }
    }

    /// Unblocks SIGTERM and SIGINT, which a launcher may have left blocked in the mask the daemon inherited
    /// (libfaketime's `faketime` does): a daemon that cannot hear SIGTERM cannot lock the terminals and stop cleanly.
    static func acceptStopSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGTERM, SIGINT] { sigaddset(&signals, signal) }
        sigprocmask(SIG_UNBLOCK, &signals, nil)
    }
}
