import Foundation
import History
import Testing
@testable import Gateway

@Suite struct HistoryWriterTests {
    @Test func aBurstOfEventsIsWitnessedByOneCheckpointAboutASecondLaterWithoutAnyoneAsking() async throws {
        let history = try TemporaryHistory()
        // The store itself signs at the very first event; the burst after it is the writer's to cover.
        #expect(await history.writer.append(NewEvent(kind: .systemStart, result: .success)) != nil)
        try await Task.sleep(for: HistoryWriter.checkpointDelay + .milliseconds(500))
        let before = try history.store.status().checkpoints
        let linesBefore = try String(contentsOfFile: history.folder + "/history.witness", encoding: .utf8).split(separator: "\n").count
        for _ in 0..<5 {
            #expect(await history.writer.append(NewEvent(kind: .systemNotice, result: .success, details: EventDetails(reason: "burst"))) != nil)
        }
        #expect(try history.store.witnessStatus().unwitnessedEvents == 5, "nothing is signed per event")
        let deadline = ContinuousClock.now + .seconds(5)
        while try history.store.witnessStatus().unwitnessedEvents > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try history.store.witnessStatus().unwitnessedEvents == 0)
        #expect(try history.store.status().checkpoints == before + 1, "one checkpoint for the whole burst")
        let witness = try String(contentsOfFile: history.folder + "/history.witness", encoding: .utf8)
        #expect(witness.split(separator: "\n").count == linesBefore + 1)
    }

    @Test func theNextBurstIsSignedNoSoonerThanTheSpacingAfterTheCheckpointBefore() async throws {
        let history = try TemporaryHistory(spacing: .seconds(4))
        #expect(await history.writer.append(NewEvent(kind: .systemStart, result: .success)) != nil)
        // The first burst: signed about a second later.
        #expect(await history.writer.append(NewEvent(kind: .systemNotice, result: .success, details: EventDetails(reason: "first"))) != nil)
        try await Task.sleep(for: HistoryWriter.checkpointDelay + .milliseconds(700))
        #expect(try history.store.witnessStatus().unwitnessedEvents == 0)
        let afterFirst = try history.store.status().checkpoints
        // The next one: still unsigned a second and a half later (the spacing is 4 s), signed once the spacing is up.
        let started = ContinuousClock.now
        #expect(await history.writer.append(NewEvent(kind: .systemNotice, result: .success, details: EventDetails(reason: "second"))) != nil)
        try await Task.sleep(for: HistoryWriter.checkpointDelay + .milliseconds(500))
        #expect(try history.store.witnessStatus().unwitnessedEvents == 1)
        while try history.store.witnessStatus().unwitnessedEvents > 0, ContinuousClock.now - started < .seconds(8) {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try history.store.witnessStatus().unwitnessedEvents == 0)
        #expect(ContinuousClock.now - started >= .seconds(2), "signed before the spacing was up")
        #expect(try history.store.status().checkpoints == afterFirst + 1)
    }

    @Test func anIdleWriterSignsNothing() async throws {
        let history = try TemporaryHistory()
        try await Task.sleep(for: HistoryWriter.checkpointDelay + .milliseconds(500))
        #expect(try history.store.status().checkpoints == 0)
        await history.writer.checkpoint()
        #expect(try history.store.status().checkpoints == 0, "an empty history has nothing to sign")
    }
}
