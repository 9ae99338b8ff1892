import CPCSCLite
import Synchronization

/// A connection to the PC/SC resource manager (pcscd): lists readers and opens card connections.
///
/// pcsc-lite serialises the calls made on one context, so a context can be shared between threads. None of
/// its calls waits for a card: ``connect(reader:responseTimeout:)`` gives each card connection a context of
/// its own, so that a card that stops answering cannot block this one, and ``ReaderMonitor`` waits for
/// events on contexts of its own.
///
/// ```swift
/// let context = try PCSCContext()
/// defer { context.release() }
/// for reader in try context.listReaders() { print(reader) }
/// ```
public final class PCSCContext: Sendable {
    private let handle: SCARDCONTEXT
    private let released = Mutex(false)

    /// Establishes a context with pcscd (`SCardEstablishContext`, system scope).
    ///
    /// Throws ``SmartCardError`` with ``PCSCError/noService`` when pcscd is not running.
    public init() throws(SmartCardError) {
        var context: SCARDCONTEXT = 0
        let result = PCSC.result(SCardEstablishContext(PCSC.scopeSystem, nil, nil, &context))
        guard result == .success else {
            throw SmartCardError(result == .noService ? .pcsc(.noService) : .pcsc(result),
                                 result == .noService
                                    ? "PC/SC service not running: start pcscd (systemctl start pcscd, or hardware/pcscd-virtual.sh start for the virtual readers)"
                                    : "SCardEstablishContext failed: \(result)")
        }
        handle = context
    }

    deinit {
        release()
    }

    /// Releases the context (`SCardReleaseContext`). Safe to call more than once.
    public func release() {
        let first = released.withLock { wasReleased in
            defer { wasReleased = true }
            return !wasReleased
        }
        if first { _ = SCardReleaseContext(handle) }
    }

    /// Whether pcscd still knows this context (false after a pcscd restart or ``release()``).
    public var isValid: Bool {
        !released.withLock { $0 } && PCSC.result(SCardIsValidContext(handle)) == .success
    }

    /// The names of the readers pcscd knows, e.g. `["CardGate Test A 00 00", …]`; empty when there is none.
    public func listReaders() throws(SmartCardError) -> [String] {
        try checkOpen()
        var length: DWORD = 0
        var result = PCSC.result(SCardListReaders(handle, nil, nil, &length))
        if result == .noReadersAvailable { return [] }
        guard result == .success else { throw SmartCardError("SCardListReaders", result) }
        // The list can grow between the two calls: retry with the new length.
        while true {
            var buffer = [CChar](repeating: 0, count: Int(length))
            result = PCSC.result(SCardListReaders(handle, nil, &buffer, &length))
            switch result {
            case .success: return PCSC.names(fromMultiString: buffer)
            case .noReadersAvailable: return []
            case .insufficientBuffer: continue
            default: throw SmartCardError("SCardListReaders", result)
            }
        }
    }

    /// The current state of every reader: card present or not, and the card's ATR.
    public func readerStatuses() throws(SmartCardError) -> [ReaderStatus] {
        let names = try listReaders()
        var all: [(flags: DWORD, atr: [UInt8])] = []
        // pcsc-lite 1.9 takes at most 16 reader states per call.
        for start in stride(from: 0, to: names.count, by: MonitorLoop.maxStatesPerCall) {
            var states = ReaderStates(names: Array(names[start..<min(start + MonitorLoop.maxStatesPerCall, names.count)]))
            defer { states.free() }
            let result = states.withStates { PCSC.result(SCardGetStatusChange(handle, 0, $0, $1)) }
            // A reader that vanished between the two calls makes the whole call fail: list again.
            if result == .unknownReader { return try readerStatuses() }
            guard result == .success || result == .timeout else { throw SmartCardError("SCardGetStatusChange", result) }
            all += states.states.map { ($0.dwEventState, PCSC.atr(of: $0)) }
        }
        return zip(names, all).map { name, state in
            let flags = state.flags
            let present = flags & PCSC.State.present != 0
            return ReaderStatus(
                name: name,
                cardPresent: present,
                atr: present ? state.atr : [],
                mute: flags & PCSC.State.mute != 0,
                inUse: flags & (PCSC.State.inUse | PCSC.State.exclusive) != 0
            )
        }
    }

    /// Opens a shared connection (T=0 or T=1) to the card in `reader`.
    ///
    /// The connection has its own PC/SC context and its own thread; every call on it gives up after
    /// `responseTimeout` with ``SmartCardError/Code/cardNotResponding``.
    public func connect(reader: String, responseTimeout: Duration = .seconds(5)) throws(SmartCardError) -> CardConnection {
        try checkOpen()
        return try CardConnection(reader: reader, responseTimeout: responseTimeout)
    }

    private func checkOpen() throws(SmartCardError) {
        if released.withLock({ $0 }) {
            throw SmartCardError(.closed, "this PC/SC context was released; establish a new one")
        }
    }
}
