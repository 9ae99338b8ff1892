import Foundation
import History
import Logging
import Vocabulary

/// The one shared step on every decision path: appending to the history. An actor on a thread of its own, so that
/// a slow `fsync` waits there and never on Swift's cooperative pool; places call it with `await`.
///
/// "No record, no access": ``append(_:)`` answers false when the event could not be written, and the caller denies
/// or locks.
///
/// A checkpoint follows every burst of events about ``checkpointDelay`` after its first event: the events are then
/// covered by a checkpoint the witness holds (`cardgate history verify` exits 0, not 2 for an unwitnessed tail), and
/// a burst still costs one signature and one witness line, not one per event.
actor HistoryWriter {
    /// How long after an event the checkpoint covering it is signed (events in between share it).
    static let checkpointDelay: Duration = .seconds(1)
    private nonisolated let executor: ThreadExecutor
    /// Copies the write-ahead log into the database beside the writer, never inside a decision's commit.
    private nonisolated let walCheckpointer: WALCheckpointer
    /// The history.
    nonisolated let store: HistoryStore
    private let logger: Logger
    /// Whether the last append succeeded.
    private(set) var healthy = true
    /// A checkpoint is due within ``checkpointDelay``.
    private var checkpointScheduled = false

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Takes over the store's write-ahead log checkpoints (see ``HistoryStore/takeOverWALCheckpoints()``).
    init(store: HistoryStore, logger: Logger) throws(HistoryError) {
        try store.takeOverWALCheckpoints()
        executor = ThreadExecutor(name: "cardgate.history")
        walCheckpointer = WALCheckpointer(store: store, logger: logger)
        self.store = store
        self.logger = logger
    }

    /// Appends `event`; the receipt, or nil (logged critical) when it could not be written.
    @discardableResult
    func append(_ event: NewEvent) -> AppendReceipt? {
        do {
            let receipt = try store.append(event)
            if !healthy { logger.notice("history writable again") }
            healthy = true
            scheduleCheckpoint()
            return receipt
        } catch {
            healthy = false
            logger.critical("history append failed; the act it records is refused", metadata: ["kind": "\(event.kind.rawValue)", "error": "\(error)"])
            return nil
        }
    }

    /// Signs a checkpoint at the head if the head is not covered yet (after a burst, the timer, shutdown), then has
    /// the write-ahead log copied into the database off this thread.
    func checkpoint() {
        checkpointScheduled = false
        do { _ = try store.checkpoint() } catch { logger.error("history checkpoint failed", metadata: ["error": "\(error)"]) }
        walCheckpointer.request()
    }

    /// Signs a checkpoint ``checkpointDelay`` from now, unless one is already due by then.
    private func scheduleCheckpoint() {
        guard !checkpointScheduled else { return }
        checkpointScheduled = true
        Task { [weak self] in
            try? await Task.sleep(for: Self.checkpointDelay)
            await self?.checkpoint()
        }
    }
}
