import Dispatch
import History
import Logging
import Synchronization

/// Runs the history's write-ahead log checkpoints on a queue of their own, so that the copy into the database and
/// its sync never sit inside the commit of a decision's record. Requests while one runs are folded into one more run.
final class WALCheckpointer: Sendable {
    private let store: HistoryStore
    private let logger: Logger
    private let queue = DispatchQueue(label: "cardgate.history.wal")
    /// A run is queued and has not started yet.
    private let queued = Mutex(false)

    init(store: HistoryStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Copies the whole log into the database and waits for it (at shutdown, after the last record): a cleanly stopped
    /// daemon leaves every event in the database file, so that a backup of that file alone is complete.
    func finish() {
        queue.sync {
            do {
                let (logPages, copiedPages) = try store.checkpointWAL()
                if copiedPages < logPages {
                    logger.warning("history write-ahead log not wholly copied at shutdown (a reader holds it); the -wal file keeps the rest",
                                   metadata: ["log-pages": "\(logPages)", "copied-pages": "\(copiedPages)"])
                }
            } catch {
                logger.warning("history write-ahead log checkpoint failed at shutdown; the -wal file keeps the newest events", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Asks for a checkpoint soon; never waits.
    func request() {
        let already = queued.withLock { queued in
            defer { queued = true }
            return queued
        }
        guard !already else { return }
        queue.async { [self] in
            queued.withLock { $0 = false }
            do {
                try store.checkpointWAL()
            } catch {
                logger.warning("history write-ahead log checkpoint failed; the -wal file grows until one succeeds", metadata: ["error": "\(error)"])
            }
        }
    }
}
