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
    public typealias Element = ReaderEvent
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

    /// Whether the monitor currently holds a context with pcscd (false while pcscd is down).
    public var isConnectedToService: Bool { loop.isConnectedToService }

    public func makeAsyncIterator() -> AsyncStream<ReaderEvent>.Iterator {
        events.makeAsyncIterator()
    }
}

/// The monitor's thread and the state it shares with ``ReaderMonitor/stop()``.
private final class MonitorLoop: Sendable {
    private struct Control {
        var stopping = false
        var context: SCARDCONTEXT?
    }

    /// What the loop knows about one reader.
    private struct Tracked {
        let name: String
        var flags: DWORD
        var present: Bool { flags & PCSC.State.present != 0 }
    }

    private let continuation: AsyncStream<ReaderEvent>.Continuation
    private let backoff: ReaderMonitor.Backoff
    private let control = Mutex(Control())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let done = Mutex(false)

    init(continuation: AsyncStream<ReaderEvent>.Continuation, backoff: ReaderMonitor.Backoff) {
        self.continuation = continuation
        self.backoff = backoff
    }

    var isConnectedToService: Bool { control.withLock { $0.context != nil } }

    private var stopping: Bool { control.withLock { $0.stopping } }

    func stop() {
        let context: SCARDCONTEXT? = control.withLock {
            $0.stopping = true
            return $0.context
        }
        wake.signal()
        if done.withLock({ $0 }) { return }
        // SCardCancel only reaches a thread already waiting in pcscd; repeat it until the thread has ended,
        // in case the thread was between two calls when the first one arrived.
        for _ in 0..<100 {
            if let context { _ = SCardCancel(context) }
            if finished.wait(timeout: .now() + .milliseconds(20)) == .success {
                finished.signal()  // let any other stop() caller through too
                return
            }
        }
    }

    // MARK: - The thread

    func run() {
        var tracked: [Tracked] = []
        var delay = backoff.initial
        while !stopping {
            var context: SCARDCONTEXT = 0
            let established = PCSC.result(SCardEstablishContext(PCSC.scopeSystem, nil, nil, &context))
            if established == .success {
                let registered = control.withLock { control -> Bool in
                    guard !control.stopping else { return false }
                    control.context = context
                    return true
                }
                if !registered {
                    _ = SCardReleaseContext(context)
                    break
                }
                let worked = session(context, &tracked)
                control.withLock { $0.context = nil }
                _ = SCardReleaseContext(context)
                if stopping { break }
                // pcscd went away (or misbehaves): everything is gone until it is back.
                forgetAll(&tracked)
                if worked { delay = backoff.initial }
            }
            pause(delay)
            delay = min(delay * 2, backoff.maximum)
        }
        done.withLock { $0 = true }
        continuation.finish()
        finished.signal()
    }

    /// Follows readers and cards on `context` until pcscd goes away, stop is requested, or a call fails.
    /// Returns whether at least one wait for changes succeeded (to reset the back-off).
    private func session(_ context: SCARDCONTEXT, _ tracked: inout [Tracked]) -> Bool {
        var plugAndPlayFlags = PCSC.State.unaware
        var succeeded = false
        var quickEmptyReturns = 0
        while !stopping {
            guard let names = listReaders(context) else { return succeeded }
            reconcile(names, &tracked)

            var states = ReaderStates(
                names: tracked.map(\.name) + [PCSC.plugAndPlayReader],
                current: tracked.map(\.flags) + [plugAndPlayFlags]
            )
            let started = ContinuousClock.now
            let result = states.withStates { PCSC.result(SCardGetStatusChange(context, PCSC.infinite, $0, $1)) }
            let elapsed = ContinuousClock.now - started
            var reported = false
            if result == .success {
                succeeded = true
                let readerStates = Array(states.states.dropLast())
                plugAndPlayFlags = states.states.last!.dwEventState & ~PCSC.State.changed
                reported = apply(readerStates, &tracked)
            }
            states.free()

            switch result {
            case .success, .timeout, .cancelled, .unknownReader:
                // unknownReader: a reader vanished between listing and waiting; list again.
                break
            default:
                print("DEBUG monitor: \(result)")
                return succeeded
            }
            // Guard against a busy loop should pcscd keep returning at once without news.
            if !reported && elapsed < .milliseconds(5) {
                quickEmptyReturns += 1
                if quickEmptyReturns >= 20 {
                    pause(.milliseconds(200))
                    quickEmptyReturns = 0
                }
            } else {
                quickEmptyReturns = 0
            }
        }
        return succeeded
    }

    private func listReaders(_ context: SCARDCONTEXT) -> [String]? {
        var length: DWORD = 0
        var result = PCSC.result(SCardListReaders(context, nil, nil, &length))
        while true {
            switch result {
            case .noReadersAvailable: return []
            case .success, .insufficientBuffer: break
            default: return nil
            }
            var buffer = [CChar](repeating: 0, count: Int(length))
            result = PCSC.result(SCardListReaders(context, nil, &buffer, &length))
            if result == .success { return PCSC.names(fromMultiString: buffer) }
        }
    }

    /// Brings `tracked` in line with the reader list, reporting readers added and removed.
    private func reconcile(_ names: [String], _ tracked: inout [Tracked]) {
        let current = Set(names)
        for gone in tracked where !current.contains(gone.name) {
            report(removalOf: gone)
        }
        tracked.removeAll { !current.contains($0.name) }
        let known = Set(tracked.map(\.name))
        for name in names where !known.contains(name) {
            tracked.append(Tracked(name: name, flags: PCSC.State.unaware))
            continuation.yield(.readerAdded(name))
        }
    }

    /// Reports what changed in `states` (same order as `tracked`); returns whether anything was reported.
    private func apply(_ states: [SCARD_READERSTATE], _ tracked: inout [Tracked]) -> Bool {
        var reported = false
        var vanished: Set<String> = []
        for (index, state) in states.enumerated() where index < tracked.count {
            let old = tracked[index]
            let flags = state.dwEventState
            if flags & PCSC.State.unknown != 0 {
                report(removalOf: old)
                vanished.insert(old.name)
                reported = true
                continue
            }
            let isPresent = flags & PCSC.State.present != 0
            // The upper 16 bits count insertions and removals: a change while present means a swap.
            let swapped = old.flags != PCSC.State.unaware && PCSC.State.counter(old.flags) != PCSC.State.counter(flags)
            if old.present && (!isPresent || swapped) {
                continuation.yield(.cardRemoved(reader: old.name))
                reported = true
            }
            if isPresent && (!old.present || swapped) {
                continuation.yield(.cardInserted(reader: old.name, atr: PCSC.atr(of: state)))
                reported = true
            }
            tracked[index].flags = flags & ~PCSC.State.changed
        }
        tracked.removeAll { vanished.contains($0.name) }
        return reported
    }

    private func report(removalOf reader: Tracked) {
        if reader.present { continuation.yield(.cardRemoved(reader: reader.name)) }
        continuation.yield(.readerRemoved(reader.name))
    }

    private func forgetAll(_ tracked: inout [Tracked]) {
        tracked.forEach(report(removalOf:))
        tracked = []
    }

    /// Sleeps for `duration` unless stop is requested meanwhile.
    private func pause(_ duration: Duration) {
        guard !stopping else { return }
        _ = wake.wait(timeout: .now() + duration.dispatchInterval)
    }
}
