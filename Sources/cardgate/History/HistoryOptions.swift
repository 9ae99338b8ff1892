import ArgumentParser
import Foundation
import History
import Installation

/// The options every `cardgate history` command shares; unset options fall back to the environment
/// (`CARDGATE_DATABASE`, `CARDGATE_ARCHIVE_DIR`, `CARDGATE_HISTORY_KEY`, …) and then to the installed defaults.
struct HistoryOptions: ParsableArguments {
    @Option(help: "The configuration file; its paths are the base the options below override (default $CARDGATE_CONFIG or /etc/cardgate/cardgate.toml, when that file exists).")
    var config: String?
    @Option(help: "The live history database (env CARDGATE_DATABASE).")
    var database: String?
    @Option(help: "The folder of yearly archive files (env CARDGATE_ARCHIVE_DIR).")
    var archiveDir: String?
    @Option(help: "The checkpoint signing key file, mode 0600 (env CARDGATE_HISTORY_KEY).")
    var key: String?
    @Option(help: "A witness file (absolute path, on another disk or host; repeatable; env CARDGATE_WITNESS_FILE).")
    var witnessFile: [String] = []
    @Flag(help: "Run without a witness, explicitly (as witness = \"none\"; status and verify warn).")
    var noWitness = false
    @Option(help: "The log's name in its checkpoints (env CARDGATE_HISTORY_ORIGIN; default derived from the first key).")
    var origin: String?
    @Option(help: "Sign a checkpoint every N events (env CARDGATE_CHECKPOINT_EVERY, default 1000).")
    var checkpointEvery: Int?
    @Option(help: "Sign a checkpoint at the first event M minutes after the last (env CARDGATE_CHECKPOINT_MINUTES, default 15).")
    var checkpointMinutes: Int?
    @Option(help: "Years to keep, at least 7 (env CARDGATE_RETENTION_YEARS).")
    var retentionYears: Int?

    /// The history settings: the configuration file's (when named or present), else the built-in defaults
    /// and environment, with the explicit options on top.
    var configuration: HistoryConfiguration {
        get throws {
            var c = try base()
            if let database { c.databasePath = database }
            if let archiveDir { c.archiveDirectory = archiveDir }
            if let key { c.signingKeyPath = key }
            if !witnessFile.isEmpty { c.witness = WitnessConfiguration(files: witnessFile, commands: c.witness.commands) }
            if noWitness { c.witness = .none }
            if let origin { c.origin = origin }
            if let checkpointEvery { c.checkpointEveryEvents = checkpointEvery }
            if let checkpointMinutes { c.checkpointEveryMinutes = checkpointMinutes }
            if let retentionYears { c.retentionYears = retentionYears }
            return c
        }
    }

    /// The installation's history settings when a configuration file is named (or the default one exists).
    private func base() throws -> HistoryConfiguration {
        let file = config ?? Installation.defaultConfigurationFile()
        guard config != nil || FileManager.default.fileExists(atPath: file) else { return HistoryConfiguration.defaults() }
        do {
            return try Installation(configurationFile: file).historyConfiguration
        } catch {
            FileHandle.standardError.write(Data("cardgate history: configuration: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// Opens the store with the signing key (needed to record anything).
    func openForWriting() throws -> HistoryStore {
        let c = try configuration
        return try orExit { () throws(HistoryError) in try HistoryStore.open(c) }
    }

    /// Opens an existing store read-only, without needing the signing key (a user who may only read the files).
    func openForReading() throws -> HistoryStore {
        let c = try configuration
        return try orExit { () throws(HistoryError) in try HistoryStore.openForReading(c) }
    }
}

/// Runs a history call; a `HistoryError` becomes its message on standard error and exit status 1.
func orExit<T>(_ body: () throws(HistoryError) -> T) throws -> T {
    do { return try body() } catch {
        FileHandle.standardError.write(Data("cardgate history: \(error.description)\n".utf8))
        throw ExitCode.failure
    }
}

/// Parses a `YYYY-MM-DD` or ISO 8601 option.
func parseDate(_ text: String?, option: String) throws -> Date? {
    guard let text else { return nil }
    guard let d = HistoryTime.parse(text) else {
        throw ValidationError("\(option) must be a date (2026-04-01) or an ISO 8601 time (2026-04-01T09:00:00Z)")
    }
    return d
}

/// Writes text to standard output without Swift's print buffering per line.
func printOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// Reads `--public-key` values: 64 hexadecimal digits or a C2SP verifier key.
func parsePublicKeys(_ texts: [String]) throws -> [CheckpointPublicKey] {
    try texts.map { text in try orExit { () throws(HistoryError) in try CheckpointPublicKey(text: text) } }
}

/// Writes a value as JSON with sorted keys, then a newline.
func printJSON<T: Encodable>(_ value: T, pretty: Bool = false) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    printOut(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
}
