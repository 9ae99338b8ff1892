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

    /// The repository's hardware/pcscd-virtual.sh, found from this file's path.
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("hardware/pcscd-virtual.sh").path
    }

    /// The run folder of the pcscd running now (its `-c DIR/reader.conf.d`), so that stopping and starting it
    /// again keeps the pid file of whoever started it.
    static func runningRunDir() -> String? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for pid in entries where Int(pid) != nil {
            guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
                  comm.trimmingCharacters(in: .whitespacesAndNewlines) == "pcscd",
                  let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if let index = arguments.firstIndex(of: "-c"), index + 1 < arguments.count {
                return URL(fileURLWithPath: arguments[index + 1]).deletingLastPathComponent().path
            }
        }
        return nil
    }

    /// Runs `hardware/pcscd-virtual.sh action` (start, stop, status) for the running pcscd's run folder and
    /// returns its exit status. (posix_spawn and waitpid: Foundation's Process.waitUntilExit was seen to hang
    /// here once the script had left pcscd running in the background.)
    @discardableResult
    static func pcscd(_ action: String, runDir: String?) throws -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        if let runDir { environment["RUN_DIR"] = runDir }
        let arguments = ["/bin/bash", script, action]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", nil, nil, argv, envp)
        guard spawned == 0 else { throw RigError("cannot run \(script): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status >> 8) & 0xFF
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
