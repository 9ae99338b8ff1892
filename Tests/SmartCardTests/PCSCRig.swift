import Foundation
import SmartCard
import Synchronization
import Testing
import VirtualCard

/// The shared private pcscd with the virtual readers, and this suite's reader in it.
enum PCSCRig {
    /// The only reader these tests put cards into (vpcd port 35973).
    static let reader = "CardGate Test A 00 00"
    static let port: UInt16 = 35973

    /// A context with the running pcscd, or a test failure that says how to start it.
    static func requireService() throws -> PCSCContext {
        do {
            return try PCSCContext()
        } catch where error.code == .pcsc(.noService) {
            throw RigError("pcscd is not running: start it with hardware/pcscd-virtual.sh start (make test does this)")
        }
    }

    /// The state of the test reader, or nil when pcscd does not list it.
    static func status(_ context: PCSCContext) -> ReaderStatus? {
        (try? context.readerStatuses())?.first { $0.name == reader }
    }

    /// Waits for the test reader to be empty (a card of an earlier test may not be seen gone yet), puts
    /// `card` in it and waits until pcscd reports it present with its ATR.
    static func insert(_ card: TestCard, context: PCSCContext, reconnect: Bool = false) async throws -> VPCDLink {
        try await waitUntil("\(reader) empty before inserting") { status(context)?.cardPresent == false }
        let link = VPCDLink(port: port, emulator: card, reconnect: reconnect, retryInterval: .milliseconds(50))
        try await link.connect(timeout: .seconds(5))
        try await waitUntil("card with ATR \(card.atr) present in \(reader)") {
            status(context).map { $0.cardPresent && $0.atr == card.atr } ?? false
        }
        return link
    }

    /// Takes the card out and waits until pcscd reports the reader empty.
    static func remove(_ link: VPCDLink, context: PCSCContext) async throws {
        link.close()
        try await waitUntil("\(reader) empty after removal") { status(context)?.cardPresent == false }
    }
}

struct RigError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A minimal card: a fixed ATR; answers every command with `6D 00` (instruction not supported), or stays mute.
final class TestCard: CardEmulator {
    let atr: [UInt8]
    let mute: Bool

    init(atr: [UInt8] = [0x3B, 0x88, 0x80, 0x01, 0x43, 0x41, 0x52, 0x44, 0x47, 0x41, 0x54, 0x45, 0x5C], mute: Bool = false) {
        self.atr = atr
        self.mute = mute
    }

    func reset() {}

    func process(_ command: [UInt8]) -> [UInt8]? {
        mute ? nil : [0x6D, 0x00]
    }
}

/// Collects a monitor's events with the time each arrived, and waits for particular ones.
final class EventRecorder: Sendable {
    private final class Log: Sendable {
        let entries = Mutex<[(event: ReaderEvent, at: ContinuousClock.Instant)]>([])
    }

    private let store = Log()

    init(_ monitor: ReaderMonitor) {
        let store = self.store
        Task {
            for await event in monitor {
                store.entries.withLock { $0.append((event, .now)) }
            }
        }
    }

    var events: [ReaderEvent] { store.entries.withLock { $0.map(\.event) } }

    /// Waits until an event after position `from` satisfies `match`; returns it and when it arrived.
    func wait(for description: String, from: Int = 0, timeout: Duration = .seconds(5),
              _ match: (ReaderEvent) -> Bool) async throws -> (index: Int, at: ContinuousClock.Instant) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found = store.entries.withLock { entries in
                entries.indices.dropFirst(from).first { match(entries[$0].event) }.map { ($0, entries[$0].at) }
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw RigError("no \(description) within \(timeout); events so far: \(events)")
    }

    var count: Int { store.entries.withLock { $0.count } }
}
