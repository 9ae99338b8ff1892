import CPCSCLite
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The moment pcscd reports a card change, seen by a PC/SC client of its own: a thread waiting in
/// `SCardGetStatusChange` on the benchmark's readers, which time-stamps each return before doing anything else.
///
/// pcscd wakes every client waiting on a reader when it notices the change (its vpcd presence poll), the gateway
/// daemon's monitor and this one alike, so this time stamp is the "pcscd reported the card change" of the
/// daemon's latency. If this thread is woken later than the daemon's (both compete for the CPU with the PIN
/// hashes), the latencies measured from it come out shorter by that delay, never longer.
final class CardWatch: @unchecked Sendable {
    // @unchecked Sendable: `edges` is read and written only under `condition`'s lock; the rest is immutable.

    /// One card change in one reader.
    struct Edge: Sendable {
        var reader: String
        var present: Bool
        var at: Moment
    }

    private let readers: [String]
    private let condition = NSCondition()
    private var edges: [Edge] = []
    private var present: [String: Bool] = [:]
    private var failure: String?
    private var context: SCARDCONTEXT = 0

    /// Starts watching `readers` (which must exist in pcscd) on a thread of its own.
    init(readers: [String]) throws {
        self.readers = readers
        guard SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &context) == SCARD_S_SUCCESS else {
            throw BenchError("cannot reach pcscd (SCardEstablishContext failed); start it with hardware/pcscd-virtual.sh start")
        }
        let thread = Thread { [self] in loop() }
        thread.name = "bench.card-watch"
        thread.start()
        // The first round reports the current state of every reader.
        condition.lock()
        while present.count < readers.count && failure == nil { condition.wait() }
        let problem = failure
        condition.unlock()
        if let problem { throw BenchError(problem) }
    }

    /// Whether pcscd currently reports a card in `reader`.
    func isPresent(_ reader: String) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return present[reader] ?? false
    }

    /// The first change of `reader` to `present` seen after `after` (monotonic ns), waiting at most `timeout` s.
    func wait(_ reader: String, present wanted: Bool, after: UInt64, timeout: Double) -> Edge? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let edge = edges.first(where: { $0.reader == reader && $0.present == wanted && $0.at.monotonic > after }) { return edge }
            if failure != nil || !condition.wait(until: deadline) { return nil }
        }
    }

    private func loop() {
        let names = readers.map { strdup($0)! }
        defer { names.forEach { free($0) } }
        var states = names.map { name -> SCARD_READERSTATE in
            var state = SCARD_READERSTATE()
            state.szReader = UnsafePointer(name)
            state.dwCurrentState = DWORD(SCARD_STATE_UNAWARE)
            return state
        }
        var first = true
        while true {
            let result = states.withUnsafeMutableBufferPointer {
                SCardGetStatusChange(context, DWORD(0xFFFF_FFFF), $0.baseAddress!, DWORD($0.count))
            }
            let at = Moment.now()  // before anything else
            if result == SCARD_E_TIMEOUT { continue }
            guard result == SCARD_S_SUCCESS else {
                condition.lock()
                failure = "SCardGetStatusChange failed (0x\(String(UInt32(truncatingIfNeeded: result), radix: 16))); are the readers \(readers) in pcscd?"
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.lock()
            for index in states.indices {
                let event = states[index].dwEventState
                if event & DWORD(SCARD_STATE_UNKNOWN) != 0 {
                    failure = "reader \(readers[index]) is not known to pcscd"
                }
                let isPresent = event & DWORD(SCARD_STATE_PRESENT) != 0
                let was = present[readers[index]]
                if !first, let was, was != isPresent {
                    edges.append(Edge(reader: readers[index], present: isPresent, at: at))
                }
                present[readers[index]] = isPresent
                states[index].dwCurrentState = event & ~DWORD(SCARD_STATE_CHANGED)
            }
            first = false
            condition.broadcast()
            let stop = failure != nil
            condition.unlock()
            if stop { return }
        }
    }
}

/// A benchmark step that cannot go on, with what to do about it.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
