import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Puts one ``CardEmulator`` into a virtual reader of a running pcscd, through vpcd's TCP protocol.
///
/// vpcd (the `vsmartcard-vpcd` driver inside pcscd) listens on a TCP port per reader slot; the card side
/// connects to it. Connecting is inserting the card, ``close()`` is removing it. Once connected, the link
/// serves vpcd's requests on a thread of its own: power on/off and reset (no reply), get-ATR (reply: the
/// emulator's ATR), and command APDUs (reply: the emulator's response, or nothing at all when the emulator
/// returns `nil`, which makes a mute card). The serving thread keeps the link alive while connected: call
/// ``close()`` to remove the card; dropping the last reference to a connected link does not.
///
/// ```swift
/// let link = VPCDLink(port: 35973, emulator: card)
/// try link.connect(timeout: .seconds(10))   // retries until pcscd/vpcd is up
/// // … the card is in the reader …
/// link.close()                                // card removed
/// ```
public final class VPCDLink: Sendable {
    /// Where the link is in its life.
    public enum State: Sendable, Equatable {
        /// Made, ``connect(timeout:)`` not called yet.
        case idle
        /// Trying to reach vpcd.
        case connecting
        /// Connected: the card is in the reader.
        case connected
        /// Closed by ``close()``, by vpcd going away (without `reconnect`), or by a failed connect.
        case closed
    }

    private struct Shared {
        var state: State = .idle
        var fd: Int32 = -1
        var closeRequested = false
    }

    /// The host vpcd runs on.
    public let host: String
    /// The vpcd port of the reader slot: PORT for slot "00 00", PORT+1 for slot "00 01".
    public let port: UInt16
    /// The card this link serves.
    public let emulator: any CardEmulator
    /// Whether the link connects again after vpcd went away (pcscd stopped), until ``close()``.
    public let reconnect: Bool
    /// Pause between two connection attempts while vpcd is not listening.
    public let retryInterval: Duration

    private let shared = Mutex(Shared())
    private let serving = DispatchGroup()

    /// Makes a link for `emulator` to the vpcd listening on `host:port`. Nothing happens before ``connect(timeout:)``.
    ///
    /// - Parameters:
    ///   - reconnect: keep the card inserted across pcscd restarts by connecting again whenever vpcd drops
    ///     the connection (until ``close()``).
    ///   - retryInterval: pause between connection attempts while vpcd is not up.
    public init(
        host: String = "127.0.0.1", port: UInt16, emulator: any CardEmulator,
        reconnect: Bool = false, retryInterval: Duration = .milliseconds(100)
    ) {
        self.host = host
        self.port = port
        self.emulator = emulator
        self.reconnect = reconnect
        self.retryInterval = retryInterval
    }

    deinit {
        close()
    }

    /// The current state.
    public var state: State { shared.withLock { $0.state } }

    /// Whether the card is in the reader (connected to vpcd) right now.
    public var isConnected: Bool { state == .connected }

    /// Connects to vpcd, retrying until it accepts, then serves the card on a thread of its own.
    ///
    /// Blocks the calling thread until connected. Gives up with ``VPCDError/Code/timedOut`` after `timeout`
    /// (nil = wait as long as it takes) and with ``VPCDError/Code/cancelled`` when ``close()`` is called
    /// meanwhile or the calling task is cancelled. A link connects once; make a new link to insert again.
    public func connect(timeout: Duration? = nil) throws(VPCDError) {
        let begin: State = shared.withLock {
            let previous = $0.state
            if previous == .idle { $0.state = .connecting }
            return previous
        }
        switch begin {
        case .idle: break
        case .closed where shared.withLock({ $0.closeRequested }):
            throw VPCDError(.cancelled, "the vpcd link to \(host):\(port) was closed before it connected")
        default:
            throw VPCDError(.alreadyStarted, "this vpcd link to \(host):\(port) was already started; make a new link to insert the card again")
        }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let fd: Int32
        do {
            fd = try establish(deadline: deadline)
        } catch {
            shared.withLock { $0.state = .closed }
            throw error
        }
        serving.enter()
        let thread = Thread { [self] in
            serve(fd)
            serving.leave()
        }
        thread.name = "vpcd-link-\(port)"
        thread.start()
    }

    /// Connects like ``connect(timeout:)`` without blocking the caller's thread; cancelling the task
    /// cancels the attempt.
    public func connect(timeout: Duration? = nil) async throws(VPCDError) {
        let result: Result<Void, VPCDError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                Thread { [self] in
                    do throws(VPCDError) {
                        try connect(timeout: timeout)
                        continuation.resume(returning: .success(()))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }.start()
            }
        } onCancel: {
            self.cancelPending()
        }
        try result.get()
    }

    /// Removes the card: closes the connection (vpcd sees the card gone within its next presence poll)
    /// and stops connecting or reconnecting. Safe to call more than once and from any thread.
    public func close() {
        shared.withLock {
            $0.closeRequested = true
            if $0.fd >= 0 { _ = shutdown($0.fd, Int32(SHUT_RDWR)) }
            if $0.state == .idle { $0.state = .closed }
        }
    }

    /// Waits until the serving thread has ended (after ``close()``, or when vpcd went away and `reconnect`
    /// is off). Returns false if `timeout` passed first.
    @discardableResult
    public func waitUntilClosed(timeout: Duration? = nil) -> Bool {
        guard let timeout else {
            serving.wait()
            return true
        }
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        return serving.wait(timeout: .now() + .nanoseconds(Int(max(0, nanoseconds)))) == .success
    }

    /// Waits, without blocking a thread, until the serving thread has ended.
    public func closed() async {
        await withCheckedContinuation { continuation in
            serving.notify(queue: .global()) { continuation.resume() }
        }
    }

    // MARK: - Connecting

    private func cancelPending() {
        shared.withLock {
            if $0.state == .idle || $0.state == .connecting { $0.closeRequested = true }
        }
    }

    private var stopRequested: Bool {
        shared.withLock { $0.closeRequested } || Task.isCancelled
    }

    /// Retries until vpcd accepts a connection; returns the connected descriptor (also recorded in `shared`).
    private func establish(deadline: ContinuousClock.Instant?) throws(VPCDError) -> Int32 {
        let retryMilliseconds = Int32(clamping: retryInterval.components.seconds * 1000 + retryInterval.components.attoseconds / 1_000_000_000_000_000)
        while true {
            if stopRequested { throw VPCDError(.cancelled, "the vpcd link to \(host):\(port) was closed before vpcd accepted the card") }
            if let deadline, ContinuousClock.now >= deadline {
                throw VPCDError(.timedOut, "vpcd did not accept a connection on \(host):\(port) in time; is pcscd running with a vpcd reader on that port (hardware/pcscd-virtual.sh status)?")
            }
            guard let addresses = VPCDSocket.resolve(host: host, port: port) else {
                throw VPCDError(.invalidAddress, "cannot resolve the vpcd host \(host); give a host name or an IP address")
            }
            for address in addresses {
                guard let fd = VPCDSocket.open(address) else { continue }
                let registered = shared.withLock { state -> Bool in
                    guard !state.closeRequested else { return false }
                    state.fd = fd
                    return true
                }
                guard registered else { VPCDSocket.closeDescriptor(fd); break }
                var outcome = VPCDSocket.Attempt.pending
                while outcome == .pending && !stopRequested && !(deadline.map { ContinuousClock.now >= $0 } ?? false) {
                    outcome = VPCDSocket.attempt(fd, to: address, waitMilliseconds: max(retryMilliseconds, 10))
                }
                let connected: Bool = shared.withLock { state in
                    if outcome == .connected && !state.closeRequested {
                        state.state = .connected
                        return true
                    }
                    state.fd = -1
                    return false
                }
                if connected { return fd }
                VPCDSocket.closeDescriptor(fd)
            }
            let pause = deadline.map { min(retryInterval, max(.zero, $0 - ContinuousClock.now)) } ?? retryInterval
            Thread.sleep(forTimeInterval: Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18)
        }
    }

    // MARK: - Serving

    private func serve(_ firstDescriptor: Int32) {
        var fd = firstDescriptor
        while true {
            exchange(fd)
            let again: Bool = shared.withLock { state in
                state.fd = -1
                if reconnect && !state.closeRequested {
                    state.state = .connecting
                    return true
                }
                state.state = .closed
                return false
            }
            VPCDSocket.closeDescriptor(fd)
            guard again, let next = try? establish(deadline: nil) else { break }
            fd = next
        }
        shared.withLock { $0.state = .closed }
    }

    /// Answers vpcd's requests until the connection ends.
    private func exchange(_ fd: Int32) {
        while let payload = VPCDSocket.readFrame(fd) {
            if let reply = VPCDRequest(payload: payload).reply(from: emulator), !VPCDSocket.writeFrame(fd, reply) { return }
        }
    }
}
