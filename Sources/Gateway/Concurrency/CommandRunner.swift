import Foundation
import Logging
import Synchronization
import Vocabulary

/// How a command ended.
enum CommandOutcome: Sendable, Equatable {
    /// Exit status 0.
    case succeeded
    /// A non-zero exit status, or a signal.
    case failed(status: Int32)
    /// It did not end within the time-out: SIGTERM, then SIGKILL.
    case timedOut
    /// It could not be started (missing program, not executable).
    case notStarted

    var succeeded: Bool { self == .succeeded }
}

/// Runs the configured lock, unlock, door and alarm commands as real processes, without waiting on anything else:
/// an argument vector, no shell, no PATH search, standard input from /dev/null. A command that outlives its time-out
/// gets SIGTERM, and SIGKILL one second later.
struct CommandRunner: Sendable {
    /// Where failures are logged.
    let logger: Logger
    /// The time-out of one run.
    let timeout: Duration

    /// Starts the commands: `Process.run()` blocks for the fork and exec (a millisecond or more), which must not hold one
    /// of the few threads of Swift's cooperative pool that the terminals and doors share.
    static let spawner = WorkerThreads(name: "cardgate.spawn", count: 1)

    /// How a started command ended: its status and whether it exited (rather than being killed by a signal).
    private struct Ending: Sendable {
        let status: Int32
        let exited: Bool
    }

    /// Runs `argv` to its end and tells how it ended.
    func run(_ argv: [String], what: String) async -> CommandOutcome {
        let (ended, continuation) = AsyncStream<Ending>.makeStream()
        let started: Result<pid_t, any Error> = await Self.spawner.run {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: argv.first ?? "/nonexistent")
            process.arguments = Array(argv.dropFirst())
            process.standardInput = FileHandle.nullDevice
            process.terminationHandler = { finished in
                continuation.yield(Ending(status: finished.terminationStatus, exited: finished.terminationReason == .exit))
                continuation.finish()
            }
            return Result { try process.run(); return process.processIdentifier }
        }
        let pid: pid_t
        switch started {
        case .success(let started): pid = started
        case .failure(let error):
            logger.critical("command cannot be started", metadata: ["command": "\(what)", "program": "\(argv.first ?? "")", "error": "\(error)"])
            return .notStarted
        }
        let stopped = Atomic<Bool>(false)
        let watchdog = Task { [timeout] in
            try await Task.sleep(for: timeout)
            stopped.store(true, ordering: .sequentiallyConsistent)
            Self.signal(pid, SIGTERM)
            try await Task.sleep(for: .seconds(1))
            Self.signal(pid, SIGKILL)
        }
        var ending = Ending(status: -1, exited: false)
        for await value in ended { ending = value }
        watchdog.cancel()
        if stopped.load(ordering: .sequentiallyConsistent) {
            logger.error("command timed out and was stopped", metadata: ["command": "\(what)", "timeout": "\(timeout)"])
            return .timedOut
        }
        guard ending.exited, ending.status == 0 else {
            logger.error("command failed", metadata: ["command": "\(what)", "status": "\(ending.status)", "reason": "\(ending.exited ? "exit" : "signal")"])
            return .failed(status: ending.status)
        }
        return .succeeded
    }

    /// Sends `signal` to the command's whole process group when it leads one (Foundation starts each command in a group
    /// of its own), so that a shell's children stop with it; otherwise to the command alone.
    private static func signal(_ pid: pid_t, _ signal: Int32) {
        if getpgid(pid) == pid {
            kill(-pid, signal)
        } else {
            kill(pid, signal)
        }
    }

    /// Runs a lock command, trying again `retries` times after `delay` while it fails.
    func runLock(_ argv: [String], what: String, retries: Int, delay: Duration) async -> Bool {
        for attempt in 0...retries {
            if attempt > 0 {
                logger.warning("lock command failed; trying again", metadata: ["command": "\(what)", "attempt": "\(attempt + 1)"])
                try? await Task.sleep(for: delay)
            }
            if await run(argv, what: what).succeeded { return true }
        }
        return false
    }
}
