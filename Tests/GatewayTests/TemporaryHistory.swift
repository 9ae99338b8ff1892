import Crypto
import Foundation
import History
import Logging
@testable import Gateway

/// A history in a temporary folder with its writer, for unit tests of the core's parts.
final class TemporaryHistory {
    let folder: String
    let store: HistoryStore
    let writer: HistoryWriter

    init(spacing: Duration = .seconds(60)) throws {
        folder = NSTemporaryDirectory() + "gateway-history-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let key = folder + "/key"
        _ = try CheckpointSigningKey.create(key)
        store = try HistoryStore.open(HistoryConfiguration(databasePath: folder + "/history.sqlite", archiveDirectory: folder + "/archive",
                                                           signingKeyPath: key,
                                                           witness: WitnessConfiguration(files: [folder + "/history.witness"])))
        writer = try HistoryWriter(store: store, spacing: spacing, logger: Logger(label: "test"))
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }
}
