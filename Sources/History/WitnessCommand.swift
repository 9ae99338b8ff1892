#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A witness command: a program (argument list, no shell) that gets each checkpoint note on standard input and
/// must exit with status 0 within `timeout`, e.g. `/usr/bin/logger -t cardgate-witness` or an `ssh` to another host.
enum WitnessCommand {
    static let timeout: TimeInterval = 10

    /// Runs the command with the checkpoint on standard input.
    static func run(_ argv: [String], _ checkpoint: Checkpoint) throws(HistoryError) {
        guard let program = argv.first else { throw HistoryError(.configuration, "a witness command is empty") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(argv.dropFirst())
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw HistoryError(.witness, "the witness command \(program) could not be started: \(error.localizedDescription)")
        }
        writeIgnoringBrokenPipe(input.fileHandleForWriting.fileDescriptor, Array(checkpoint.note.utf8))
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw HistoryError(.witness, "the witness command \(program) did not finish within \(Int(timeout)) s; checkpoint \(checkpoint.number) is not witnessed by it")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile().prefix(300), as: UTF8.self)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw HistoryError(.witness, "the witness command \(program) refused checkpoint \(checkpoint.number) (status \(process.terminationStatus)): \(message)")
        }
    }

    /// Writes to a pipe with SIGPIPE blocked on this thread, so that a command that exits without reading its
    /// input cannot end the whole process; a pending SIGPIPE is consumed before the mask is restored.
    private static func writeIgnoringBrokenPipe(_ fd: Int32, _ bytes: [UInt8]) {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            written += n
        }
        var pending = sigset_t()
        sigpending(&pending)
        if sigismember(&pending, SIGPIPE) == 1 {
            var none = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&pipeSignal, nil, &none)
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }
}
