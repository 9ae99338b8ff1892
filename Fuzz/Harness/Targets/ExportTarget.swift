import Foundation
import GRDB
import History

/// What an auditor feeds `cardgate history verify --export`: a history export file (an SQLite database written by
/// `cardgate history export`), checked under the keys it carries. The input is written to a file of its own and
/// opened read-only, as the command does.
///
/// Contract: a file that is not an export, or whose key list is malformed, is refused with a ``HistoryError`` and a
/// message (never a trap); verifying an export always gives a report with a message, and verifying the same file
/// again gives the same outcome, first bad sequence number and count of checked events.
public enum ExportTarget: FuzzTarget {
    public static let name = "export"

    /// One file per process, written afresh for each input; in /dev/shm when there is one (a file SQLite opens
    /// for every input: on a disk the write and the open are most of the time an input takes).
    static let path: String = {
        var info = stat()
        let base = stat("/dev/shm", &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR && access("/dev/shm", W_OK) == 0 ? "/dev/shm/" : NSTemporaryDirectory()
        let folder = base + "cardgate-fuzz-export-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return folder + "/input.sqlite"
    }()

    public static func run(_ input: [UInt8]) throws(ContractViolation) {
        for suffix in ["-wal", "-shm", "-journal"] { unlink(path + suffix) }
        // Written in place (FileManager writes a temporary file and renames it).
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let written = fd < 0 ? -1 : input.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if fd >= 0 { close(fd) }
        guard written == input.count else { throw ContractViolation("the input file \(path) could not be written") }
        let keys: CheckpointKeySchedule
        do { keys = try HistoryExport.embeddedKeys(path) } catch {
            try require(!error.description.isEmpty, "an export refused without a message")
            return
        }
        let first = HistoryExport.verify(path, keys: keys)
        try require(!first.message.isEmpty, "a report without a message")
        try require(first.eventsChecked >= 0 && first.checkpointsChecked >= 0, "negative counts in a report")
        let second = HistoryExport.verify(path, keys: keys)
        try require(second.outcome == first.outcome && second.firstBadSequence == first.firstBadSequence
                        && second.eventsChecked == first.eventsChecked,
                    "verifying the same export twice gave \(Self.summary(first)) then \(Self.summary(second))")
    }

    /// Outcome, first bad event, events checked and message of a report, for a broken contract's message.
    static func summary(_ r: VerificationReport) -> String {
        "\(r.outcome.rawValue) at \(r.firstBadSequence.map(String.init) ?? "-") after \(r.eventsChecked) events (\(r.message))"
    }

    /// A real export of a small history (two years, one sealed, checkpoints), and one of an empty history.
    public static func seeds() throws -> [Seed] {
        let folder = NSTemporaryDirectory() + "cardgate-fuzz-export-seeds-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var seeds: [Seed] = []
        for (name, events) in [("empty", 0), ("two-years", 6)] {
            let dir = folder + "/" + name
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let clock = SeedClock(Date(timeIntervalSince1970: 1_735_624_800))   // 2024-12-31 06:00 UTC
            let configuration = HistoryConfiguration(databasePath: dir + "/history.sqlite", archiveDirectory: dir + "/archive",
                                                     signingKeyPath: dir + "/key", witness: WitnessConfiguration(files: [dir + "/witness"]),
                                                     checkpointEveryEvents: 50, checkpointEveryMinutes: 1440)
            let store = try HistoryStore(configuration: configuration, signingKey: try CheckpointSigningKey.create(dir + "/key"), clock: clock)
            for i in 0..<events {
                clock.advance(25_200)
                try store.append(NewEvent(kind: i % 2 == 0 ? .doorEntry : .operation, result: .success, actor: "op-\(i % 3)",
                                          card: String(format: "%032X", i % 3), place: i % 2 == 0 ? "SR-1" : "T01",
                                          details: EventDetails(operation: i % 2 == 0 ? nil : "resident.view", record: i % 2 == 0 ? nil : "R\(i)",
                                                                door: i % 2 == 0 ? "D1" : nil)))
            }
            if events > 0 { try store.checkpoint() }
            let export = dir + "/export.sqlite"
            _ = try HistoryExport.write(store, to: export, keys: store.keySchedule!)
            // The same database in 512-byte pages: a small seed (the fuzzer mutates fewer bytes of nothing but structure).
            try DatabaseQueue(path: export).writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                try db.execute(sql: "PRAGMA page_size = 512")
                try db.execute(sql: "VACUUM")
            }
            seeds.append(Seed(name, Array(try Data(contentsOf: URL(fileURLWithPath: export)))))
        }
        return seeds
    }
}

/// The seeds' clock, moved on by hand.
private final class SeedClock: HistoryClock, @unchecked Sendable {
    // Safe: used by one thread only, the one writing the seeds.
    private var now_: Date
    init(_ start: Date) { now_ = start }
    func advance(_ seconds: Double) { now_ += seconds }
    func now() -> Date { now_ }
}
