import CityHall
import Crypto
import Foundation
import History

/// The measurements on a generated history: sizes, the auditor's queries (each repeated with other rooms, operators
/// and cards) and a full verification beside plain SHA-256 over the same bytes.
struct YearsMeasurement {
    let store: HistoryStore
    let configuration: HistoryConfiguration
    let options: YearsOptions
    let jst: TimeZone

    func run() throws {
        let status = try store.status()
        let archives = status.archivedYears.map { (year: $0, bytes: fileSize(configuration.archivePath(year: $0))) }
        let live = fileSize(configuration.databasePath) + fileSize(configuration.databasePath + "-wal")
        let witness = configuration.witness.files.map(fileSize).reduce(0, +)
        print("\nsizes: live database \(mb(live)) for \(status.liveEvents) events (\(perMillion(live, status.liveEvents)) per million), " +
              "\(status.checkpoints) checkpoints in it")
        for a in archives { print("  archive \(a.year): \(mb(a.bytes))") }
        let archiveBytes = archives.map(\.bytes).reduce(0, +)
        print("  archives together \(mb(archiveBytes)); witness file \(mb(witness))")

        // The periods: the last whole month before --to (the live year), the same month a year before (archived),
        // the whole year before --to's year (archived), and from 1 January of that year to --to (archived + live).
        let to = try YearsRun(options: options).midnight(options.to)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = jst
        let end = HistoryTime.date(millis: to)
        let lastMonth = calendar.date(byAdding: .month, value: -1, to: end)!
        let yearBefore = calendar.component(.year, from: lastMonth) - 1
        let monthAYearBefore = (calendar.date(byAdding: .year, value: -1, to: lastMonth)!, calendar.date(byAdding: .year, value: -1, to: end)!)
        let wholeYear = (calendar.date(from: DateComponents(year: yearBefore, month: 1, day: 1))!, calendar.date(from: DateComponents(year: yearBefore + 1, month: 1, day: 1))!)
        let iso = { (d: Date) in ISO8601DateFormatter.string(from: d, timeZone: jst, formatOptions: [.withFullDate]) }
        print("\nqueries, each \(options.repeats) times with another room, operator or card (ms):")
        print("".padding(toLength: 70, withPad: " ", startingAt: 0) + "   p50      p99      max   rows (median)")
        try query("entry book, one room, \(iso(lastMonth)) … \(iso(end)) (live)") { i in
            try EntryBook.read(from: store, room: CityHall.room(i % CityHall.rooms), from: lastMonth, to: end).visits.count
        }
        try query("entry book, one room, \(iso(monthAYearBefore.0)) … \(iso(monthAYearBefore.1)) (archive)") { i in
            try EntryBook.read(from: store, room: CityHall.room(i % CityHall.rooms), from: monthAYearBefore.0, to: monthAYearBefore.1).visits.count
        }
        try query("one operator's events, year \(yearBefore) (archive)") { i in
            try store.events(matching: EventFilter(actor: CityHall.operatorID((i * 37) % CityHall.operators), from: wholeYear.0, to: wholeYear.1)).count
        }
        try query("anomaly report, \(iso(lastMonth)) … \(iso(end)) (live)") { _ in
            let report = try AnomalyReport.read(from: store, from: lastMonth, to: end)
            return report.items.count
        }
        try query("one card, \(iso(wholeYear.0)) … \(iso(end)) (archive + live)") { i in
            try store.events(matching: EventFilter(card: CityHall.card((i * 53) % CityHall.operators), from: wholeYear.0, to: end)).count
        }
        let kept = try verifyBesideSHA256(archiveFiles: archives.map { configuration.archivePath(year: $0.year) })
        let archivedEvents = kept - status.liveEvents
        print("\nsizes per million events: live \(perMillion(live, status.liveEvents)), archives \(perMillion(archiveBytes, archivedEvents)) " +
              "(\(archivedEvents) archived events kept), witness \(perMillion(witness, kept)) (the witness file holds every checkpoint since the start)")
    }

    private func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
    private func perMillion(_ bytes: Int, _ events: Int) -> String {
        events == 0 ? "–" : String(format: "%.0f MB", Double(bytes) / 1e6 / (Double(events) / 1e6))
    }

    /// Runs `body` `repeats` times; prints p50, p99, max and the median number of rows.
    private func query(_ title: String, _ body: (Int) throws -> Int) throws {
        var times: [Double] = [], rows: [Int] = []
        for i in 0..<options.repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            rows.append(try body(i))
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        times.sort()
        rows.sort()
        let p = { (q: Double) in times[min(times.count - 1, max(0, Int((q * Double(times.count)).rounded(.up)) - 1))] }
        let p99 = p(0.99)
        print(title.padding(toLength: 70, withPad: " ", startingAt: 0) +
              String(format: "%8.1f %8.1f %8.1f   %d   %@", p(0.5), p99, times.last!, rows[rows.count / 2], p99 < 200 ? "< 200 ms met" : "MISSED (target < 200 ms)"))
        fflush(nil)
    }

    /// `verify()` over every kept event, then plain SHA-256 over the very bytes it hashes (each event's previous hash ‖
    /// encoding, each leaf's 0x00 ‖ event hash, one 65-byte inner node per event), read in chunks outside the timing.
    private func verifyBesideSHA256(archiveFiles: [String]) throws -> Int {
        print("\nfull verification …")
        fflush(nil)
        let v0 = DispatchTime.now().uptimeNanoseconds
        let report = store.verify()
        let verifySeconds = Double(DispatchTime.now().uptimeNanoseconds - v0) / 1e9
        print(String(format: "  history.verify: %@ (%@), %lld events in %.1f s (%.0f events/s)", report.outcome.rawValue, report.message,
                     report.eventsChecked, verifySeconds, Double(report.eventsChecked) / verifySeconds))
        var hashSeconds = 0.0, events = 0, bytes = 0
        var chunk: [[UInt8]] = []
        func hashChunk() {
            let t0 = DispatchTime.now().uptimeNanoseconds
            var x: UInt8 = 0
            for b in chunk { x ^= SHA256.hash(data: b).withUnsafeBytes { $0[0] } }
            let node = [UInt8](repeating: x, count: 65)
            for _ in 0..<(chunk.count / 2) { x ^= SHA256.hash(data: node).withUnsafeBytes { $0[0] } }
            hashSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            if x == 0x5A { print("", terminator: "") }
            bytes += chunk.reduce(0) { $0 + $1.count } + chunk.count / 2 * 65
            chunk.removeAll(keepingCapacity: true)
        }
        try store.forEachEvent(matching: EventFilter()) { e in
            chunk.append(try EventEncoding.hashedBytes(of: e))
            chunk.append([0] + e.hash)
            events += 1
            if chunk.count >= 400_000 { hashChunk() }
            return true
        }
        hashChunk()
        let verifyRate = Double(report.eventsChecked) / verifySeconds, hashRate = Double(events) / hashSeconds
        print(String(format: "  plain SHA-256 of the same bytes: %d events, %.0f MB in %.1f s (%.0f events/s); ratio %.2f (target ≥ 0.50)",
                     events, Double(bytes) / 1e6, hashSeconds, hashRate, verifyRate / hashRate))
        // Verification also hashes every kept archive file whole (its recorded SHA-256): the same bytes, read the same way.
        let f0 = DispatchTime.now().uptimeNanoseconds
        var fileBytes = 0
        for path in archiveFiles {
            guard let handle = FileHandle(forReadingAtPath: path) else { continue }
            var h = SHA256()
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { h.update(data: chunk); fileBytes += chunk.count }
            _ = h.finalize()
            try handle.close()
        }
        let fileSeconds = Double(DispatchTime.now().uptimeNanoseconds - f0) / 1e9
        print(String(format: "  plain SHA-256 of the archive files verification also hashes: %.0f MB in %.1f s; with the events' bytes %.1f s, ratio %.2f",
                     Double(fileBytes) / 1e6, fileSeconds, hashSeconds + fileSeconds, (hashSeconds + fileSeconds) / verifySeconds))
        return events
    }
}
