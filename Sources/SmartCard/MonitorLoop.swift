import CPCSCLite
import Dispatch
import Foundation
import Synchronization

/// The threads behind ``ReaderMonitor`` and the state they share.
///
/// pcsc-lite 1.9 accepts at most 16 reader states in one `SCardGetStatusChange` call, the PnP
/// notification reader included, while pcscd itself can hold 16 readers. So the coordinator thread splits
/// the readers into groups of at most 15 and starts one waiter thread per group, each with a context of its
/// own, waiting on its group plus the PnP reader with an infinite time-out. When a waiter returns because
/// the reader list changed (or pcscd went away), the coordinator cancels the others, lists the readers
/// again and starts a new generation of waiters.
final class MonitorLoop: Sendable {
    /// Reader states per `SCardGetStatusChange` call in pcsc-lite 1.9 (`PCSCLITE_MAX_READERS_CONTEXTS`).
    static let maxStatesPerCall = 16

    /// Why a waiter returned.
    private enum Exit: Equatable {
        /// The reader list changed (PnP notification, a reader vanished): list again.
        case readersChanged
        /// pcscd is unreachable or a call failed: release everything and reconnect with back-off.
        case serviceLost
        /// Stop was requested, or the coordinator ended this generation.
        case cancelled
    }

    private struct Control {
        var stopping = false
        /// Every context in use, so that stop() and the coordinator can cancel their waits.
        var contexts: [Int: SCARDCONTEXT] = [:]
        var nextContextID = 0
        /// The generation whose waiters should keep waiting.
        var generation = 0
    }

    private let continuation: AsyncStream<ReaderEvent>.Continuation
    private let backoff: ReaderMonitor.Backoff
    private let control = Mutex(Control())
    /// The last `dwEventState` of every known reader (also the next `dwCurrentState`).
    private let flags = Mutex<[String: DWORD]>([:])
    /// The last `dwEventState` of the PnP reader (its upper 16 bits count reader events in pcsc-lite 2).
    private let plugAndPlayFlags = Mutex<DWORD>(0)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let done = Mutex(false)
    private let serviceConnected = Mutex(false)

    init(continuation: AsyncStream<ReaderEvent>.Continuation, backoff: ReaderMonitor.Backoff) {
        self.continuation = continuation
        self.backoff = backoff
    }

    var isConnectedToService: Bool { serviceConnected.withLock { $0 } }

    var isRunning: Bool { !done.withLock { $0 } }

    private var stopping: Bool { control.withLock { $0.stopping } }

    /// Requests the stop and returns when the coordinator thread has ended (at most about 2 s).
    func stop() {
        control.withLock { $0.stopping = true }
        wake.signal()
        if done.withLock({ $0 }) { return }
        // SCardCancel only reaches a thread already waiting inside pcscd: repeat it until the threads have
        // ended, in case one was between two calls when the first cancel arrived.
        for _ in 0..<100 {
            cancelAll()
            if finished.wait(timeout: .now() + .milliseconds(20)) == .success {
                finished.signal()  // let another stop() caller through too
                return
            }
        }
    }

    private func cancelAll() {
        for context in control.withLock({ Array($0.contexts.values) }) {
            _ = SCardCancel(context)
        }
    }

    // MARK: - Contexts

    /// Establishes a context and registers it for cancellation; nil if pcscd is unreachable or stopping.
    private func openContext(generation: Int? = nil) -> (id: Int, context: SCARDCONTEXT)? {
        var context: SCARDCONTEXT = 0
        guard PCSC.result(SCardEstablishContext(PCSC.scopeSystem, nil, nil, &context)) == .success else { return nil }
        let id: Int? = control.withLock { control in
            guard !control.stopping, generation.map({ $0 == control.generation }) ?? true else { return nil }
            let id = control.nextContextID
            control.nextContextID += 1
            control.contexts[id] = context
            return id
        }
        guard let id else {
            _ = SCardReleaseContext(context)
            return nil
        }
        return (id, context)
    }

    private func closeContext(_ id: Int, _ context: SCARDCONTEXT) {
        control.withLock { _ = $0.contexts.removeValue(forKey: id) }
        _ = SCardReleaseContext(context)
    }

    // MARK: - Coordinator

    /// The coordinator thread: (re)connects to pcscd and runs sessions until stopped.
    func run() {
        var readers: [String] = []
        var delay = backoff.initial
        while !stopping {
            if let (id, context) = openContext() {
                serviceConnected.withLock { $0 = true }
                let worked = session(context, &readers)
                serviceConnected.withLock { $0 = false }
                closeContext(id, context)
                if stopping { break }
                // pcscd went away (or misbehaves): every card and reader is gone until it is back.
                forget(&readers, keeping: [])
                if worked { delay = backoff.initial }
            }
            pause(delay)
            delay = min(delay * 2, backoff.maximum)
        }
        done.withLock { $0 = true }
        continuation.finish()
        finished.signal()
    }

    /// Lists readers and runs generations of waiters until pcscd goes away or stop is requested.
    /// Returns whether any generation ran (to reset the back-off).
    private func session(_ context: SCARDCONTEXT, _ readers: inout [String]) -> Bool {
        var ran = false
        var quickGenerations = 0
        while !stopping {
            guard let names = listReaders(context) else { return ran }
            reconcile(names, &readers)
            let started = ContinuousClock.now
            let exit = runGeneration(readers)
            ran = true
            switch exit {
            case .serviceLost: return ran
            case .cancelled: continue  // the loop condition sees the stop
            case .readersChanged: break
            }
            // Guard against a busy loop should pcscd keep reporting changes that are none.
            if ContinuousClock.now - started < .milliseconds(5) {
                quickGenerations += 1
                if quickGenerations >= 20 {
                    pause(.milliseconds(200))
                    quickGenerations = 0
                }
            } else {
                quickGenerations = 0
            }
        }
        return ran
    }

    /// Starts one waiter per group of readers; when the first returns, ends the others and reports why.
    private func runGeneration(_ readers: [String]) -> Exit {
        let generation = control.withLock { $0.generation }
        let groupSize = Self.maxStatesPerCall - 1
        let groups = readers.isEmpty ? [[]] : stride(from: 0, to: readers.count, by: groupSize).map {
            Array(readers[$0..<min($0 + groupSize, readers.count)])
        }
        let exits = Mutex<[Exit]>([])
        let exited = DispatchSemaphore(value: 0)
        for group in groups {
            let thread = Thread { [self] in
                let exit = wait(on: group, generation: generation)
                exits.withLock { $0.append(exit) }
                exited.signal()
            }
            thread.name = "cardgate.reader-monitor.waiter"
            thread.start()
        }
        exited.wait()
        // End this generation: the other waiters return as soon as their wait is cancelled.
        control.withLock { $0.generation += 1 }
        var remaining = groups.count - 1
        while remaining > 0 {
            cancelAll()
            if exited.wait(timeout: .now() + .milliseconds(20)) == .success { remaining -= 1 }
        }
        let all = exits.withLock { $0 }
        if all.contains(.serviceLost) { return .serviceLost }
        if all.contains(.readersChanged) { return .readersChanged }
        return .cancelled
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

    /// Brings `readers` in line with `names`, reporting readers added and removed.
    private func reconcile(_ names: [String], _ readers: inout [String]) {
        forget(&readers, keeping: Set(names))
        let known = Set(readers)
        for name in names where !known.contains(name) {
            readers.append(name)
            flags.withLock { $0[name] = PCSC.State.unaware }
            continuation.yield(.readerAdded(name))
        }
    }

    /// Reports every reader not in `keeping` removed (its card first) and drops it.
    private func forget(_ readers: inout [String], keeping: Set<String>) {
        for name in readers where !keeping.contains(name) {
            let last = flags.withLock { $0.removeValue(forKey: name) } ?? 0
            if last & PCSC.State.present != 0 { continuation.yield(.cardRemoved(reader: name)) }
            continuation.yield(.readerRemoved(name))
        }
        readers.removeAll { !keeping.contains($0) }
    }

    // MARK: - Waiters

    /// A waiter thread: waits for changes of `group` (and of the reader list) and reports card events.
    private func wait(on group: [String], generation: Int) -> Exit {
        guard let (id, context) = openContext(generation: generation) else {
            return stopping || control.withLock({ $0.generation != generation }) ? .cancelled : .serviceLost
        }
        defer { closeContext(id, context) }
        var quickEmptyReturns = 0
        while control.withLock({ !$0.stopping && $0.generation == generation }) {
            let current = flags.withLock { flags in group.map { flags[$0] ?? PCSC.State.unaware } }
            var states = ReaderStates(
                names: group + [PCSC.plugAndPlayReader],
                current: current + [plugAndPlayFlags.withLock { $0 }]
            )
            let started = ContinuousClock.now
            let result = states.withStates { PCSC.result(SCardGetStatusChange(context, PCSC.infinite, $0, $1)) }
            let elapsed = ContinuousClock.now - started
            let returned = states.states
            states.free()

            switch result {
            case .success:
                let plugAndPlay = returned.last!.dwEventState
                plugAndPlayFlags.withLock { $0 = plugAndPlay & ~PCSC.State.changed }
                let (reported, vanished) = apply(Array(returned.dropLast()), group)
                if vanished || plugAndPlay & PCSC.State.changed != 0 { return .readersChanged }
                if !reported && elapsed < .milliseconds(5) {
                    quickEmptyReturns += 1
                    if quickEmptyReturns >= 20 {
                        pause(.milliseconds(200))
                        quickEmptyReturns = 0
                    }
                } else {
                    quickEmptyReturns = 0
                }
            case .cancelled, .timeout:
                continue
            case .unknownReader:
                return .readersChanged  // a reader vanished between listing and waiting
            default:
                return .serviceLost
            }
        }
        return .cancelled
    }

    /// Reports the card changes in `states` (one per reader of `group`) and records the new flags.
    /// Returns whether anything was reported and whether a reader has vanished.
    private func apply(_ states: [SCARD_READERSTATE], _ group: [String]) -> (reported: Bool, vanished: Bool) {
        var reported = false
        var vanished = false
        for (name, state) in zip(group, states) {
            let new = state.dwEventState
            if new & PCSC.State.unknown != 0 {
                vanished = true  // the coordinator reports it when it lists the readers again
                continue
            }
            let old = flags.withLock { $0[name] } ?? PCSC.State.unaware
            let wasPresent = old & PCSC.State.present != 0
            let isPresent = new & PCSC.State.present != 0
            // The upper 16 bits count insertions and removals: a change while present means a swap.
            let swapped = old != PCSC.State.unaware && PCSC.State.counter(old) != PCSC.State.counter(new)
            if wasPresent && (!isPresent || swapped) {
                continuation.yield(.cardRemoved(reader: name))
                reported = true
            }
            if isPresent && (!wasPresent || swapped) {
                continuation.yield(.cardInserted(reader: name, atr: PCSC.atr(of: state)))
                reported = true
            }
            flags.withLock { $0[name] = new & ~PCSC.State.changed }
        }
        return (reported, vanished)
    }

    /// Sleeps for `duration` unless stop is requested meanwhile.
    private func pause(_ duration: Duration) {
        guard !stopping else { return }
        _ = wake.wait(timeout: .now() + duration.dispatchInterval)
    }
}
