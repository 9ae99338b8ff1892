import Foundation
import GatewayAPI
import History
import Registry
import Vocabulary

extension AdminDesk {
    /// `history archive --year Y` (the administrator): the daemon alone writes the history.
    func historyArchive(_ year: Int, caller: Peer) async throws -> AdminReply {
        let (_, person) = try await authorize(caller, .archiveHistory, kind: .historyArchived)
        try await record(NewEvent(kind: .systemNotice, result: .success, actor: person.id, details: EventDetails(reason: "archive requested", year: year)))
        let store = context.history.store
        let receipt = try await historyCall { try store.archive(year: year) }
        return AdminReply(text: "archived \(receipt.count) events of \(receipt.year) to \(receipt.path); recorded as event \(receipt.event.sequence)")
    }

    /// `history prune --before Y` (the administrator): only years wholly older than the retention period.
    func historyPrune(_ before: Int, caller: Peer) async throws -> AdminReply {
        let (_, person) = try await authorize(caller, .archiveHistory, kind: .historyPurged)
        try await record(NewEvent(kind: .systemNotice, result: .success, actor: person.id, details: EventDetails(reason: "prune requested", year: before)))
        let store = context.history.store
        let receipt = try await historyCall { try store.prune(before: before) }
        return AdminReply(text: receipt.years.isEmpty
            ? "nothing to prune before \(before)"
            : "pruned \(receipt.years.map(String.init).joined(separator: ", ")); each recorded by a purge event")
    }

    /// `history checkpoint` (the administrator): signs a checkpoint at the newest event now.
    func historyCheckpoint(caller: Peer) async throws -> AdminReply {
        _ = try await authorize(caller, .archiveHistory)
        let store = context.history.store
        guard let checkpoint = try await historyCall({ try store.checkpoint() }) else {
            return AdminReply(text: "the newest event is already covered by a checkpoint")
        }
        return AdminReply(text: "checkpoint \(checkpoint.number) at \(checkpoint.size) events")
    }

    /// Runs a history call on the registry threads; its refusal becomes the reply's error.
    private func historyCall<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await context.registryThreads.run(body)
        } catch let error as HistoryError {
            throw GatewayError(.conflict, error.description)
        }
    }
}
