import CLinux
import Foundation
import Logging
import SmartCard
import Vocabulary

/// What the watchdog noticed.
enum WatchdogEvent: Sendable, Equatable {
    /// pcscd did not answer a probe within the time-out: everything must lock and refuse.
    case unresponsive
    /// pcscd answers again (after ``unresponsive``); these are the readers it reports now.
    case answering([ReaderStatus])
    /// The machine resumed from suspend (the wall clock jumped while the monotonic clock stood still).
    case resumed
}

/// Notices a pcscd that stops answering (stopped with SIGSTOP, deadlocked) — which the reader monitor, blocked in
/// `SCardGetStatusChange`, cannot see — and a resume from suspend.
///
/// While any place holds a card (``WatchList``), it probes pcscd every third of the time-out on a thread of its own
/// (a fresh context and a reader list); a probe that does not answer within the time-out means unresponsive, reported
/// once; the same probe answering later means pcscd is back. At rest (no card anywhere) it does not probe and does not
/// wake: a silent pcscd then changes nothing. A resume from suspend is noticed through a timerfd that the kernel wakes
/// when the wall clock is set, which it does on resume.
final class PCSCWatchdog: Sendable {
    let timeout: Duration
    private let watch: WatchList
    private let logger: Logger
    /// What the watchdog noticed, in order.
    let events: AsyncStream<WatchdogEvent>
    private let continuation: AsyncStream<WatchdogEvent>.Continuation

    init(timeout: Duration, watch: WatchList, logger: Logger) {
        self.timeout = timeout
        self.watch = watch
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Probes while a card is anywhere, until cancelled.
    func run() async {
        let interval = timeout / 3
        var wakeUps = watch.becameBusy.makeAsyncIterator()
        var unresponsive = false
        while !Task.isCancelled {
            if !unresponsive && !watch.isBusy {
                guard await wakeUps.next() != nil else { return }
                continue
            }
            let probe = Task.detached { await onThreadOfItsOwn(name: "cardgate.pcscd-probe") { Self.probe() } }
            // A race without a task group: a group would wait for the probe, which may never return.
            let (race, finisher) = AsyncStream<Bool>.makeStream()
            let waiter = Task.detached { _ = await probe.value; finisher.yield(true) }
            let clock = Task.detached { [timeout] in
                if (try? await Task.sleep(for: timeout)) != nil { finisher.yield(false) }
            }
            var first = race.makeAsyncIterator()
            let answered = await first.next() ?? true
            clock.cancel()
            _ = waiter
            if !answered {
                if !unresponsive {
                    unresponsive = true
                    logger.critical("pcscd does not answer; every terminal locks and every door refuses", metadata: ["timeout": "\(timeout)"])
                    continuation.yield(.unresponsive)
                }
            }
            let result = await probe.value  // the same probe: when it answers, pcscd is back
            if unresponsive {
                unresponsive = false
                logger.notice("pcscd answers again; readers listed again")
                continuation.yield(.answering((try? result.get()) ?? []))
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Waits for the kernel to say the wall clock was set and reports a resume when the clocks show a suspend. Blocks a
    /// thread of its own in `read()`; returns when the timer cannot be made.
    func watchForResume() async {
        let fd = cg_clock_change_timer()
        guard fd >= 0 else {
            logger.warning("resume from suspend cannot be watched (timerfd)")
            return
        }
        var detector = SuspendDetector(boot: cg_boottime_ns(), monotonic: cg_monotonic_ns())
        while !Task.isCancelled {
            let changed = await onThreadOfItsOwn(name: "cardgate.clock-watch") { () -> Bool in
                var expirations: UInt64 = 0
                let n = read(fd, &expirations, 8)
                return n < 0 && errno == ECANCELED
            }
            guard changed else { continue }
            _ = cg_clock_change_rearm(fd)
            if detector.suspended(boot: cg_boottime_ns(), monotonic: cg_monotonic_ns()) {
                logger.notice("the machine resumed from suspend; every terminal locks and readers are listed again")
                continuation.yield(.resumed)
            }
        }
    }

    /// One probe: a context and the reader list (with their cards), or the error.
    static func probe() -> Result<[ReaderStatus], SmartCardError> {
        Result { () throws(SmartCardError) -> [ReaderStatus] in
            let context = try PCSCContext()
            defer { context.release() }
            return try context.readerStatuses()
        }
    }
}

/// Tells a suspend from a mere clock change: during a suspend `CLOCK_BOOTTIME` runs on while `CLOCK_MONOTONIC` stands
/// still, so their difference grows.
struct SuspendDetector: Sendable {
    private var difference: Int64
    /// A difference growing by more than this (nanoseconds) is a suspend.
    static let threshold: Int64 = 1_000_000_000

    init(boot: Int64, monotonic: Int64) {
        difference = boot - monotonic
    }

    /// Whether the machine was suspended since the last call (or since creation).
    mutating func suspended(boot: Int64, monotonic: Int64) -> Bool {
        let now = boot - monotonic
        defer { difference = now }
        return now - difference > Self.threshold
    }
}
