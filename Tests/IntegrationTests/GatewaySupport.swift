import Foundation
import GRDB

/// Holds the write lock of a SQLite database from another connection, so that every write of another process
/// fails with "database is locked" once its busy timeout runs out.
final class HistoryWriteBlocker {
    private let queue: DatabaseQueue
    private var released = false

    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.allowsUnsafeTransactions = true  // the lock is held on purpose across calls
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
    }

    func release() {
        guard !released else { return }
        released = true
        try? queue.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
    }

    deinit { release() }
}


/// Holds a read transaction open on a database (an auditor's long export), until ``release()``.
final class HistoryLongReader {
    private let queue: DatabaseQueue
    private var released = false

    init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.allowsUnsafeTransactions = true  // the snapshot is held on purpose across calls
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN DEFERRED")
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM events")
        }
    }

    /// The events the snapshot holds.
    func count() throws -> Int {
        try queue.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
    }

    func release() {
        guard !released else { return }
        released = true
        try? queue.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
    }

    deinit { release() }
}
