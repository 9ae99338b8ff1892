import Dispatch
import Foundation

/// Waits for the first of: a signal, the end of standard input, or the link ending by itself.
// @unchecked Sendable: `reason` is only read and written with `lock` held; the rest are lets of
// thread-safe types (semaphore, dispatch sources kept alive in `sources` under the lock).
final class StopSignal: @unchecked Sendable {
    enum Reason: Equatable { case signal(Int32), endOfInput, linkEnded }

    private let lock = NSLock()
    private let semaphore = DispatchSemaphore(value: 0)
    private var reason: Reason?
    private var sources: [any DispatchSourceSignal] = []

    var hasFired: Bool { lock.withLock { reason != nil } }

    /// Records the first reason and wakes ``wait()``; later calls are ignored.
    func fire(_ why: Reason) {
        let first: Bool = lock.withLock {
            guard reason == nil else { return false }
            reason = why
            return true
        }
        if first { semaphore.signal() }
    }

    /// Blocks until the first reason arrives and returns it.
    func wait() -> Reason {
        semaphore.wait()
        return lock.withLock { reason! }
    }

    /// Turns each signal into a stop (the default action, which would kill the process, is ignored).
    func watchSignals(_ signals: [Int32]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.fire(.signal(number)) }
            source.resume()
            lock.withLock { sources.append(source) }
        }
    }

    /// Reads standard input on a thread of its own until it ends, then stops.
    func watchStandardInputEnd() {
        Thread.detachNewThread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(STDIN_FILENO, &buffer, buffer.count)
                if n > 0 { continue }
                if n < 0 && errno == EINTR { continue }
                break
            }
            self?.fire(.endOfInput)
        }
    }
}
