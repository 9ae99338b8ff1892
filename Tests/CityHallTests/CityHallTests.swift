import CityHall
import Foundation
import History
import Testing

/// The short version of the seven-year campaign (issue 12; the long one is `history-years`, Benchmarks/README.md): a
/// city hall's five weeks across a new year through the real append path, with the daemon's checkpoint spacing and
/// the archive of the closed year on 15 January; then the auditor's queries across the archive and the live year
/// and a full verification.
@Suite struct CityHallTests {
    @Test func fiveWeeksAcrossANewYearAreArchivedQueriedAndVerified() throws {
        let folder = NSTemporaryDirectory() + "city-hall-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder + "/witness", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configuration = HistoryConfiguration(databasePath: folder + "/history.sqlite", archiveDirectory: folder + "/archive",
                                                 signingKeyPath: folder + "/key", witness: WitnessConfiguration(files: [folder + "/witness/w"]))
        let clock = SimulatedClock()
        let store = try HistoryStore(configuration: configuration, signingKey: try CheckpointSigningKey.create(folder + "/key"), clock: clock)
        let generator = CityHallGenerator(store: store, clock: clock, hall: CityHall(seed: 7, scale: 0.02), spacingSeconds: 600)
        let from = try #require(CityHallGenerator.midnight("2026-12-14")), to = try #require(CityHallGenerator.midnight("2027-01-19"))
        try generator.run(from: from, to: to)

        let tally = generator.tally
        let archived = try #require(tally.archived.first)
        #expect(tally.archived.count == 1 && archived.year == 2026 && archived.count > 1000, "\(tally.archived)")
        #expect(tally.checkpoints > 0 && tally.checkpoints * 10 < tally.appended, "\(tally.checkpoints) checkpoints for \(tally.appended) events")
        #expect(try store.status().archivedYears == [2026])

        // Queries read the archive and the live year alike; each card's events are the operator's own.
        let all = try store.events()
        #expect(all.count == tally.appended + 1)  // and the archive's own record
        let card = CityHall.card(3)
        let byCard = try store.events(matching: EventFilter(card: card, from: HistoryTime.date(millis: from), to: HistoryTime.date(millis: to)))
        #expect(byCard.count == all.filter { $0.card == card }.count && byCard.contains { $0.year == 2026 } && byCard.contains { $0.year == 2027 })
        #expect(byCard.allSatisfy { $0.actor == CityHall.operatorID(3) })
        let book = try EntryBook.read(from: store, room: CityHall.room(3), from: HistoryTime.date(millis: from), to: HistoryTime.date(millis: to))
        #expect(!book.visits.isEmpty)

        let report = store.verify()
        #expect(report.intact && report.sealedYears == [2026] && report.eventsChecked == Int64(all.count), "\(report.message)")
    }

    @Test func aDayIsTheSameForTheSameSeedAndOtherwiseDifferent() {
        let day = CityHallGenerator.midnight("2026-06-03")!
        let a = CityHall(seed: 1, scale: 0.05).events(dayIndex: 10, dayStartMillis: day, activity: 1)
        let b = CityHall(seed: 1, scale: 0.05).events(dayIndex: 10, dayStartMillis: day, activity: 1)
        let c = CityHall(seed: 2, scale: 0.05).events(dayIndex: 10, dayStartMillis: day, activity: 1)
        #expect(a.map(\.millis) == b.map(\.millis) && a.map(\.event.kind) == b.map(\.event.kind) && !a.isEmpty)
        #expect(a.map(\.millis) != c.map(\.millis))
        #expect(a.map(\.millis) == a.map(\.millis).sorted())
    }
}
