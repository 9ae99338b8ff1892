import Foundation

/// Where the history lives, who witnesses it, and how it is checkpointed and kept; the configuration file fills this in.
public struct HistoryConfiguration: Sendable, Equatable {
    /// The live SQLite database file.
    public var databasePath: String
    /// The folder holding one archive file per closed year (`history-YYYY.sqlite`).
    public var archiveDirectory: String
    /// The Ed25519 checkpoint signing key of the current key (32 raw bytes, mode 0600).
    public var signingKeyPath: String
    /// The log's name in its checkpoints (the first line, and the signing key's name), e.g.
    /// `cardgate.city.example/history`. Nil: derived from the first key's fingerprint (unique per installation).
    public var origin: String?
    /// Where every checkpoint is also written, outside the database.
    public var witness: WitnessConfiguration
    /// The checkpoint keys over time (key rotation). Empty: the key in `signingKeyPath` alone, from the beginning.
    public var signingKeys: [SigningKeyEntry]
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
    public init(databasePath: String, archiveDirectory: String, signingKeyPath: String, origin: String? = nil,
                witness: WitnessConfiguration = .unconfigured, signingKeys: [SigningKeyEntry] = [], checkpointEveryEvents: Int = 1000,
                checkpointEveryMinutes: Int = 15, retentionYears: Int = 7, busyTimeoutSeconds: Double = 10) {
        self.databasePath = databasePath
        self.archiveDirectory = archiveDirectory
        self.signingKeyPath = signingKeyPath
        self.origin = origin
        self.witness = witness
        self.signingKeys = signingKeys
        self.checkpointEveryEvents = checkpointEveryEvents
        self.checkpointEveryMinutes = checkpointEveryMinutes
        self.retentionYears = retentionYears
        self.busyTimeoutSeconds = busyTimeoutSeconds
    }

    /// The installed defaults, each overridable by an environment variable:
    /// `CARDGATE_DATABASE` (/var/lib/cardgate/history.sqlite), `CARDGATE_ARCHIVE_DIR` (/var/lib/cardgate/archive),
    /// `CARDGATE_HISTORY_KEY` (/etc/cardgate/history-signing.key), `CARDGATE_HISTORY_ORIGIN` (derived),
    /// `CARDGATE_WITNESS_FILE` (none), `CARDGATE_WITNESS=none` (say so explicitly), `CARDGATE_CHECKPOINT_EVERY` (1000),
    /// `CARDGATE_CHECKPOINT_MINUTES` (15), `CARDGATE_RETENTION_YEARS` (7).
    public static func defaults(environment: [String: String] = ProcessInfo.processInfo.environment) -> HistoryConfiguration {
        let env = environment
        var witness = WitnessConfiguration.unconfigured
        if let file = env["CARDGATE_WITNESS_FILE"], !file.isEmpty { witness.files = [file] }
        if env["CARDGATE_WITNESS"] == "none" { witness.explicitlyNone = true }
        return HistoryConfiguration(
            databasePath: env["CARDGATE_DATABASE"] ?? "/var/lib/cardgate/history.sqlite",
            archiveDirectory: env["CARDGATE_ARCHIVE_DIR"] ?? "/var/lib/cardgate/archive",
            signingKeyPath: env["CARDGATE_HISTORY_KEY"] ?? "/etc/cardgate/history-signing.key",
            origin: env["CARDGATE_HISTORY_ORIGIN"].flatMap { $0.isEmpty ? nil : $0 },
            witness: witness,
            checkpointEveryEvents: env["CARDGATE_CHECKPOINT_EVERY"].flatMap(Int.init) ?? 1000,
            checkpointEveryMinutes: env["CARDGATE_CHECKPOINT_MINUTES"].flatMap(Int.init) ?? 15,
            retentionYears: env["CARDGATE_RETENTION_YEARS"].flatMap(Int.init) ?? 7
        )
    }

    /// Refuses a retention below seven years, intervals that are not positive, a bad origin and a witness setting
    /// that both names witnesses and says none.
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
        if let origin {
            guard SignedNote.isValidKeyName(origin), origin.utf8.count <= 256, RawEvent.isCleanText(origin) else {
                throw HistoryError(.configuration, "the history origin \"\(origin)\" must be 1…256 bytes without spaces, + or control characters (e.g. cardgate.city.example/history)")
            }
        }
        try witness.validate()
    }

    /// The archive file of a year: always `history-YYYY.sqlite` inside `archiveDirectory`.
    public func archivePath(year: Int) -> String {
        (archiveDirectory as NSString).appendingPathComponent(Self.archiveFileName(year: year))
    }

    /// The only file name an archive may have.
    static func archiveFileName(year: Int) -> String { "history-\(year).sqlite" }
}

/// One checkpoint key in the configuration's list.
public struct SigningKeyEntry: Sendable, Equatable {
    /// The public key (what verification needs); nil to read it from `privateKeyPath`.
    public var publicKey: CheckpointPublicKey?
    /// The private key file, needed only to sign (the current key) and for the handover to the next key.
    public var privateKeyPath: String?
    /// From when the key signs; nil for the first key (from the beginning).
    public var validFrom: Date?

    /// Creates an entry.
    public init(publicKey: CheckpointPublicKey? = nil, privateKeyPath: String? = nil, validFrom: Date? = nil) {
        self.publicKey = publicKey
        self.privateKeyPath = privateKeyPath
        self.validFrom = validFrom
    }
}
