#if canImport(Glibc)
import Glibc
#endif

/// One moment read from both clocks: CLOCK_MONOTONIC (to compare with other moments of this process) and
/// CLOCK_REALTIME (to compare with the lock command's own time stamp, bash's `$EPOCHREALTIME`).
struct Moment: Sendable {
    /// CLOCK_MONOTONIC in nanoseconds.
    var monotonic: UInt64
    /// CLOCK_REALTIME in seconds since 1970.
    var realtime: Double

    /// Now, on both clocks (read one after the other, well under a microsecond apart).
    static func now() -> Moment {
        Moment(monotonic: monotonicNanoseconds(), realtime: realtimeSeconds())
    }
}

/// CLOCK_MONOTONIC in nanoseconds.
func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// CLOCK_REALTIME in seconds.
func realtimeSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Blocks the calling thread for `seconds`. The benchmark's driver does this on purpose on the main thread (never a
/// thread of the cooperative pool), where waiting does not hold up the load workers.
func blockFor(_ seconds: Double) {
    usleep(useconds_t(max(0, seconds) * 1_000_000))
}
