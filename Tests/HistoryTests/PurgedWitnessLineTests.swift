import Foundation
import Testing
@testable import History

/// The witness lines of a purged year: their checkpoints left the database with the year's events, so nothing holds
/// their bytes but the witness. `verify` authenticates their texts through the chain of `previous` hashes from the
/// first checkpoint after the gap, instead of one signature each; a changed text is still found, and
/// `everySignature` verifies every line's signature.
@Suite struct PurgedWitnessLineTests {
    let f: HistoryFixture
    let store: HistoryStore

    /// 2019, 2020 and 2021 with three events each; 2019 and 2020 archived, 2019 pruned on 1 January 2027.
    init() throws {
        f = try HistoryFixture(every: 2)
        let clock = FixedClock(date(2019, 6, 1))
        store = try f.store(clock: clock)
        for y in [2019, 2020, 2021] {
            clock.set(date(y, 6, 1))
            try f.fill(store, 3, clock: clock)
        }
        clock.set(date(2022, 1, 5))
        _ = try store.archive(year: 2019)
        _ = try store.archive(year: 2020)
        clock.set(date(2027, 1, 1))
        #expect(try store.prune(before: 2020).years == [2019])
    }

    /// The index of the first witness line of a purged checkpoint (2019's events are 1…3) that is not the last one of
    /// the year (which the seal keeps).
    func purgedLine() throws -> Int {
        try #require(try f.witnessed().firstIndex { $0.size < 3 })
    }

    /// Rewrites witness line `index` (its note, decoded) with `change`.
    func changeLine(_ index: Int, _ change: (String) throws -> String) throws {
        var lines = try f.witnessLines()
        let note = String(decoding: try #require(Data(base64Encoded: lines[index])), as: UTF8.self)
        let changed = try change(note)
        #expect(changed != note)
        lines[index] = Data(changed.utf8).base64EncodedString()
        try (lines.joined(separator: "\n") + "\n").write(toFile: f.witnessPath, atomically: false, encoding: .utf8)
    }

    func verify(everySignature: Bool = false) -> VerificationReport {
        store.verify(keys: nil, witnessFiles: nil, policy: .sequential, everySignature: everySignature)
    }

    @Test func aPrunedHistoryWithItsWitnessVerifiesBothWays() throws {
        let r = verify(), every = verify(everySignature: true)
        #expect(r.intact && every.intact, "\(r.message) / \(every.message)")
        let count = try f.witnessLines().count
        #expect(r.witnessLinesChecked == every.witnessLinesChecked && r.witnessLinesChecked == count)
    }

    @Test func theChainReachesEveryLineOfThePurgedYear() throws {
        // What the chain check accepted, then the lines it authenticates.
        let lines = try WitnessFile.read(f.witnessPath, origin: try #require(try f.witnessed().first).origin)
        let r = verify()
        #expect(r.intact, "\(r.message)")
        let witnessed = try f.witnessed()
        let purged = witnessed.indices.filter { witnessed[$0].size <= 3 }
        #expect(!purged.isEmpty)
        var audit = CheckpointAudit(schedule: try #require(store.keySchedule), origin: witnessed[0].origin, marks: [:], chainEnd: 0,
                                    knownBelow: 0, purged: [], resumePoints: [:])
        // Only the checkpoints still in the database, as the chain check leaves them.
        for cp in witnessed where cp.size > 3 { audit.byNumber[cp.number] = cp }
        let chained = audit.chainAuthenticated(lines)
        #expect(purged.allSatisfy { chained[$0] }, "\(chained)")
        // Every line but the newest, which no checkpoint names (it is the database's newest note byte for byte).
        #expect(chained.dropLast().allSatisfy { $0 } && chained.last == false)
    }

    @Test func aPurgedYearsLineWithAChangedTextIsFoundByItsSignature() throws {
        let index = try purgedLine()
        // Its time in milliseconds, one more: the text no longer has the hash the next checkpoint names.
        try changeLine(index) { note in
            var lines = note.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let time = try #require(Int64(lines[4].dropFirst("time ".count)))
            lines[4] = "time \(time + 1)"
            return lines.joined(separator: "\n")
        }
        let r = verify()
        #expect(!r.intact && r.problem == .witness && r.message.contains("line \(index + 1)") && r.message.contains("not validly signed"), "\(r.message)")
    }

    /// A second line for the same checkpoint number beside the authentic one (a fork): only the text the next
    /// checkpoint names rides on the chain; the other is checked by its signature, which does not cover it.
    @Test func aForgedSecondLineForAPurgedCheckpointIsRefused() throws {
        let index = try purgedLine()
        var lines = try f.witnessLines()
        let note = String(decoding: try #require(Data(base64Encoded: lines[index])), as: UTF8.self)
        let forged = note.replacingOccurrences(of: "\ntime ", with: "\ntime 1")
        #expect(forged != note)
        lines.insert(Data(forged.utf8).base64EncodedString(), at: index + 1)
        try (lines.joined(separator: "\n") + "\n").write(toFile: f.witnessPath, atomically: false, encoding: .utf8)
        let r = verify()
        #expect(!r.intact && r.problem == .witness && r.message.contains("line \(index + 2)") && r.message.contains("not validly signed"), "\(r.message)")
    }

    @Test func aPurgedYearsLineWithoutASignatureLineOfAKnownKeyIsRefused() throws {
        let index = try purgedLine()
        try changeLine(index) { note in
            let parts = note.split(separator: "\n", omittingEmptySubsequences: false)
            let signatureLine = try #require(parts.dropLast().last)
            let fields = signatureLine.split(separator: " ")
            return note.replacingOccurrences(of: String(signatureLine), with: "\(fields[0]) someone-else \(fields[2])")
        }
        let r = verify()
        #expect(!r.intact && r.problem == .witness && r.message.contains("not validly signed"), "\(r.message)")
    }

    /// What the default leaves to `everySignature`: a purged year's line whose signature bytes alone were changed
    /// (its text, authenticated by the chain, is untouched).
    @Test func aPurgedYearsLineWithChangedSignatureBytesIsFoundByEverySignature() throws {
        let index = try purgedLine()
        try changeLine(index, flippedSignature)
        #expect(verify().intact, "\(verify().message)")
        let every = verify(everySignature: true)
        #expect(!every.intact && every.problem == .witness && every.message.contains("line \(index + 1)"), "\(every.message)")
    }
}
