import CardGateConfig
import Credentials
import Foundation
import History
import Registry

/// One CardGate installation as its configuration file describes it: where the history and the registry
/// live, which secret files they use, and how to open them. The daemon and every CLI command go through
/// this type, so they always agree on paths and parameters.
///
/// The registry (operators, cards, PINs, rooms, grants, the equipment ledger) is kept in
/// `registry.sqlite` in the same folder as the history database: the history is append-only and archived
/// by year, the registry is mutable state, so they are separate files.
public struct Installation: Sendable {
    /// The configuration this installation was loaded from.
    public let configuration: CardGateConfiguration

    /// The configuration file used when none is named: `$CARDGATE_CONFIG`, else /etc/cardgate/cardgate.toml.
    public static func defaultConfigurationFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["CARDGATE_CONFIG"], !path.isEmpty { return path }
        return "/etc/cardgate/cardgate.toml"
    }

    /// Loads and validates the configuration file at `file` (or the default one).
    public init(configurationFile file: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) {
        let path = file ?? Self.defaultConfigurationFile(environment: environment)
        self.configuration = try CardGateConfiguration.load(file: path, environment: environment)
    }

    /// Uses an already loaded configuration.
    public init(configuration: CardGateConfiguration) {
        self.configuration = configuration
    }

    /// The history settings from the configuration file.
    public var historyConfiguration: HistoryConfiguration {
        let history = configuration.history
        return HistoryConfiguration(
            databasePath: configuration.storage.database,
            archiveDirectory: configuration.storage.archiveDirectory,
            signingKeyPath: configuration.secrets.historySigningKey,
            origin: history.origin,
            witness: WitnessConfiguration(files: [history.witnessFile].compactMap { $0 }, commands: [history.witnessCommand].compactMap { $0 },
                                          explicitlyNone: history.witnessNone),
            signingKeys: history.keys.map {
                SigningKeyEntry(publicKey: try? CheckpointPublicKey(hex: $0.publicKey), privateKeyPath: $0.file, validFrom: $0.validFrom)
            },
            checkpointEveryEvents: history.checkpointEveryEvents,
            checkpointEveryMinutes: max(1, Int(history.checkpointEvery.components.seconds / 60))
        )
    }

    /// The registry database: `registry.sqlite` beside the history database.
    public var registryPath: String {
        let folder = (configuration.storage.database as NSString).deletingLastPathComponent
        return (folder as NSString).appendingPathComponent(Registry.defaultFileName)
    }

    /// The PIN policy the configuration sets.
    public func pinPolicy() throws(CredentialsError) -> PINPolicy {
        try PINPolicy(
            minimumLength: configuration.policy.pinMinimumLength,
            maximumLength: configuration.policy.pinMaximumLength,
            maximumFailures: configuration.policy.pinLockoutAttempts
        )
    }

    /// The scrypt cost the configuration sets.
    public func scryptParameters() throws(CredentialsError) -> ScryptParameters {
        try ScryptParameters(
            logN: configuration.scrypt.log2N, r: configuration.scrypt.r, p: configuration.scrypt.p,
            allowBelowMinimum: configuration.scrypt.allowWeakForTests
        )
    }

    /// Opens the history for appending (needs the signing key).
    public func openHistory() throws(HistoryError) -> HistoryStore {
        try HistoryStore.open(historyConfiguration)
    }

    /// Opens an existing history for reading only (no signing key needed).
    public func openHistoryForReading() throws(HistoryError) -> HistoryStore {
        try HistoryStore(configuration: historyConfiguration, signingKey: nil, mustExist: true)
    }

    /// Opens the registry with the pepper and the PIN policy; `create` makes a new database file. `busyTimeout` is
    /// how long a write waits for another writer (the daemon uses a short one: a locked registry must fail a check
    /// quickly, as `unavailable`, not hold a terminal).
    public func openRegistry(create: Bool = false, busyTimeout: TimeInterval = 5,
                             clock: @escaping @Sendable () -> Date = { Date() }) throws -> Registry {
        let pepper = try Pepper.load(from: configuration.secrets.pepper)
        let hasher = PINHasher(pepper: pepper, parameters: try scryptParameters())
        return try Registry(
            path: registryPath, hasher: hasher,
            configuration: RegistryConfiguration(policy: try pinPolicy(), busyTimeout: busyTimeout),
            create: create, clock: clock
        )
    }
}
