import APDU
import CPCSCLite
import Dispatch
import Synchronization

/// A shared connection to the card in one reader: raw APDU exchange, status and ATR.
///
/// Each connection has a PC/SC context and a serial worker thread of its own. Every call runs there and the
/// caller waits at most ``responseTimeout``: a card that never answers (vpcd waits for the emulator without
/// a time-out, and pcsc-lite's `SCardTransmit` cannot be cancelled) makes the call fail with
/// ``SmartCardError/Code/cardNotResponding`` instead of hanging. The connection is then abandoned: later
/// calls fail at once, and the worker disconnects and releases its context by itself as soon as pcscd
/// returns (when the card is removed or pcscd stops).
public final class CardConnection: APDUChannel, Sendable {
    /// The reader this connection is to.
    public let reader: String
    /// How long a call waits for the card before giving up.
    public let responseTimeout: Duration
    /// The protocol negotiated with the card.
    public let activeProtocol: CardProtocol

    private enum Phase { case open, closed, abandoned }

    private let context: SCARDCONTEXT
    private let card: SCARDHANDLE
    private let worker: DispatchQueue
    private let phase = Mutex(Phase.open)

    init(reader: String, responseTimeout: Duration) throws(SmartCardError) {
        guard !reader.isEmpty else { throw SmartCardError(.invalidArgument, "no reader name given; list the readers with `cardgate readers`") }
        self.reader = reader
        self.responseTimeout = responseTimeout
        let worker = DispatchQueue(label: "cardgate.pcsc.card")
        self.worker = worker

        var newContext: SCARDCONTEXT = 0
        let established = PCSC.result(SCardEstablishContext(PCSC.scopeSystem, nil, nil, &newContext))
        let context = newContext
        guard established == .success else {
            throw established == .noService
                ? SmartCardError(.pcsc(.noService), "PC/SC service not running: start pcscd (systemctl start pcscd, or hardware/pcscd-virtual.sh start)")
                : SmartCardError("SCardEstablishContext", established)
        }
        let opened = Self.run(on: worker, timeout: responseTimeout) { () -> (PCSCError, SCARDHANDLE, DWORD) in
            var handle: SCARDHANDLE = 0
            var proto: DWORD = 0
            let result = PCSC.result(SCardConnect(context, reader, PCSC.shareShared, PCSC.protocolT0 | PCSC.protocolT1, &handle, &proto))
            return (result, handle, proto)
        }
        guard let (result, handle, proto) = opened else {
            // Queued behind the stuck SCardConnect: releasing the context also drops a handle it may still get.
            worker.async { _ = SCardReleaseContext(context) }
            throw SmartCardError(.cardNotResponding, "the card in reader \"\(reader)\" did not answer within \(responseTimeout) while connecting; take it out and insert it again")
        }
        guard result == .success else {
            worker.async { _ = SCardReleaseContext(context) }
            throw SmartCardError("SCardConnect to \"\(reader)\"", result)
        }
        self.context = context
        self.card = handle
        self.activeProtocol = CardProtocol(pcsc: proto)
    }

    deinit {
        disconnect()
    }

    /// Sends one command APDU as is and returns the response (data ‖ SW1 ‖ SW2); no `61xx`/`6Cxx` handling.
    ///
    /// Throws ``SmartCardError/Code/cardNotResponding`` when the card does not answer within
    /// ``responseTimeout``, and the PC/SC code otherwise (``PCSCError/removedCard``, ``PCSCError/resetCard``…).
    public func transmit(_ command: [UInt8]) throws(SmartCardError) -> [UInt8] {
        guard command.count >= 4, command.count <= PCSC.maxBufferSize else {
            throw SmartCardError(.invalidArgument, "a command APDU has 4 to \(PCSC.maxBufferSize) bytes, not \(command.count)")
        }
        let card = self.card
        let proto = activeProtocol.pcscValue
        let reply = try perform("SCardTransmit") { () -> (PCSCError, [UInt8]) in
            var request = SCARD_IO_REQUEST(dwProtocol: proto, cbPciLength: DWORD(MemoryLayout<SCARD_IO_REQUEST>.size))
            var response = [UInt8](repeating: 0, count: PCSC.maxBufferSize)
            var length = DWORD(response.count)
            let result = PCSC.result(SCardTransmit(card, &request, command, DWORD(command.count), nil, &response, &length))
            return (result, Array(response.prefix(Int(length))))
        }
        guard reply.0 == .success else { throw SmartCardError("SCardTransmit to \"\(reader)\"", reply.0) }
        return reply.1
    }

    /// The card's state as pcscd sees it now: ATR and protocol (`SCardStatus`).
    public func status() throws(SmartCardError) -> CardStatus {
        let card = self.card
        let reply = try perform("SCardStatus") { () -> (PCSCError, CardStatus?) in
            var nameLength = DWORD(256)
            var name = [CChar](repeating: 0, count: Int(nameLength))
            var state: DWORD = 0
            var proto: DWORD = 0
            var atr = [UInt8](repeating: 0, count: Int(MAX_ATR_SIZE))
            var atrLength = DWORD(atr.count)
            let result = PCSC.result(SCardStatus(card, &name, &nameLength, &state, &proto, &atr, &atrLength))
            guard result == .success else { return (result, nil) }
            let reader = PCSC.names(fromMultiString: name).first ?? ""
            return (result, CardStatus(reader: reader, atr: Array(atr.prefix(Int(atrLength))), protocol: CardProtocol(pcsc: proto)))
        }
        guard reply.0 == .success, let status = reply.1 else { throw SmartCardError("SCardStatus of \"\(reader)\"", reply.0) }
        return status
    }

    /// The card's answer-to-reset.
    public func atr() throws(SmartCardError) -> [UInt8] {
        try status().atr
    }

    /// Closes the connection, leaving the card as it is (`SCardDisconnect` with `SCARD_LEAVE_CARD`) or
    /// resetting it (`reset: true`, which also drops any PIN verification). Safe to call more than once.
    public func disconnect(reset: Bool = false) {
        let wasOpen = phase.withLock { phase -> Bool in
            guard phase == .open else { return false }
            phase = .closed
            return true
        }
        guard wasOpen else { return }
        let (context, card) = (self.context, self.card)
        let disposition = reset ? PCSC.resetCard : PCSC.leaveCard
        // Bounded like every other call: a stuck pcscd must not hang the caller.
        _ = Self.run(on: worker, timeout: responseTimeout) {
            _ = SCardDisconnect(card, disposition)
            _ = SCardReleaseContext(context)
        }
    }

    /// Whether the connection can still be used.
    public var isOpen: Bool { phase.withLock { $0 == .open } }

    // MARK: - Worker

    /// Runs `body` on the worker unless the connection is closed; abandons the connection on time-out.
    private func perform<T: Sendable>(_ operation: String, _ body: @escaping @Sendable () -> T) throws(SmartCardError) -> T {
        guard isOpen else {
            throw SmartCardError(.closed, "the connection to \"\(reader)\" is closed\(phase.withLock { $0 == .abandoned } ? " (the card stopped answering)" : ""); connect again")
        }
        if let value = Self.run(on: worker, timeout: responseTimeout, body) { return value }
        let abandon = phase.withLock { phase -> Bool in
            guard phase == .open else { return false }
            phase = .abandoned
            return true
        }
        if abandon {
            // Queued behind the stuck call: runs once pcscd answers (card removed or pcscd stopped).
            let (context, card) = (self.context, self.card)
            worker.async {
                _ = SCardDisconnect(card, PCSC.resetCard)
                _ = SCardReleaseContext(context)
            }
        }
        throw SmartCardError(.cardNotResponding, "the card in reader \"\(reader)\" did not answer \(operation) within \(responseTimeout); it is mute or broken: take it out (and insert it again)")
    }

    /// Runs `body` on `queue` and waits up to `timeout` for it; nil if it has not finished by then.
    private static func run<T: Sendable>(on queue: DispatchQueue, timeout: Duration, _ body: @escaping @Sendable () -> T) -> T? {
        let outcome = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        queue.async {
            let value = body()
            outcome.withLock { $0 = value }
            done.signal()
        }
        guard done.wait(timeout: .now() + timeout.dispatchInterval) == .success else { return nil }
        return outcome.withLock { $0 }
    }
}

extension Duration {
    /// The duration as a Dispatch interval, rounded down to the nanosecond.
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        return .nanoseconds(Int(clamping: seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }
}
