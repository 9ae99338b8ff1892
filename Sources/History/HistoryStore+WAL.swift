#if canImport(Glibc)
import Glibc
#endif
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

extension HistoryStore {
    /// Refuses a history database in WAL mode whose `-wal` file is gone. The store keeps that file when the last
    /// connection closes (`SQLITE_FCNTL_PERSIST_WAL`), and after a crash it holds committed events not yet copied
    /// into the database: without it SQLite would open the database as it was at the last log checkpoint and the
    /// newest events would be lost without a word (those after the last witnessed checkpoint leave no trace at all).
    /// A database restored from a backup on purpose is confirmed by creating an empty `-wal` file of mode 0600.
    /// Nothing to check for a database that does not exist yet or is not in WAL mode.
    public static func checkWriteAheadLog(ofDatabase path: String) throws(HistoryError) {
        let fd = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return }  // opening the store reports a missing or unreadable database
        defer { Glibc.close(fd) }
        var header = [UInt8](repeating: 0, count: 20)
        let n = header.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        // Bytes 18 and 19 of the header: the file format's write and read versions, 2 in WAL mode.
        guard n == header.count, header[18] == 2, header[19] == 2 else { return }
        var info = stat()
        guard lstat(path + "-wal", &info) != 0 else { return }
        throw HistoryError(.storage, """
            the history database \(path) is in WAL mode but its \(path)-wal file is missing: it may have held committed \
            events (after a crash) that are now lost, so the gateway does not start. If the -wal file was deleted or \
            moved, put it back. If the database was restored from a backup on purpose, run `cardgate history verify`, \
            then confirm by creating an empty -wal file for the service account: install -m 600 -o cardgate /dev/null \(path)-wal
            """)
    }
}
