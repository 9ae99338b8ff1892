import Foundation
import Logging

/// Runs the configured lock, unlock and door commands as real processes: an argument vector, no shell, no PATH
/// search, the service's environment.
struct CommandRunner: Sendable {
    /// Where failures are logged.
    let logger: Logger

    /// Starts `argv` and returns at once; a failure to start or a non-zero exit is logged. For lock commands,
    /// which must start without waiting for anything.
    func start(_ argv: [String], what: String) {
        let process = makeProcess(argv)
        let logger = logger
        process.terminationHandler = { finished in
            if finished.terminationStatus != 0 {
                logger.error("command failed", metadata: ["command": "\(what)", "status": "\(finished.terminationStatus)"])
            }
        }
        do {
            try process.run()
        } catch {
            logger.critical("command cannot be started", metadata: ["command": "\(what)", "program": "\(argv.first ?? "")", "error": "\(error)"])
        }
    }

    /// Runs `argv` to its end (at most `timeout`) and tells whether it exited with status 0. Blocks: call it from
    /// the gateway's own queue, never from the cooperative pool.
    func run(_ argv: [String], what: String, timeout: TimeInterval = 10) -> Bool {
        let process = makeProcess(argv)
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do {
            try process.run()
        } catch {
            logger.critical("command cannot be started", metadata: ["command": "\(what)", "program": "\(argv.first ?? "")", "error": "\(error)"])
            return false
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            logger.error("command timed out", metadata: ["command": "\(what)"])
            return false
        }
        if process.terminationStatus != 0 {
            logger.error("command failed", metadata: ["command": "\(what)", "status": "\(process.terminationStatus)"])
            return false
        }
        return true
    }

    private func makeProcess(_ argv: [String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv.first ?? "/nonexistent")
        process.arguments = Array(argv.dropFirst())
        process.standardInput = FileHandle.nullDevice
        return process
    }
}
