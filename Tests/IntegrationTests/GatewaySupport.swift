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

/// hardware/pcscd-virtual.sh for the running pcscd's run folder (as Tests/SmartCardTests does).
enum PCSCDControl {
    static var script: String { GatewayRig.repository.appendingPathComponent("hardware/pcscd-virtual.sh").path }

    /// The run folder of the running pcscd (its `-c DIR/reader.conf.d`).
    static func runningRunDir() -> String? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for pid in entries where Int(pid) != nil {
            guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
                comm.trimmingCharacters(in: .whitespacesAndNewlines) == "pcscd",
                let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
            else { continue }
            let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if let index = arguments.firstIndex(of: "-c"), index + 1 < arguments.count {
                return URL(fileURLWithPath: arguments[index + 1]).deletingLastPathComponent().path
            }
        }
        return nil
    }

    /// Runs the script with `action` and returns its exit status (posix_spawn + waitpid: the script leaves pcscd
    /// running in the background, which can keep Foundation's Process waiting).
    @discardableResult
    static func run(_ action: String, runDir: String?) throws -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        if let runDir { environment["RUN_DIR"] = runDir }
        let arguments = ["/bin/bash", script, action]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/bash", nil, nil, argv, envp) == 0 else {
            throw BuiltTools.ToolError(description: "cannot run \(script)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status >> 8) & 0xFF
    }
}
