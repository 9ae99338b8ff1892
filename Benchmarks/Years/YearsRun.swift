import Crypto
import Foundation
import History

/// One run of history-years: generates the history (unless the folder already holds a finished one), then measures.
struct YearsRun {
    let options: YearsOptions
    let jst = TimeZone(secondsFromGMT: 9 * 3600)!

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
        let parts = text.split(separator: "-").compactMap { Int($0) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = jst
        guard parts.count == 3, let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else {
            throw YearsError("\(text) is not a date (YYYY-MM-DD)")
        }
        return HistoryTime.millis(date)
    }

    /// Appends every simulated day from `--from` up to `--to`, archiving and pruning on 15 January; returns a summary.
    func generate(_ store: HistoryStore, _ clock: SimulatedClock) throws -> String {
        let hall = CityHall(seed: options.seed, scale: options.scale)
        let first = try midnight(options.from), end = try midnight(options.to)
        guard first < end else { throw YearsError("--from must be before --to") }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = jst
        let days = Int((end - first) / 86_400_000)
        print("generating \(options.from) … \(options.to) (\(days) days), scale \(options.scale), checkpoint spacing \(options.spacingSeconds) s, seed \(options.seed): " +
              "\(CityHall.terminals) terminals, \(CityHall.rooms) rooms, \(CityHall.operators) operators")
        let started = Date()
        var appended = 0, checkpoints = 0, lastMonth = 0
        var appendSeconds = 0.0, checkpointSeconds = 0.0
        // The daemon's history writer: a second after a burst it signs, unless its last checkpoint is younger than the
        // spacing; then it signs when the spacing is up.
        let spacing = Int64(options.spacingSeconds * 1000)
        var burstAt: Int64?, signAt: Int64?, lastSigned: Int64?
        func sign(at millis: Int64) throws {
            clock.set(millis)
            let t0 = DispatchTime.now().uptimeNanoseconds
            if try store.checkpoint() != nil {
                checkpoints += 1
                lastSigned = millis
            }
            checkpointSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        }
        func signDue(before millis: Int64?) throws {
            let limit = millis ?? Int64.max
            while true {
                let burst = burstAt.map { $0 <= limit ? $0 : Int64.max } ?? Int64.max
                let due = signAt.map { $0 <= limit ? $0 : Int64.max } ?? Int64.max
                if burst == Int64.max && due == Int64.max { return }
                if burst <= due {
                    burstAt = nil
                    if let last = lastSigned, burst - last < spacing {
                        if signAt == nil { signAt = last + spacing }
                    } else {
                        try sign(at: burst)
                    }
                } else {
                    signAt = nil
                    try sign(at: due)
                }
            }
        }
        for dayIndex in 0..<days {
            let dayStart = first + Int64(dayIndex) * 86_400_000
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: HistoryTime.date(millis: dayStart))
            if parts.month == 1 && parts.day == 15 { try maintenance(store, clock, year: parts.year!, at: dayStart + 7 * 3_600_000) }
            if parts.month != lastMonth {
                lastMonth = parts.month!
                let elapsed = Date().timeIntervalSince(started)
                let eta = dayIndex == 0 ? 0 : elapsed / Double(dayIndex) * Double(days - dayIndex)
                print(String(format: "  %04d-%02d: %d events, %d checkpoints, %.0f s (%.0f events/s; append %.3f ms, checkpoint %.3f ms on average), about %.0f min left",
                             parts.year!, parts.month!, appended, checkpoints, elapsed, Double(appended) / max(elapsed, 0.001),
                             appendSeconds * 1000 / Double(max(appended, 1)), checkpointSeconds * 1000 / Double(max(checkpoints, 1)), eta / 60))
                fflush(nil)
            }
            let activity = CityHall.activity(month: parts.month!, day: parts.day!, weekday: parts.weekday!)
            for item in hall.events(dayIndex: dayIndex, dayStartMillis: dayStart, activity: activity) {
                try signDue(before: item.millis)
                clock.set(item.millis)
                let t0 = DispatchTime.now().uptimeNanoseconds
                try store.append(item.event)
                appendSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                appended += 1
                if burstAt == nil { burstAt = item.millis + 1000 }
            }
            try signDue(before: nil)
        }
        let elapsed = Date().timeIntervalSince(started)
        let summary = String(format: "%d events and %d checkpoints appended in %.0f s (%.0f events/s; append %.3f ms, checkpoint %.3f ms on average), %@ … %@, scale %g, spacing %g s, seed %llu",
                             appended, checkpoints, elapsed, Double(appended) / elapsed, appendSeconds * 1000 / Double(max(appended, 1)),
                             checkpointSeconds * 1000 / Double(max(checkpoints, 1)), options.from, options.to, options.scale, options.spacingSeconds, options.seed)
        print("generated: " + summary)
        return summary
    }

    /// 15 January: the year before is archived; the oldest archive goes once it is past the retention.
    func maintenance(_ store: HistoryStore, _ clock: SimulatedClock, year: Int, at millis: Int64) throws {
        clock.set(millis)
        let t0 = Date()
        do {
            let receipt = try store.archive(year: year - 1)
            print(String(format: "  archived %d: %lld events, %.1f MB, in %.1f s", year - 1, receipt.count,
                         Double(fileSize(receipt.path)) / 1e6, Date().timeIntervalSince(t0)))
        } catch {
            print("  archive of \(year - 1) refused: \(error)")
        }
        let archived = try store.status().archivedYears
        if let oldest = archived.first, store.isPastRetention(year: oldest, at: clock.now()) {
            let t1 = Date()
            let receipt = try store.prune(before: oldest + 1)
            print(String(format: "  pruned %@ (past the %d-year retention) in %.1f s (includes a full verify)",
                         receipt.years.map(String.init).joined(separator: ", "), store.configuration.retentionYears, Date().timeIntervalSince(t1)))
        }
    }
}

/// The size of a file in bytes (0 when absent).
func fileSize(_ path: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
}
