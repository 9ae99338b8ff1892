import CPCSCLite
import Dispatch
import Foundation
import Synchronization

/// Watches every reader and card and yields ``ReaderEvent``s as an `AsyncSequence`.
///
/// On start it reports the readers (and cards) already there, then every change: readers added or removed
/// (through pcsc-lite's `\\?PnP?\Notification` reader) and cards inserted (with their ATR) or removed. It
/// waits in `SCardGetStatusChange` with an infinite time-out on a thread of its own, so it uses no CPU
/// while nothing happens. When pcscd stops, it reports every card and reader removed (fail closed),
/// re-establishes its context with exponential back-off and reports them added again once pcscd is back.
///
/// ```swift
/// let monitor = ReaderMonitor()
/// for await event in monitor {
///     print(event)
/// }
/// // elsewhere: monitor.stop()
/// ```
/// One consumer at a time: every iterator draws from the same stream.
public final class ReaderMonitor: AsyncSequence, Sendable {
    /// The sequence yields reader events.
    public typealias Element = ReaderEvent
    /// Iterates over ``events``.
    public typealias AsyncIterator = AsyncStream<ReaderEvent>.Iterator

    /// How long to wait between attempts to reach pcscd while it is down.
    public struct Backoff: Sendable, Equatable {
        /// The first pause after pcscd went away.
        public var initial: Duration
        /// The longest pause; pauses double up to it.
        public var maximum: Duration

        /// Makes a back-off policy.
        public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(1)) {
            self.initial = initial
            self.maximum = Swift.max(initial, maximum)
        }
    }

    /// How many readers one waiting thread watches: pcsc-lite 1.9 takes at most 16 reader states per
    /// `SCardGetStatusChange` call, and one of them is the PnP notification reader.
    public static let readersPerWait = MonitorLoop.maxStatesPerCall - 1

    /// The events, in the order they happened. Finishes after ``stop()``.
    public let events: AsyncStream<ReaderEvent>
    private let loop: MonitorLoop

    /// Starts monitoring at once on a thread of its own.
    public init(backoff: Backoff = Backoff()) {
        let (stream, continuation) = AsyncStream.makeStream(of: ReaderEvent.self, bufferingPolicy: .unbounded)
        events = stream
        let loop = MonitorLoop(continuation: continuation, backoff: backoff)
        self.loop = loop
        continuation.onTermination = { _ in
            // The consumer went away (its task was cancelled): stop without blocking this thread.
            DispatchQueue.global().async { loop.stop() }
        }
        let thread = Thread { loop.run() }
        thread.name = "cardgate.reader-monitor"
        thread.start()
    }

    deinit {
        loop.stop()
    }

    /// Stops monitoring: cancels the wait in pcscd (`SCardCancel` on the monitor's context), ends the
    /// thread and finishes ``events``. Returns when the thread has ended (promptly; at most about 2 s if
    /// pcscd itself does not answer). Safe to call more than once.
    public func stop() {
        loop.stop()
    }

    /// Whether the monitor's thread is still running (false after ``stop()`` or once the consumer's task
    /// was cancelled).
    public var isRunning: Bool { loop.isRunning }

    /// Whether the monitor currently holds a context with pcscd (false while pcscd is down).
    public var isConnectedToService: Bool { loop.isConnectedToService }

    /// An iterator over ``events`` (one consumer at a time).
    public func makeAsyncIterator() -> AsyncStream<ReaderEvent>.Iterator {
        events.makeAsyncIterator()
    }
}

