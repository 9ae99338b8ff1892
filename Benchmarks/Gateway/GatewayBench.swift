import Foundation
import GatewayAPI
import VirtualCard

#if canImport(Glibc)
import Glibc
import Vocabulary
#endif

/// The benchmark run: sets up the installation, starts the release `cardgate serve`, measures idle CPU and memory,
/// the card cycles without and with PIN-hash load, idle again, and prints the figures.
///
/// Runs on the main actor, whose thread may block in waits without starving the cooperative pool that carries the
/// load workers' requests.
@MainActor
final class GatewayBench {
    let options: BenchOptions
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    init(options: BenchOptions) {
        self.options = options
    }

    /// The latencies of one series of cycles.
    struct Series {
        var insert = Samples("card in → decision published (SSE)", targetP99: 10)
        var lockCommand = Samples("card out → lock command running", targetP99: 20)
        var daemonLog = Samples("  same, daemon's own log line", targetP99: 20)
        var lockPublished = Samples("card out → locked published (SSE)")
        // The insertion split by the card's own view of its commands.
        var reach = Samples("  card in → first APDU at the card")
        var talk = Samples("  first APDU → last answer")
        var cardCompute = Samples("    of which the virtual card computing")
        var after = Samples("  last answer → decision published")
        var apdus: [Int] = []
        var anomalies: [String] = []
    }

    /// One quiet window: CPU ticks, context switches, memory, and the daemon's log lines written meanwhile.
    struct Quiet {
        var seconds: Double
        var ticks: Int
        var switches: Int
        var rssKiB: Int
        var peakKiB: Int
        var anonymousKiB: Int
        var fileKiB: Int
        var threads: Int
        var mappings: [(name: String, kib: Int)]
        var logLines: Int
    }

    /// What every run starts with: the installation, the release daemon on it, and the streams and probes on both.
    struct Rig {
        let cardgate: String
        let installation: BenchInstallation
        let daemon: Process
        let probe: ProcessProbe
        let client: GatewayClient
        let watch: CardWatch
        let tap: EventTap
        let doorTap: EventTap

        /// Stops the daemon if it still runs, closes the streams, and removes the installation unless kept.
        func close(keep: Bool) {
            tap.close()
            doorTap.close()
            if daemon.isRunning { daemon.terminate(); daemon.waitUntilExit() }
            if !keep { installation.remove() }
        }
    }

    /// Sets up the installation, starts the release `cardgate serve` and waits until its readers are ready.
    func start() async throws -> Rig {
        let binaries = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).deletingLastPathComponent()
        let cardgate = binaries.appendingPathComponent("cardgate").path
        guard FileManager.default.isExecutableFile(atPath: cardgate) else {
            throw BenchError("\(cardgate) not found: build it first with swift build -c release --static-swift-stdlib --product cardgate")
        }
        if !binaries.path.contains("release") {
            print("WARNING: \(binaries.path) is not a release build; the figures mean little (use swift run -c release --static-swift-stdlib gateway-bench)")
        }

        let terminals = [BenchInstallation.measured] + BenchInstallation.load
        let watch = try CardWatch(readers: terminals.map(\.reader) + BenchInstallation.doorSides.map(\.reader))
        for reader in terminals.map(\.reader) + BenchInstallation.doorSides.map(\.reader) where watch.isPresent(reader) {
            throw BenchError("a card is already in \(reader): another test is using the rig's readers; try again later")
        }

        print("gateway-bench  \(Date())  \(ProcessInfo.processInfo.activeProcessorCount) CPUs, load average \(loadAverage())")
        let setupStart = Date()
        let installation = try BenchInstallation(repository: repository)
        print("installation in \(installation.folder) (\(String(format: "%.1f", Date().timeIntervalSince(setupStart))) s); " +
              "\(BenchInstallation.readerCount) readers configured and approved, \(terminals.count) of them in pcscd; " +
              "scrypt log2-n \(installation.scrypt.log2N), r \(installation.scrypt.r), p \(installation.scrypt.p) (config/cardgate.toml)")
        let daemon: Process
        do {
            daemon = try startDaemon(cardgate, installation)
        } catch {
            if !options.keep { installation.remove() }
            throw error
        }
        let client = GatewayClient(socketPath: installation.socket, timeout: .seconds(60))
        do {
            try await waitUntilReady(client, terminals, daemon, installation)
            let tap = try EventTap(socket: installation.socket, terminal: BenchInstallation.measured.id)
            let doorTap = try EventTap(socket: installation.socket, terminal: nil)
            return Rig(cardgate: cardgate, installation: installation, daemon: daemon, probe: ProcessProbe(pid: daemon.processIdentifier),
                       client: client, watch: watch, tap: tap, doorTap: doorTap)
        } catch {
            if daemon.isRunning { daemon.terminate(); daemon.waitUntilExit() }
            if !options.keep { installation.remove() }
            throw error
        }
    }

    func run() async throws {
        let rig = try await start()
        defer { rig.close(keep: options.keep) }
        let (installation, daemon, probe, client, watch, tap, doorTap) = (rig.installation, rig.daemon, rig.probe, rig.client, rig.watch, rig.tap, rig.doorTap)

        blockFor(2)
        let idleAfterStart = quiet(probe, installation)

        print("baseline: \(options.baselineCycles) cycles without load …")
        var baseline = Series()
        for index in 0..<options.baselineCycles {
            try await cycle(index, into: &baseline, watch: watch, tap: tap, client: client, installation: installation)
        }

        print("door: \(options.doorCycles) entries and exits without load …")
        var doorBaseline = DoorSeries()
        for index in 0..<options.doorCycles {
            try await doorCycle(index, into: &doorBaseline, watch: watch, tap: doorTap, installation: installation)
        }

        // Four PIN hashes: the load terminals' cards wait for their PIN, the workers keep sending it.
        var loadLinks: [VPCDLink] = []
        for terminal in BenchInstallation.load {
            let link = VPCDLink(port: terminal.port, emulator: PIVCardEmulator(image: installation.cards[terminal.id]!))
            try await link.connect(timeout: .seconds(5))
            loadLinks.append(link)
        }
        for terminal in BenchInstallation.load { try await waitForState(client, terminal.id, .awaitingPIN) }
        let load = PINLoad(client: client, terminals: BenchInstallation.load.map(\.id), workers: options.workers, probe: probe)
        load.start()
        blockFor(1)
        print("loaded: \(options.cycles) cycles with \(options.workers) PIN checks kept in flight …")
        let loadedTicks0 = probe.cpuTicks() ?? 0
        let loadedStart = Date()
        var loaded = Series()
        for index in 0..<options.cycles {
            try await cycle(index, into: &loaded, watch: watch, tap: tap, client: client, installation: installation)
        }
        let loadedSeconds = Date().timeIntervalSince(loadedStart)
        let loadedTicks = (probe.cpuTicks() ?? 0) - loadedTicks0
        print("door: \(options.doorCycles) entries and exits with the PIN checks still in flight …")
        var doorLoaded = DoorSeries()
        for index in 0..<options.doorCycles {
            try await doorCycle(index, into: &doorLoaded, watch: watch, tap: doorTap, installation: installation)
        }
        let work = await load.stop()
        let peakAfterLoad = probe.memory()?.peak ?? 0

        // Another terminal's unlock command takes 5 s, again and again: a card pulled at the measured terminal must
        // still lock at once (every terminal is its own unit of state; commands run off the state path).
        _ = FileManager.default.createFile(atPath: installation.slowUnlockFlag, contents: nil)
        let slowTerminal = BenchInstallation.load[0].id
        let slowLoop = Task { [client] in
            var unlocks = 0
            while !Task.isCancelled {
                _ = try? await client.lockTerminal(slowTerminal)
                if (try? await client.submitTerminalPIN(slowTerminal, pin: PIN(BenchInstallation.pin)))?.state == .unlocked { unlocks += 1 }
            }
            return unlocks
        }
        blockFor(1)
        print("slow: \(options.slowCycles) cycles while \(slowTerminal)'s unlock command takes 5 s, over and over …")
        var slow = Series()
        for index in 0..<options.slowCycles {
            try await cycle(index, into: &slow, watch: watch, tap: tap, client: client, installation: installation)
        }
        slowLoop.cancel()
        let slowUnlocks = await slowLoop.value
        try? FileManager.default.removeItem(atPath: installation.slowUnlockFlag)
        for link in loadLinks { link.close() }
        for terminal in BenchInstallation.load { try await waitForState(client, terminal.id, .locked) }

        blockFor(3)
        let idleAfterLoad = quiet(probe, installation)

        daemon.terminate()
        daemon.waitUntilExit()
        let logged = daemonLockLatencies(installation)
        for (index, value) in logged.enumerated() {
            if index < baseline.lockCommand.count {
                baseline.daemonLog.add(milliseconds: value)
            } else if index < baseline.lockCommand.count + loaded.lockCommand.count {
                loaded.daemonLog.add(milliseconds: value)
            } else {
                slow.daemonLog.add(milliseconds: value)
            }
        }

        // MARK: Report
        let width = 40
        let header = "".padding(toLength: width, withPad: " ", startingAt: 0) + "    n     p50     p90     p99     max   (ms)  target p99"
        for (title, series) in [("without load", baseline), ("with \(options.workers) PIN hashes in flight", loaded),
                                ("while another terminal's unlock command takes 5 s (\(slowUnlocks) slow unlocks finished)", slow)] {
            print("\n\(title)")
            print(header)
            for samples in [series.insert, series.reach, series.talk, series.cardCompute, series.after, series.lockCommand, series.daemonLog,
                            series.lockPublished] { print(samples.row(width: width)) }
            if let fewest = series.apdus.min(), let most = series.apdus.max() { print("  command APDUs per card check: \(fewest)–\(most)") }
            if !series.anomalies.isEmpty { print("  anomalies: \(series.anomalies.count): \(series.anomalies.prefix(5).joined(separator: "; "))") }
        }
        for (title, series) in [("door \(BenchInstallation.door) with every rule on, without load", doorBaseline),
                                ("door \(BenchInstallation.door) with every rule on, \(options.workers) PIN hashes in flight", doorLoaded)] {
            print("\n\(title)")
            print(header)
            for samples in [series.entry, series.exit] { print(samples.row(width: width)) }
            if !series.anomalies.isEmpty { print("  anomalies: \(series.anomalies.count): \(series.anomalies.prefix(5).joined(separator: "; "))") }
        }
        let mean = { (values: [Int]) in values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count) }
        let histogram = { (values: [Int]) in
            Dictionary(grouping: values, by: { $0 }).sorted { $0.key < $1.key }
                .map { "\($0.key): \(String(format: "%.0f", 100 * Double($0.value.count) / Double(max(1, values.count))))%" }.joined(separator: ", ")
        }
        print("\nload: \(work.hashes) PIN checks answered in \(String(format: "%.0f", loadedSeconds)) s " +
              "(\(String(format: "%.1f", Double(work.hashes) / loadedSeconds))/s, each one scrypt hash); other answers: \(work.errors)")
        print("      PIN requests in flight: mean \(String(format: "%.2f", mean(work.inFlight))) (\(histogram(work.inFlight)))")
        print("      daemon threads runnable (state R): mean \(String(format: "%.2f", mean(work.runnable))) (\(histogram(work.runnable)))")
        print("      daemon CPU while loaded: \(String(format: "%.2f", Double(loadedTicks) / ProcessProbe.ticksPerSecond / loadedSeconds)) CPUs " +
              "of \(ProcessInfo.processInfo.activeProcessorCount); load average now \(loadAverage())")

        print("\nat rest (\(BenchInstallation.readerCount) readers configured)            VmRSS    VmHWM   CPU (ticks of \(Int(ProcessProbe.ticksPerSecond)) Hz)  ctx switches  log lines")
        for (title, window) in [("after start", idleAfterStart), ("after the load, cards out", idleAfterLoad)] {
            print("  \(title.padding(toLength: 40, withPad: " ", startingAt: 0))" +
                  String(format: "%6.1f MB %6.1f MB   %d in %.0f s (%.2f%% CPU)", Double(window.rssKiB) / 1024, Double(window.peakKiB) / 1024,
                         window.ticks, window.seconds, 100 * Double(window.ticks) / ProcessProbe.ticksPerSecond / window.seconds) +
                  "      \(window.switches)          \(window.logLines)")
            print(String(format: "      of which RssAnon %.1f MB (heap, stacks), RssFile %.1f MB (program and libraries mapped from disk); %d threads",
                         Double(window.anonymousKiB) / 1024, Double(window.fileKiB) / 1024, window.threads))
            print("      resident by mapping (MB): " + window.mappings.prefix(8).map {
                "\(($0.name as NSString).lastPathComponent) \(String(format: "%.1f", Double($0.kib) / 1024))"
            }.joined(separator: ", "))
        }
        let rssTarget = Double(idleAfterStart.rssKiB) / 1024 < 40 && Double(idleAfterLoad.rssKiB) / 1024 < 40
        print("  memory target (< 40 MB resident at rest): \(rssTarget ? "met" : "MISSED")" +
              String(format: "; peak while hashing %.1f MB (scrypt N=2^%d, r=%d: %d MiB per hash)", Double(peakAfterLoad) / 1024,
                     installation.scrypt.log2N, installation.scrypt.r, (128 * installation.scrypt.r << installation.scrypt.log2N) >> 20))
        print("  idle CPU target (none): \(idleAfterStart.ticks == 0 && idleAfterLoad.ticks == 0 ? "met (0 ticks)" : "ticks counted, see above")")
        if options.keep { print("\nkept: \(installation.folder) (serve.log, lock.log, cardgate.sqlite)") }
    }

    /// The latencies of the door decisions: card at a door reader → the door event published.
    struct DoorSeries {
        var entry = Samples("card at the door (in) → decision (SSE)", targetP99: 10)
        var exit = Samples("card at the door (out) → decision (SSE)", targetP99: 10)
        var anomalies: [String] = []
    }

    /// An entry through the measured door, then the exit: each from pcscd's report of the card to the door event
    /// published on a supervisor's stream. The room has anti-passback, an occupancy limit, a holiday calendar and the
    /// card an escort grant that excludes holidays.
    func doorCycle(_ index: Int, into series: inout DoorSeries, watch: CardWatch, tap: EventTap, installation: BenchInstallation) async throws {
        for side in BenchInstallation.doorSides {
            let floor = monotonicNanoseconds()
            let link = VPCDLink(port: side.port, emulator: PIVCardEmulator(image: installation.cards[BenchInstallation.measured.id]!))
            try await link.connect(timeout: .seconds(5))
            defer { link.close() }
            guard let inserted = watch.wait(side.reader, present: true, after: floor, timeout: 5) else {
                throw BenchError("door cycle \(index): pcscd did not report the card in \(side.reader)")
            }
            guard let decision = tap.door(BenchInstallation.door, after: floor, timeout: 15) else {
                throw BenchError("door cycle \(index): no door event published (\(tap.problem ?? "stream open"))")
            }
            let milliseconds = Double(Int64(decision.at) - Int64(inserted.at.monotonic)) / 1e6
            if side.direction == "in" { series.entry.add(milliseconds: milliseconds) } else { series.exit.add(milliseconds: milliseconds) }
            if decision.notice.outcome != .opened {
                series.anomalies.append("door cycle \(index) \(side.direction): \(decision.notice.outcome.rawValue) \(decision.notice.reason ?? "")")
            }
            blockFor(Double.random(in: 0.05...0.25))
            let removeFloor = monotonicNanoseconds()
            link.close()
            guard watch.wait(side.reader, present: false, after: removeFloor, timeout: 5) != nil else {
                throw BenchError("door cycle \(index): pcscd did not report the card out of \(side.reader)")
            }
        }
    }

    // MARK: - One cycle

    /// Card in, decision, PIN, card out, lock: the latencies from pcscd's report of each change.
    func cycle(_ index: Int, into series: inout Series, watch: CardWatch, tap: EventTap, client: GatewayClient,
               installation: BenchInstallation) async throws {
        let terminal = BenchInstallation.measured
        let floor = monotonicNanoseconds()
        let card = TimedCard(PIVCardEmulator(image: installation.cards[terminal.id]!))
        let link = VPCDLink(port: terminal.port, emulator: card)
        try await link.connect(timeout: .seconds(5))
        let remove = { link.close() }
        var removed = false
        defer { if !removed { remove() } }
        guard let inserted = watch.wait(terminal.reader, present: true, after: floor, timeout: 5) else {
            throw BenchError("cycle \(index): pcscd did not report the card in \(terminal.reader)")
        }
        guard let decision = tap.decision(after: floor, timeout: 15) else {
            throw BenchError("cycle \(index): no decision published for \(terminal.id) (\(tap.problem ?? "stream open"))")
        }
        let ms = { (from: UInt64, to: UInt64) in Double(Int64(to) - Int64(from)) / 1e6 }
        series.insert.add(milliseconds: ms(inserted.at.monotonic, decision.at))
        let exchanges = card.all.filter { $0.answered <= decision.at }
        if let first = exchanges.first, let last = exchanges.last {
            series.reach.add(milliseconds: ms(inserted.at.monotonic, first.received))
            series.talk.add(milliseconds: ms(first.received, last.answered))
            series.cardCompute.add(milliseconds: exchanges.map { ms($0.received, $0.answered) }.reduce(0, +))
            series.after.add(milliseconds: ms(last.answered, decision.at))
            series.apdus.append(exchanges.count)
        }
        var unlocked = false
        if decision.view.state == .awaitingPIN {
            do {
                unlocked = try await client.submitTerminalPIN(terminal.id, pin: PIN(BenchInstallation.pin)).state == .unlocked
            } catch {
                series.anomalies.append("cycle \(index): PIN refused: \(error)")
            }
        } else {
            series.anomalies.append("cycle \(index): decision \(decision.view.state.rawValue) \(decision.view.lockReason?.rawValue ?? "")")
        }
        if !unlocked { series.anomalies.append("cycle \(index): not unlocked; removal measured from \(decision.view.state.rawValue)") }
        // Pull the card at a moment unrelated to pcscd's 400 ms presence poll.
        blockFor(Double.random(in: 0.05...0.25))

        let linesBefore = installation.lockLines().count
        let removeFloor = monotonicNanoseconds()
        remove()
        removed = true
        guard let out = watch.wait(terminal.reader, present: false, after: removeFloor, timeout: 5) else {
            throw BenchError("cycle \(index): pcscd did not report the card out of \(terminal.reader)")
        }
        if let locked = tap.wait(for: [.locked], after: removeFloor, timeout: 5) {
            series.lockPublished.add(milliseconds: Double(Int64(locked.at) - Int64(out.at.monotonic)) / 1e6)
        } else {
            series.anomalies.append("cycle \(index): no locked view published")
        }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if let line = installation.lockLines().dropFirst(linesBefore).first(where: { $0.arguments == "lock \(terminal.id)" }) {
                series.lockCommand.add(milliseconds: (line.time - out.at.realtime) * 1000)
                return
            }
            blockFor(0.002)
        }
        series.anomalies.append("cycle \(index): the lock command did not run within 5 s")
    }

    // MARK: - The daemon

    func startDaemon(_ cardgate: String, _ installation: BenchInstallation) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cardgate)
        process.arguments = ["serve", "--config", installation.configPath]
        // The configuration file alone decides the paths.
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CARDGATE_") }
        let logPath = installation.folder + "/serve.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until the API answers and the four readers are approved and empty.
    func waitUntilReady(_ client: GatewayClient, _ terminals: [BenchInstallation.Terminal], _ daemon: Process,
                        _ installation: BenchInstallation) async throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard daemon.isRunning else { break }
            if FileManager.default.fileExists(atPath: installation.socket), let status = try? await client.status() {
                let ready = terminals.allSatisfy { terminal in status.readers.contains { $0.name == terminal.reader && $0.state == .empty } }
                if ready { return }
            }
            blockFor(0.05)
        }
        let log = (try? String(contentsOfFile: installation.folder + "/serve.log", encoding: .utf8)) ?? ""
        throw BenchError("cardgate serve did not become ready with the Test readers approved; its log:\n\(log)")
    }

    func waitForState(_ client: GatewayClient, _ id: String, _ state: TerminalState) async throws {
        let deadline = Date().addingTimeInterval(20)
        var last: TerminalView?
        while Date() < deadline {
            last = try? await client.terminal(id)
            if last?.state == state { return }
            blockFor(0.02)
        }
        throw BenchError("terminal \(id) did not become \(state.rawValue) (last: \(String(describing: last?.state)))")
    }

    /// A window of `idleSeconds` in which nothing happens.
    func quiet(_ probe: ProcessProbe, _ installation: BenchInstallation) -> Quiet {
        let logLines = { ((try? String(contentsOfFile: installation.folder + "/serve.log", encoding: .utf8)) ?? "").split(separator: "\n").count }
        let lines0 = logLines()
        let ticks0 = probe.cpuTicks() ?? 0
        let switches0 = probe.contextSwitches()
        let start = Date()
        blockFor(options.idleSeconds)
        let seconds = Date().timeIntervalSince(start)
        let ticks = (probe.cpuTicks() ?? 0) - ticks0
        let switches = ProcessProbe.switches(from: switches0, to: probe.contextSwitches())
        let memory = probe.memory() ?? (0, 0, 0, 0)
        return Quiet(seconds: seconds, ticks: ticks, switches: switches, rssKiB: memory.rss, peakKiB: memory.peak,
                     anonymousKiB: memory.anonymous, fileKiB: memory.file, threads: probe.threadIDs().count,
                     mappings: probe.residentByMapping(), logLines: logLines() - lines0)
    }

    /// The daemon's "terminal locked … since-reader-event-us=N terminal=BM" lines, in milliseconds, in order.
    func daemonLockLatencies(_ installation: BenchInstallation) -> [Double] {
        let text = (try? String(contentsOfFile: installation.folder + "/serve.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard line.contains("lock command starting"), line.contains("terminal=\(BenchInstallation.measured.id)"),
                let range = line.range(of: "since-reader-event-us=") else { return nil }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            return Double(digits).map { $0 / 1000 }
        }
    }

    func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }
}
