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

