import Foundation
import History
import Logging
import Vocabulary

/// The one shared step on every decision path: appending to the history. An actor on a thread of its own, so that
/// a slow `fsync` waits there and never on Swift's cooperative pool; places call it with `await`.
///
/// "No record, no access": ``append(_:)`` answers false when the event could not be written, and the caller denies
/// or locks.
actor HistoryWriter {
    private nonisolated let executor: ThreadExecutor
    /// The history.
    nonisolated let store: HistoryStore
    private let logger: Logger
    /// Whether the last append succeeded.
    private(set) var healthy = true

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(store: HistoryStore, logger: Logger) {
        executor = ThreadExecutor(name: "cardgate.history")
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
            return receipt
        } catch {
            healthy = false
            logger.critical("history append failed; the act it records is refused", metadata: ["kind": "\(event.kind.rawValue)", "error": "\(error)"])
            return nil
        }
    }

    /// Signs a checkpoint at the head if one is due (the timer, shutdown).
    func checkpoint() {
        do { _ = try store.checkpoint() } catch { logger.error("history checkpoint failed", metadata: ["error": "\(error)"]) }
    }
}
