import CardGateConfig
import Crypto
import Foundation
import GatewayAPI
import History
import Installation
import Logging
import Registry

/// `cardgate serve` from start to stop: opens the history and the registry of an installation, records
/// `system.start` with the program's identity, checks it against the ledger, then runs the core and the API until
/// SIGTERM or SIGINT.
public enum GatewayDaemon {
    /// Starts and runs the gateway; returns after a clean shutdown. Throws when it must not start.
    public static func run(installation: Installation, version: String, logger: Logger, executable: String = "/proc/self/exe") async throws {
        // Opening files, SQLite and hashing the executable block: done on a thread of their own.
        let core = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<GatewayCore, any Error>) in
            Thread.detachNewThread {
                continuation.resume(with: Result { try prepare(installation: installation, version: version, logger: logger, executable: executable) })
            }
        }
        try await core.start()
        let configuration = installation.configuration
        let server = GatewayServer(
            gateway: core,
            configuration: GatewayServerConfiguration(
                socketPath: configuration.api.socket, socketGroup: configuration.api.group, socketMode: mode_t(configuration.api.mode)),
            logger: logger,
            onReady: { logger.notice("API listening", metadata: ["socket": "\(configuration.api.socket)"]) })
        try await GatewayLifecycle.serviceGroup(core: core, server: server, logger: logger).run()
    }

    /// Opens the history and the registry, records `system.start` and checks the program against the ledger.
    static func prepare(installation: Installation, version: String, logger: Logger, executable: String) throws -> GatewayCore {
        let configuration = installation.configuration
        var historyConfiguration = installation.historyConfiguration
        // A locked or broken database must fail an act quickly, not hold every reader for the default 10 s.
        historyConfiguration.busyTimeoutSeconds = 2
        let history: HistoryStore
        do {
            history = try HistoryStore.open(historyConfiguration)
        } catch {
            throw GatewayStartError(.setup, "the history cannot be opened: \(error)")
        }
        let registry: Registry
        do {
            registry = try installation.openRegistry()
        } catch {
            throw GatewayStartError(.setup, "the registry cannot be opened: \(error)")
        }

        let digest = try ProgramIdentity.sha256(ofFile: executable)
        let program = "cardgate \(version)"
        do {
            try history.append(NewEvent(kind: .systemStart, result: .success, details: EventDetails(digest: digest, program: program)))
        } catch {
            throw GatewayStartError(.historyUnavailable, "the history cannot be written, so the gateway does not start (no record, no access): \(error)")
        }
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        let approved = ProgramIdentity.isApproved(sha256: hex, in: registry, logger: logger)
        if !approved {
            _ = try? history.append(NewEvent(kind: .ledgerRefused, result: .denied, details: EventDetails(reason: "program-not-approved", digest: digest, program: program)))
            switch configuration.programIdentityCheck {
            case .warn:
                logger.warning("this program is not the approved one in the equipment ledger; running anyway (program-identity check = warn)",
                               metadata: ["sha256": "\(hex)", "version": "\(version)"])
            case .refuse:
                throw GatewayStartError(.programNotApproved, "the executable's SHA-256 \(hex) is not an approved in-service program in the equipment ledger; add it with the ledger administrator, or set [program-identity] check = \"warn\"")
            }
        }

        return GatewayCore(configuration: configuration, history: history, registry: registry, version: version, logger: logger)
    }
}

/// The program's own identity: the SHA-256 of its executable, compared with the ledger.
enum ProgramIdentity {
    /// SHA-256 of a file, read in chunks.
    static func sha256(ofFile path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw GatewayStartError(.setup, "cannot read the program's own executable \(path) to compute its SHA-256")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return Array(hasher.finalize())
    }

    /// Whether an in-service program entry of the ledger has this SHA-256 (lower-case hex).
    static func isApproved(sha256 hex: String, in registry: Registry, logger: Logger) -> Bool {
        do {
            return try registry.ledger.list(kind: .program).contains { $0.status == .inService && $0.sha256?.lowercased() == hex }
        } catch {
            logger.error("equipment ledger cannot be read; the program counts as not approved", metadata: ["error": "\(error)"])
            return false
        }
    }
}
