import Foundation
import GRDB

extension HistoryStore {
    // MARK: Write-ahead log checkpoints

    /// Stops SQLite from copying the write-ahead log into the database inside a commit (by default the commit that
    /// fills 1000 pages does it, and its append then waits for that copy and a sync of the database file: tens of
    /// milliseconds on one decision in a few hundred). The caller then runs ``checkpointWAL()`` regularly from a
    /// thread of its own, off the decision path; until it does, the `-wal` file grows. For the daemon, which appends
    /// on every decision; tools that append in batches keep SQLite's automatic checkpoints.
    public func takeOverWALCheckpoints() throws(HistoryError) {
        guard !isReadOnly else { return }
        do {
            try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        } catch {
            throw HistoryError(.storage, "the history's write-ahead log settings could not be changed: \(error)")
        }
    }

    /// Copies the committed pages of the write-ahead log into the database (a PASSIVE checkpoint: it waits for no
    /// reader and no writer, and appends go on meanwhile), through a connection of its own so that the writer's is
    /// never held. Returns the log's length and how many of its pages are now in the database, in pages.
    @discardableResult
    public func checkpointWAL() throws(HistoryError) -> (logPages: Int, copiedPages: Int) {
        guard !isReadOnly else { return (0, 0) }
        do {
            let connection = try walConnection.withLock { connection in
                if let connection { return connection }
                let opened = try DatabaseQueue(path: configuration.databasePath,
                                               configuration: Self.databaseConfiguration(busyTimeout: configuration.busyTimeoutSeconds))
                connection = opened
                return opened
            }
            return try connection.writeWithoutTransaction { db in
                guard let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)") else { return (0, 0) }
                return (row[1] ?? 0, row[2] ?? 0)
            }
        } catch {
            throw HistoryError(.storage, "the history's write-ahead log could not be checkpointed: \(error)")
        }
    }
}
