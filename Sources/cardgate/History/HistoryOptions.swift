import ArgumentParser
import Foundation
import History

/// The options every `cardgate history` command shares; unset options fall back to the environment
/// (`CARDGATE_DATABASE`, `CARDGATE_ARCHIVE_DIR`, `CARDGATE_HISTORY_KEY`, …) and then to the installed defaults.
struct HistoryOptions: ParsableArguments {
    @Option(help: "The live history database (env CARDGATE_DATABASE).")
    var database: String?
    @Option(help: "The folder of yearly archive files (env CARDGATE_ARCHIVE_DIR).")
    var archiveDir: String?
    @Option(help: "The checkpoint signing key file, mode 0600 (env CARDGATE_HISTORY_KEY).")
    var key: String?
    @Option(help: "A second file each checkpoint is appended to (env CARDGATE_CHECKPOINT_COPY).")
    var checkpointCopy: String?
    @Option(help: "Sign a checkpoint every N events (env CARDGATE_CHECKPOINT_EVERY, default 1000).")
    var checkpointEvery: Int?
    @Option(help: "Sign a checkpoint at the first event M minutes after the last (env CARDGATE_CHECKPOINT_MINUTES, default 15).")
    var checkpointMinutes: Int?
    @Option(help: "Years to keep, at least 7 (env CARDGATE_RETENTION_YEARS).")
    var retentionYears: Int?

    var configuration: HistoryConfiguration {
        var c = HistoryConfiguration.defaults()
        if let database { c.databasePath = database }
        if let archiveDir { c.archiveDirectory = archiveDir }
        if let key { c.signingKeyPath = key }
        if let checkpointCopy { c.checkpointCopyPath = checkpointCopy }
        if let checkpointEvery { c.checkpointEveryEvents = checkpointEvery }
        if let checkpointMinutes { c.checkpointEveryMinutes = checkpointMinutes }
        if let retentionYears { c.retentionYears = retentionYears }
        return c
    }

    /// Opens the store with the signing key (needed to record anything).
    func openForWriting() throws -> HistoryStore {
        try orExit { () throws(HistoryError) in try HistoryStore.open(configuration) }
    }

    /// Opens an existing store without needing the signing key.
    func openForReading() throws -> HistoryStore {
        try orExit { () throws(HistoryError) in try HistoryStore(configuration: configuration, signingKey: nil, mustExist: true) }
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
