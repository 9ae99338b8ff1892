import CityHall
import Foundation
import History

/// One run of history-years: generates the history (unless the folder already holds a finished one), then measures.
struct YearsRun {
    let options: YearsOptions
    let jst = CityHallGenerator.jst

    func run() throws {
        let folder = options.folder ?? (NSTemporaryDirectory() + "history-years-\(UUID().uuidString.prefix(8))")
        defer { if options.folder == nil { try? FileManager.default.removeItem(atPath: folder) } }
        for sub in ["archive", "witness"] {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(sub)", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let keyPath = folder + "/history-signing.key"
        let key = FileManager.default.fileExists(atPath: keyPath) ? try CheckpointSigningKey.load(keyPath) : try CheckpointSigningKey.create(keyPath)
        let configuration = HistoryConfiguration(databasePath: folder + "/history.sqlite", archiveDirectory: folder + "/archive",
                                                 signingKeyPath: keyPath, witness: WitnessConfiguration(files: [folder + "/witness/history.witness"]))
        let marker = folder + "/generated.txt"
        let fresh = !FileManager.default.fileExists(atPath: configuration.databasePath)
        if !fresh && !FileManager.default.fileExists(atPath: marker) {
            throw YearsError("\(folder) holds a history whose generation did not finish; remove the folder or give another")
        }
        let clock = SimulatedClock()
        let store = try HistoryStore(configuration: configuration, signingKey: key, clock: clock)
        print("history-years  \(Date())  \(ProcessInfo.processInfo.activeProcessorCount) CPUs; folder \(folder)")
        if fresh {
            let summary = try generate(store, clock)
            try summary.write(toFile: marker, atomically: true, encoding: .utf8)
        } else {
            print("measuring the history generated before: " + ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? ""))
        }
        try YearsMeasurement(store: store, configuration: configuration, options: options, jst: jst).run()
    }

    /// Local midnight (JST) of a `YYYY-MM-DD` date, in milliseconds since 1970.
    func midnight(_ text: String) throws -> Int64 {
        guard let millis = CityHallGenerator.midnight(text) else { throw YearsError("\(text) is not a date (YYYY-MM-DD)") }
        return millis
    }

    /// Appends every simulated day from `--from` up to `--to`, archiving and pruning on 15 January; returns a summary.
    func generate(_ store: HistoryStore, _ clock: SimulatedClock) throws -> String {
        let first = try midnight(options.from), end = try midnight(options.to)
        guard first < end else { throw YearsError("--from must be before --to") }
        let generator = CityHallGenerator(store: store, clock: clock, hall: CityHall(seed: options.seed, scale: options.scale),
                                          spacingSeconds: options.spacingSeconds)
        print("generating \(options.from) … \(options.to) (\((end - first) / 86_400_000) days), scale \(options.scale), checkpoint spacing \(options.spacingSeconds) s, seed \(options.seed): " +
              "\(CityHall.terminals) terminals, \(CityHall.rooms) rooms, \(CityHall.operators) operators")
        let started = Date()
        func rates(_ t: CityHallGenerator.Tally) -> String {
            String(format: "append %.3f ms, checkpoint %.3f ms on average", t.appendSeconds * 1000 / Double(max(t.appended, 1)),
                   t.checkpointSeconds * 1000 / Double(max(t.checkpoints, 1)))
        }
        try generator.run(from: first, to: end) { progress in
            switch progress {
            case .month(let year, let month, let dayIndex, let days, let t):
                let elapsed = Date().timeIntervalSince(started)
                let eta = dayIndex == 0 ? 0 : elapsed / Double(dayIndex) * Double(days - dayIndex)
                print(String(format: "  %04d-%02d: %d events, %d checkpoints, %.0f s (%.0f events/s; %@), about %.0f min left",
                             year, month, t.appended, t.checkpoints, elapsed, Double(t.appended) / max(elapsed, 0.001), rates(t), eta / 60))
            case .archived(let receipt, let seconds):
                print(String(format: "  archived %d: %lld events, %.1f MB, in %.1f s", receipt.year, receipt.count, Double(fileSize(receipt.path)) / 1e6, seconds))
            case .archiveRefused(let year, let error):
                print("  archive of \(year) refused: \(error)")
            case .pruned(let years, let seconds):
                print(String(format: "  pruned %@ (past the %d-year retention) in %.1f s (includes a full verify)",
                             years.map(String.init).joined(separator: ", "), store.configuration.retentionYears, seconds))
            }
            fflush(nil)
        }
        let t = generator.tally
        let elapsed = Date().timeIntervalSince(started)
        let summary = String(format: "%d events and %d checkpoints appended in %.0f s (%.0f events/s; %@), %@ … %@, scale %g, spacing %g s, seed %llu",
                             t.appended, t.checkpoints, elapsed, Double(t.appended) / elapsed, rates(t), options.from, options.to, options.scale,
                             options.spacingSeconds, options.seed)
        print("generated: " + summary)
        return summary
    }
}

/// The size of a file in bytes (0 when absent).
func fileSize(_ path: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
}
