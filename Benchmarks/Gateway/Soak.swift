import Foundation
import GatewayAPI
import VirtualCard

/// The soak (issue 12, part 4): the release daemon under steady mixed load for a set time, sampled every
/// ``sampleSeconds``; then every acknowledged act is looked up in the history and the history is verified.
///
///   gateway-bench --soak-minutes 60
extension GatewayBench {
    /// One sample of the daemon's footprint.
    struct SoakSample {
        var minute: Double
        var rssKiB: Int
        var fileDescriptors: Int
        var threads: Int
        var walBytes: Int
        var events: Int
    }

    static let sampleSeconds = 30.0

    func soak(minutes: Double) async throws {
        let rig = try await start()
        defer { rig.close(keep: options.keep) }
        let installation = rig.installation
        let database = installation.folder + "/cardgate.sqlite"

        // The load terminals' cards stay in; their operators sign in, work and lock again, over and over.
        var links: [VPCDLink] = []
        for terminal in BenchInstallation.load {
            let link = VPCDLink(port: terminal.port, emulator: PIVCardEmulator(image: installation.cards[terminal.id]!))
            try await link.connect(timeout: .seconds(5))
            links.append(link)
        }
        for terminal in BenchInstallation.load { try await waitForState(rig.client, terminal.id, .awaitingPIN) }
        let load = SoakLoad(client: rig.client, terminals: BenchInstallation.load.map(\.id))
        load.start()

        print("soak: \(String(format: "%.0f", minutes)) min of card cycles at \(BenchInstallation.measured.id), entries and exits at " +
              "\(BenchInstallation.door), \(BenchInstallation.load.count) operators working, an API reader, an auditor's query a minute …")
        let start = Date()
        let deadline = start.addingTimeInterval(minutes * 60)
        var terminalSeries = Series()
        var doorSeries = DoorSeries()
        var samples: [SoakSample] = []
        var auditorQueries = Samples("auditor's query of the last minute (CLI)")
        var nextSample = start
        var nextQuery = start.addingTimeInterval(60)
        var index = 0
        while Date() < deadline {
            if Date() >= nextSample {
                samples.append(sample(rig, database: database, since: start))
                nextSample = nextSample.addingTimeInterval(Self.sampleSeconds)
                if samples.count % 4 == 1, let last = samples.last {
                    let tally = load.snapshot
                    print(String(format: "  %5.1f min: VmRSS %.1f MB, %d descriptors, %d threads, -wal %.1f MB, %d events; %d cycles, %d operations, %d sign-ins",
                                 last.minute, Double(last.rssKiB) / 1024, last.fileDescriptors, last.threads, Double(last.walBytes) / 1_048_576,
                                 last.events, index, tally.operations.count, tally.signIns))
                    fflush(nil)
                }
            }
            if Date() >= nextQuery {
                nextQuery = nextQuery.addingTimeInterval(60)
                let began = Date()
                let lines = try auditorQuery(rig, from: began.addingTimeInterval(-60))
                auditorQueries.add(milliseconds: Date().timeIntervalSince(began) * 1000)
                if lines == 0 { terminalSeries.anomalies.append("auditor's query at \(began) found no event of the last minute") }
            }
            try await cycle(index, into: &terminalSeries, watch: rig.watch, tap: rig.tap, client: rig.client, installation: installation)
            try await doorCycle(index, into: &doorSeries, watch: rig.watch, tap: rig.doorTap, installation: installation)
            index += 1
        }
        let tally = await load.stop()
        for link in links { link.close() }
        for terminal in BenchInstallation.load { try await waitForState(rig.client, terminal.id, .locked) }
        samples.append(sample(rig, database: database, since: start))
        rig.daemon.terminate()
        rig.daemon.waitUntilExit()

        // Every acknowledged act must be in the history, and the history must verify.
        let recorded = try historyLines(rig, ["--kind", "operation"])
        let recordedSequences = Set(recorded.compactMap { ($0["sequence"] as? NSNumber)?.int64Value })
        let lost = tally.operations.filter { !recordedSequences.contains($0) }
        let unlocks = try historyLines(rig, ["--kind", "session.started", "--place", BenchInstallation.measured.id]).count
        let entries = try historyLines(rig, ["--kind", "door.entry", "--place", BenchInstallation.doorRoom]).count
        let exits = try historyLines(rig, ["--kind", "door.exit", "--place", BenchInstallation.doorRoom]).count
        let verify = try runCardgate(rig, ["history", "verify", "--config", installation.configPath])

        // MARK: Report
        let width = 44
        print("\nsoak of \(String(format: "%.1f", Date().timeIntervalSince(start) / 60)) min: \(index) card cycles at \(BenchInstallation.measured.id), " +
              "\(doorSeries.entry.count) entries and \(doorSeries.exit.count) exits, \(tally.signIns) sign-ins and \(tally.operations.count) " +
              "operations by \(BenchInstallation.load.count) operators, \(tally.reads) API reads, \(auditorQueries.count) auditor queries")
        print("".padding(toLength: width, withPad: " ", startingAt: 0) + "    n     p50     p90     p99     max   (ms)")
        for samples in [terminalSeries.insert, terminalSeries.lockCommand, doorSeries.entry, doorSeries.exit, auditorQueries] {
            print(samples.row(width: width))
        }
        let steady = samples.filter { $0.minute >= min(5, minutes / 6) }
        let rssSlope = slope(steady.map { ($0.minute, Double($0.rssKiB) / 1024) }) * 60
        let fdSlope = slope(steady.map { ($0.minute, Double($0.fileDescriptors)) }) * 60
        let walSlope = slope(steady.map { ($0.minute, Double($0.walBytes) / 1_048_576) }) * 60
        let range = { (values: [Int]) in "\(values.min() ?? 0)–\(values.max() ?? 0)" }
        print("\nfootprint over \(samples.count) samples (every \(Int(Self.sampleSeconds)) s; slopes by least squares from minute \(String(format: "%.0f", min(5, minutes / 6))) on):")
        print(String(format: "  VmRSS %.1f → %.1f MB (min %.1f, max %.1f), slope %+.2f MB/hour",
                     Double(samples.first?.rssKiB ?? 0) / 1024, Double(samples.last?.rssKiB ?? 0) / 1024,
                     Double(samples.map(\.rssKiB).min() ?? 0) / 1024, Double(samples.map(\.rssKiB).max() ?? 0) / 1024, rssSlope))
        print(String(format: "  open descriptors %@, slope %+.2f/hour; threads %@", range(samples.map(\.fileDescriptors)), fdSlope,
                     range(samples.map(\.threads))))
        print(String(format: "  -wal file %.2f–%.2f MB, slope %+.3f MB/hour", Double(samples.map(\.walBytes).min() ?? 0) / 1_048_576,
                     Double(samples.map(\.walBytes).max() ?? 0) / 1_048_576, walSlope))
        print("  history: \(samples.last?.events ?? 0) events")
        print("\nacknowledged and recorded: \(tally.operations.count - lost.count) of \(tally.operations.count) operations found by sequence number" +
              (lost.isEmpty ? "" : "; MISSING: \(lost.prefix(10))"))
        print("  unlocks at \(BenchInstallation.measured.id): \(terminalSeries.insert.count - terminalSeries.anomalies.filter { $0.contains("not unlocked") }.count) " +
              "acknowledged, \(unlocks) session.started recorded; door openings published \(doorSeries.entry.count)/\(doorSeries.exit.count), " +
              "recorded \(entries)/\(exits)")
        print("  cardgate history verify: exit \(verify.status)  \(verify.output.split(separator: "\n").first ?? "")")
        let anomalies = terminalSeries.anomalies + doorSeries.anomalies
        if !anomalies.isEmpty { print("  anomalies: \(anomalies.count): \(anomalies.prefix(5).joined(separator: "; "))") }
        if !tally.errors.isEmpty { print("  load errors: \(tally.errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))") }
        if options.keep { print("\nkept: \(installation.folder)") }
        if !lost.isEmpty || verify.status != 0 { throw BenchError("the soak lost acknowledged events or the history does not verify") }
    }

    private func sample(_ rig: Rig, database: String, since start: Date) -> SoakSample {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(rig.daemon.processIdentifier)/fd").count) ?? -1
        let wal = (try? FileManager.default.attributesOfItem(atPath: database + "-wal")[.size] as? Int) ?? 0
        let events = (try? historyStatusEvents(rig)) ?? -1
        return SoakSample(minute: Date().timeIntervalSince(start) / 60, rssKiB: rig.probe.memory()?.rss ?? 0, fileDescriptors: descriptors,
                          threads: rig.probe.threadIDs().count, walBytes: wal, events: events)
    }

    /// The last sequence number, as `cardgate history status` reports it (read-only, beside the daemon).
    private func historyStatusEvents(_ rig: Rig) throws -> Int {
        let result = try runCardgate(rig, ["history", "status", "--config", rig.installation.configPath])
        let line = result.output.split(separator: "\n").first { $0.hasPrefix("last sequence ") }
        return line.flatMap { Int($0.dropFirst("last sequence ".count)) } ?? -1
    }

    /// An auditor's query through the CLI, read-only beside the running daemon: the number of events it listed.
    private func auditorQuery(_ rig: Rig, from: Date) throws -> Int {
        try historyLines(rig, ["--from", ISO8601DateFormatter().string(from: from)]).count
    }

    /// `cardgate history query … --format json`, one object per line.
    private func historyLines(_ rig: Rig, _ filter: [String]) throws -> [[String: Any]] {
        let result = try runCardgate(rig, ["history", "query", "--config", rig.installation.configPath, "--format", "json"] + filter)
        guard result.status == 0 else { throw BenchError("cardgate history query \(filter) failed: \(result.output)") }
        return result.output.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    private func runCardgate(_ rig: Rig, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: rig.cardgate)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CARDGATE_") }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The least-squares slope of y over x (per unit of x); 0 with fewer than two points.
    private func slope(_ points: [(Double, Double)]) -> Double {
        guard points.count > 1 else { return 0 }
        let n = Double(points.count)
        let mx = points.map(\.0).reduce(0, +) / n
        let my = points.map(\.1).reduce(0, +) / n
        let sxx = points.map { ($0.0 - mx) * ($0.0 - mx) }.reduce(0, +)
        guard sxx > 0 else { return 0 }
        return points.map { ($0.0 - mx) * ($0.1 - my) }.reduce(0, +) / sxx
    }
}
