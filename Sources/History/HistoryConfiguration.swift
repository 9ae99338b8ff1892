import Foundation

/// Where the history lives and how it is checkpointed and kept; the configuration file fills this in.
public struct HistoryConfiguration: Sendable, Equatable {
    /// The live SQLite database file.
    public var databasePath: String
    /// The folder holding one archive file per closed year (`history-YYYY.sqlite`).
    public var archiveDirectory: String
    /// The Ed25519 checkpoint signing key (32 raw bytes, mode 0600).
    public var signingKeyPath: String
    /// A second path (another disk or a mount of another host) to which each checkpoint is appended, or nil.
    public var checkpointCopyPath: String?
    /// Sign a checkpoint after this many events.
    public var checkpointEveryEvents: Int
    /// Sign a checkpoint at the first event this many minutes after the last one.
    public var checkpointEveryMinutes: Int
    /// How many years a year's events are kept at least. Never below `minimumRetentionYears`.
    public var retentionYears: Int
    /// How long a writer waits for another process's write to finish before failing, in seconds.
    public var busyTimeoutSeconds: Double

    /// The legal minimum of clause 20: seven years.
    public static let minimumRetentionYears = 7

    /// Creates a configuration; call `validate()` before use (the store does).
    public init(databasePath: String, archiveDirectory: String, signingKeyPath: String,
                checkpointCopyPath: String? = nil, checkpointEveryEvents: Int = 1000,
                checkpointEveryMinutes: Int = 15, retentionYears: Int = 7, busyTimeoutSeconds: Double = 10) {
        self.databasePath = databasePath
        self.archiveDirectory = archiveDirectory
        self.signingKeyPath = signingKeyPath
        self.checkpointCopyPath = checkpointCopyPath
        self.checkpointEveryEvents = checkpointEveryEvents
        self.checkpointEveryMinutes = checkpointEveryMinutes
        self.retentionYears = retentionYears
        self.busyTimeoutSeconds = busyTimeoutSeconds
    }

    /// The installed defaults, each overridable by an environment variable:
    /// `CARDGATE_DATABASE` (/var/lib/cardgate/history.sqlite), `CARDGATE_ARCHIVE_DIR` (/var/lib/cardgate/archive),
    /// `CARDGATE_HISTORY_KEY` (/etc/cardgate/history-signing.key), `CARDGATE_CHECKPOINT_COPY` (none),
    /// `CARDGATE_CHECKPOINT_EVERY` (1000), `CARDGATE_CHECKPOINT_MINUTES` (15), `CARDGATE_RETENTION_YEARS` (7).
    public static func defaults(environment: [String: String] = ProcessInfo.processInfo.environment) -> HistoryConfiguration {
        let env = environment
        return HistoryConfiguration(
            databasePath: env["CARDGATE_DATABASE"] ?? "/var/lib/cardgate/history.sqlite",
            archiveDirectory: env["CARDGATE_ARCHIVE_DIR"] ?? "/var/lib/cardgate/archive",
            signingKeyPath: env["CARDGATE_HISTORY_KEY"] ?? "/etc/cardgate/history-signing.key",
            checkpointCopyPath: env["CARDGATE_CHECKPOINT_COPY"].flatMap { $0.isEmpty ? nil : $0 },
            checkpointEveryEvents: env["CARDGATE_CHECKPOINT_EVERY"].flatMap(Int.init) ?? 1000,
            checkpointEveryMinutes: env["CARDGATE_CHECKPOINT_MINUTES"].flatMap(Int.init) ?? 15,
            retentionYears: env["CARDGATE_RETENTION_YEARS"].flatMap(Int.init) ?? 7
        )
    }

    /// Refuses a retention below seven years and intervals that are not positive.
    public func validate() throws(HistoryError) {
        guard retentionYears >= Self.minimumRetentionYears else {
            throw HistoryError(.configuration, "retention of \(retentionYears) years refused: clause 20 requires at least \(Self.minimumRetentionYears)")
        }
        guard checkpointEveryEvents >= 1, checkpointEveryEvents <= 1_000_000 else {
            throw HistoryError(.configuration, "checkpoint interval must be 1…1,000,000 events, got \(checkpointEveryEvents)")
        }
        guard checkpointEveryMinutes >= 1, checkpointEveryMinutes <= 24 * 60 else {
            throw HistoryError(.configuration, "checkpoint interval must be 1…1440 minutes, got \(checkpointEveryMinutes)")
        }
        guard !databasePath.isEmpty, !archiveDirectory.isEmpty, !signingKeyPath.isEmpty else {
            throw HistoryError(.configuration, "database, archive folder and signing key paths must be set")
        }
    }

    /// The archive file of a year.
    public func archivePath(year: Int) -> String {
        (archiveDirectory as NSString).appendingPathComponent("history-\(year).sqlite")
    }
}
