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
/// A checkpoint follows every burst of events about ``checkpointDelay`` after its first event, but no sooner than
/// ``spacing`` after the checkpoint before: the events are then soon covered by a checkpoint the witness holds
/// (`cardgate history verify` exits 0, not 2 for an unwitnessed tail), and neither a burst nor a steady trickle of
/// events costs one signature and one witness line per event.
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
    /// ``afterBurst()`` is scheduled.
    private var checkpointScheduled = false
    /// A checkpoint is scheduled for when ``spacing`` is up.
    private var signingScheduled = false
    /// The shortest time between two checkpoints signed after bursts (`[history] checkpoint-spacing-seconds`).
    let spacing: Duration
    /// When the last checkpoint was signed (nil: none yet by this writer).
    private var lastCheckpoint: ContinuousClock.Instant?

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Takes over the store's write-ahead log checkpoints (see ``HistoryStore/takeOverWALCheckpoints()``).
    init(store: HistoryStore, spacing: Duration = .seconds(60), logger: Logger) throws(HistoryError) {
        try store.takeOverWALCheckpoints()
        executor = ThreadExecutor(name: "cardgate.history")
        walCheckpointer = WALCheckpointer(store: store, logger: logger)
        self.store = store
        self.spacing = spacing
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
        signingScheduled = false
        do {
            if try store.checkpoint() != nil { lastCheckpoint = .now }
        } catch { logger.error("history checkpoint failed", metadata: ["error": "\(error)"]) }
        walCheckpointer.request()
    }

    /// At shutdown, after the last record: signs a last checkpoint and copies the whole write-ahead log into the
    /// database before returning.
    func close() {
        checkpoint()
        walCheckpointer.finish()
    }

    /// ``afterBurst()`` about ``checkpointDelay`` from now, unless it is already scheduled.
    private func scheduleCheckpoint() {
        guard !checkpointScheduled else { return }
        checkpointScheduled = true
        Task { [weak self] in
            try? await Task.sleep(for: Self.checkpointDelay)
            await self?.afterBurst()
        }
    }

    /// A second after a burst: signs a checkpoint if the last one is at least ``spacing`` old, else schedules the
    /// signing for when it is; the write-ahead log is copied into the database either way, so that it stays small
    /// between checkpoints.
    private func afterBurst() {
        checkpointScheduled = false
        guard let lastCheckpoint, case let wait = spacing - (ContinuousClock.now - lastCheckpoint), wait > .zero else {
            checkpoint()
            return
        }
        walCheckpointer.request()
        guard !signingScheduled else { return }
        signingScheduled = true
        Task { [weak self] in
            try? await Task.sleep(for: wait)
            await self?.checkpoint()
        }
    }
}
