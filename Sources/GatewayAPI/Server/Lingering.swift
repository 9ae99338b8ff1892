#if canImport(Glibc)
import Glibc
#endif

/// Refused connections the accepting thread keeps for a moment after answering them: it reads and drops whatever the
/// client still sends and closes each at its end of file or after ``seconds``, whichever comes first. Closing at once
/// would make a client that had not yet written its request fail with a broken pipe instead of reading the answer.
/// At most ``capacity`` are kept (the oldest is closed first), so a flood of refused callers never holds descriptors.
struct Lingering {
    static let capacity = 16
    static let seconds = 1.0

    private var entries: [(fd: Int32, deadline: Double)] = []

    /// The descriptors to watch for input, in the order of ``serve(_:)``.
    var pollFDs: [pollfd] { entries.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) } }

    /// How long `poll` may wait: until the first deadline, or for ever when nothing lingers.
    var timeoutMilliseconds: Int32 {
        guard let first = entries.map(\.deadline).min() else { return -1 }
        return Int32(max(0, min(1000, (first - Self.now()) * 1000)).rounded(.up))
    }

    /// Keeps `fd` (already answered, its writing side shut) until its client ends or the time is up.
    mutating func add(_ fd: Int32) {
        if entries.count >= Self.capacity {
            _ = close(entries.removeFirst().fd)
        }
        entries.append((fd, Self.now() + Self.seconds))
    }

    /// Reads what arrived on the lingering descriptors (`polled`, as returned by `poll`, in ``pollFDs``'s order) and
    /// closes those whose client ended or whose time is up.
    mutating func serve(_ polled: [pollfd]) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let now = Self.now()
        var kept: [(fd: Int32, deadline: Double)] = []
        for (index, entry) in entries.enumerated() {
            var ended = now >= entry.deadline
            if !ended, index < polled.count, polled[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                ended = count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR)
            }
            if ended { _ = close(entry.fd) } else { kept.append(entry) }
        }
        entries = kept
    }

    /// Closes everything still lingering.
    mutating func closeAll() {
        for entry in entries { _ = close(entry.fd) }
        entries = []
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
