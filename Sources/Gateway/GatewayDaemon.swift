#if canImport(Glibc)
import Glibc
#endif
import CardGateConfig
import Crypto
import Foundation
import GatewayAPI
import History
import Installation
import Logging
import Registry
import Vocabulary

/// `cardgate serve` from start to stop: makes every file it creates private (umask 077), opens the history and the
/// registry of an installation (secrets checked on their opened descriptors), checks that every configured command's
/// program exists, records `system.start` with the program's identity and checks it against the ledger, then runs the
/// core, the API socket and the administration socket until SIGTERM or SIGINT.
public enum GatewayDaemon {
    /// Starts and runs the gateway; returns after a clean shutdown. Throws when it must not start.
    public static func run(installation: Installation, version: String, logger: Logger, executable: String = "/proc/self/exe") async throws {
        // Before SQLite or anything else creates a file: the database, its -wal and -shm are born 0600.
        umask(0o077)
        // Opening files, SQLite and hashing the executable block: done on a thread of their own.
        let core = try await onThreadOfItsOwn(name: "cardgate.start") {
            Result { () throws -> GatewayCore in try prepare(installation: installation, version: version, logger: logger, executable: executable) }
        }.get()
        let configuration = installation.configuration
        let api = GatewayServer.make(
            gateway: core, configuration: socketConfiguration(configuration.api.socket, configuration.api.group, configuration.api.mode, configuration.api.limits),
            logger: logger, admits: core.mayConnect, refused: { core.connectionRefused($0, reason: $1, socket: "API") },
            onReady: { logger.notice("API listening", metadata: ["socket": "\(configuration.api.socket)"]) })
        let adminGroup = try configuration.admin.group.map { name throws -> UInt32 in
            guard let gid = name.hasPrefix("gid:") ? UInt32(name.dropFirst(4)) : ClientSet.groupID(name) else {
                throw GatewayStartError(.configuration, "\(configuration.file): admin.group: there is no group \"\(name)\"; create it (groupadd --system \(name)) or name another")
            }
            return gid
        }
        let service = geteuid()
        let admin = AdminServer.make(
            service: core.adminService,
            configuration: socketConfiguration(configuration.admin.socket, configuration.admin.group, configuration.admin.mode, configuration.admin.limits,
                                               bodyBytes: AdminRoutes.maximumBodyBytes),
            logger: logger,
            admits: { peer in peer.uid == 0 || peer.uid == service || (adminGroup.map { peer.isMember(of: $0) } ?? false) },
            refused: { core.connectionRefused($0, reason: $1, socket: "administration") },
            onReady: { logger.notice("administration socket listening", metadata: ["socket": "\(configuration.admin.socket)"]) })
        try await GatewayLifecycle.serviceGroup(core: core, servers: [api, admin], logger: logger).run()
    }

    static func socketConfiguration(
        _ path: String, _ group: String?, _ mode: Int, _ limits: CardGateConfiguration.SocketLimits, bodyBytes: Int = 4096
    ) -> SocketServerConfiguration {
        SocketServerConfiguration(
            socketPath: path, socketGroup: group, socketMode: mode_t(mode), maximumBodyBytes: bodyBytes,
            maximumConnections: limits.maximumConnections, maximumConnectionsPerClient: limits.maximumConnectionsPerClient,
            readTimeout: limits.readTimeout, idleTimeout: limits.idleTimeout)
    }

    /// Opens the history and the registry, checks the commands, records `system.start` and checks the program
    /// against the ledger.
    static func prepare(installation: Installation, version: String, logger: Logger, executable: String) throws -> GatewayCore {
        let configuration = installation.configuration
        try checkCommands(configuration)
        var historyConfiguration = installation.historyConfiguration
        // A locked or broken database must fail an act quickly, not hold a place for the default 10 s.
        historyConfiguration.busyTimeoutSeconds = 2
        let history: HistoryStore
        do {
            try HistoryStore.checkWriteAheadLog(ofDatabase: historyConfiguration.databasePath)
            // Before SQLite opens the files: closing any descriptor of a file drops every POSIX lock this process
            // holds on it, SQLite's too. Done after the open, it left the -shm without the daemon's lock, so an
            // auditor's `cardgate history query` took the database for unused and reset the -shm under the running
            // daemon (a bus error in the soak, and a risk to the log). SQLite gives a -wal or -shm it creates later
            // the database file's owner and mode; a new history's file is created empty first for that.
            try HistoryStore.createDatabaseFileIfMissing(historyConfiguration.databasePath)
            shareWithAuditors(historyConfiguration.databasePath, group: configuration.service.auditGroup, logger: logger)
            history = try HistoryStore.open(historyConfiguration)
        } catch {
            throw GatewayStartError(.setup, "the history cannot be opened: \(error)")
        }
        let registry: Registry
        do {
            registry = try installation.openRegistry(busyTimeout: 2)
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
        let hex = Hex.encode(digest)
        if !ProgramIdentity.isApproved(sha256: hex, in: registry, logger: logger) {
            _ = try? history.append(NewEvent(kind: .ledgerRefused, result: .denied, details: EventDetails(reason: "program-not-approved", digest: digest, program: program)))
            switch configuration.programIdentityCheck {
            case .warn:
                logger.warning("this program is not the approved one in the equipment ledger; running anyway (program-identity check = warn)",
                               metadata: ["sha256": "\(hex)", "version": "\(version)"])
            case .refuse:
                throw GatewayStartError(.programNotApproved, "the executable's SHA-256 \(hex) is not an approved in-service program in the equipment ledger; add it with the ledger administrator, or set [program-identity] check = \"warn\"")
            }
        }
        return try GatewayCore(configuration: configuration, history: history, registry: registry, version: version, logger: logger)
    }

    /// Every configured command's program must exist and be executable by the service, or the start stops with a
    /// message naming the file and the key.
    static func checkCommands(_ configuration: CardGateConfiguration) throws(GatewayStartError) {
        for (key, template) in configuration.commands.all {
            let program = template.argv.first ?? ""
            var info = stat()
            guard stat(program, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(program, X_OK) == 0 else {
                throw GatewayStartError(.configuration, "\(configuration.file): commands.\(key)[0]: the program \(program) does not exist or is not executable by the service")
            }
        }
    }

    /// Gives the history database (and its -wal and -shm) to the auditors' group, readable (0640), when that group
    /// exists: `cardgate history query|verify|…` then work for its members without any secret. Only before SQLite
    /// opens the database in this process (see ``prepare(installation:version:logger:executable:)``).
    static func shareWithAuditors(_ database: String, group name: String?, logger: Logger) {
        guard let name else { return }
        guard let gid = name.hasPrefix("gid:") ? UInt32(name.dropFirst(4)) : ClientSet.groupID(name) else {
            logger.notice("the auditors' group does not exist; the history stays readable by the service account only", metadata: ["group": "\(name)"])
            return
        }
        for path in [database, database + "-wal", database + "-shm"] {
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            if fchown(fd, uid_t.max, gid) != 0 || fchmod(fd, 0o640) != 0 {
                logger.warning("the history file cannot be given to the auditors' group", metadata: ["file": "\(path)", "group": "\(name)"])
            }
        }
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
