import Foundation
import GRDB
import Testing
@testable import History

/// `verify` checks the signature of the newest checkpoint and of every note the witness does not hold byte for
/// byte; the others are authenticated by the chain of checkpoints (each names the hash of the text before).
/// Checkpoints fall at 1, 6, 11, 16 (numbers 1…4), all witnessed.
@Suite struct WitnessedSignatureTests {
    let f: HistoryFixture

    init() throws {
        f = try HistoryFixture(every: 5)
        let clock = FixedClock(date(2026, 6, 1))
        try f.fill(try f.store(clock: clock), 20, clock: clock)
    }

    func verify(everySignature: Bool = false) throws -> VerificationReport {
        try HistoryStore.openForReading(f.configuration).verify(keys: nil, witnessFiles: nil, policy: .sequential, everySignature: everySignature)
    }

    /// Replaces checkpoint `number`'s note in the database and, when `witness`, in the witness file.
    func replace(_ number: Int64, with note: String, witness: Bool) throws {
        let q = try f.rawWithoutTriggers()
        try q.write { try $0.execute(sql: "UPDATE checkpoints SET note = ? WHERE number = ?", arguments: [note, number]) }
        try q.close()
        guard witness else { return }
        var lines = try f.witnessLines()
        lines[Int(number) - 1] = Data(note.utf8).base64EncodedString()
        try (lines.joined(separator: "\n") + "\n").write(toFile: f.witnessPath, atomically: false, encoding: .utf8)
    }

    func note(_ number: Int64) throws -> String {
        try #require(try f.witnessed().first { $0.number == number }).note
    }

    @Test func onlyTheNewestSignatureIsVerifiedWhenTheWitnessHoldsEveryNote() throws {
        let r = try verify()
        #expect(r.intact && r.checkpointsChecked == 4 && r.signaturesVerified == 1, "\(r.message)")
        #expect(r.message.contains("1 signatures verified"))
        let every = try verify(everySignature: true)
        #expect(every.intact && every.checkpointsChecked == 4 && every.signaturesVerified == 4, "\(every.message)")
    }

    @Test func withoutAWitnessEverySignatureIsVerified() throws {
        let r = try HistoryStore.openForReading(f.configuration).verify(keys: nil, witnessFiles: [], policy: .sequential)
        #expect(r.intact && r.signaturesVerified == 4, "\(r.message)")
    }

    @Test func aSignatureChangedInTheDatabaseAloneIsFoundAtItsCheckpoint() throws {
        try replace(2, with: try flippedSignature(try note(2)), witness: false)
        let r = try verify()
        #expect(!r.intact && r.problem == .checkpointSignature && r.firstBadSequence == 6 && r.message.contains("does not verify"), "\(r.message)")
    }

    @Test func theNewestSignatureIsVerifiedEvenWhenTheWitnessHoldsTheSameBytes() throws {
        try replace(4, with: try flippedSignature(try note(4)), witness: true)
        let r = try verify()
        #expect(!r.intact && r.problem == .checkpointSignature && r.firstBadSequence == 16, "\(r.message)")
    }

    @Test func aTextChangedAlikeInTheDatabaseAndTheWitnessIsReportedAsByACheckOfEverySignature() throws {
        // The size in the text of checkpoint 2 changed in both places: its signature no longer covers its text.
        let changed = try note(2).replacingOccurrences(of: "\n6\n", with: "\n7\n")
        try replace(2, with: changed, witness: true)
        let r = try verify(), every = try verify(everySignature: true)
        #expect(!r.intact && r.problem == every.problem && r.firstBadSequence == every.firstBadSequence && r.message == every.message, "\(r.message) / \(every.message)")
        #expect(r.problem != nil)
    }

    /// The one thing the default leaves to `--every-signature`: a note whose signature bytes were changed alike in
    /// the database and in every witness, while its text (authenticated by the next checkpoint) is untouched.
    @Test func aSignatureChangedAlikeInTheDatabaseAndTheWitnessIsFoundByEverySignature() throws {
        try replace(2, with: try flippedSignature(try note(2)), witness: true)
        let r = try verify()
        #expect(r.intact && r.signaturesVerified == 1, "\(r.message)")
        let every = try verify(everySignature: true)
        #expect(!every.intact && every.problem == .checkpointSignature && every.firstBadSequence == 6, "\(every.message)")
    }
}
