import Foundation
import GRDB
import Testing
@testable import History

@Suite struct ProofTests {
    @Test func anInclusionProofRoundTripsThroughJSONAndChecksWithOnlyThePublicKey() throws {
        let f = try HistoryFixture(every: 7)
        let store = try f.store()
        try f.fill(store, 40)
        try store.checkpoint()
        for seq in [1, 2, 17, 39, 40] as [Int64] {
            let proof = try store.inclusionProof(sequence: seq)
            #expect(proof.treeSize == 40 && proof.leafIndex == seq - 1)
            let data = try JSONEncoder().encode(proof)
            let result = try ProofChecker.check(data, keys: [f.key.publicKey])
            #expect(result.treeSize == 40 && result.summary.contains("event \(seq)"))
        }
        // Against an older checkpoint, too.
        let old = try store.inclusionProof(sequence: 3, treeSize: 8)
        #expect(old.treeSize == 8)
        _ = try ProofChecker.check(JSONEncoder().encode(old), keys: [f.key.publicKey])
    }

    @Test func aProofForAChangedEventOrUnderAnotherKeyFails() throws {
        let f = try HistoryFixture(every: 7)
        let store = try f.store()
        try f.fill(store, 20)
        try store.checkpoint()
        let proof = try store.inclusionProof(sequence: 9)
        // The readable fields changed: they no longer match the encoding.
        var a = proof
        a.event.actor = "someone-else"
        #expect { try ProofChecker.check(a, keys: [f.key.publicKey]) } throws: { ($0 as? HistoryError)?.code == .invalidProof }
        // The encoding changed along with them: the hash chain breaks.
        var b = proof
        let fields = try #require(EventEncoding.decode(Array(Data(base64Encoded: proof.encoding)!)))
        let forged = EventEncoding.encode(sequence: fields.sequence, timeMillis: fields.timeMillis, kind: fields.kind, result: fields.result,
                                          actor: "someone-else", card: fields.card, place: fields.place, details: try fields.details.encoded())
        b.encoding = Data(forged).base64EncodedString()
        b.event.actor = "someone-else"
        #expect { try ProofChecker.check(b, keys: [f.key.publicKey]) } throws: { "\($0)".contains("changed") }
        // Hash and leaf recomputed by the forger: the path no longer reaches the signed root.
        var c = b
        let hash = EventEncoding.hash(previous: Hex.decode(proof.previousHash)!, encoding: forged)
        c.eventHash = Hex.encode(hash)
        c.leafHash = Hex.encode(MerkleHash.leaf(Hash32(hash)).bytes)
        #expect { try ProofChecker.check(c, keys: [f.key.publicKey]) } throws: { "\($0)".contains("does not lead") }
        // A changed path element.
        var d = proof
        d.inclusionProof[0] = String(repeating: "0", count: 64)
        #expect { try ProofChecker.check(d, keys: [f.key.publicKey]) } throws: { ($0 as? HistoryError)?.code == .invalidProof }
        // The wrong key.
        let stranger = try CheckpointSigningKey.create(f.dir + "/stranger.key")
        #expect { try ProofChecker.check(proof, keys: [stranger.publicKey]) } throws: { "\($0)".contains("not signed by") }
        // Not JSON at all, or too large.
        #expect { try ProofChecker.check(Data("nonsense".utf8), keys: [f.key.publicKey]) } throws: { ($0 as? HistoryError)?.code == .invalidProof }
        #expect { try ProofChecker.check(Data(count: ProofChecker.maximumBytes + 1), keys: [f.key.publicKey]) } throws: { ($0 as? HistoryError)?.code == .invalidProof }
    }

    @Test func consistencyProofsRoundTripBetweenEveryCheckpointAndTheNewest() throws {
        let f = try HistoryFixture(every: 3)
        let store = try f.store()
        try f.fill(store, 30)
        try store.checkpoint()
        for from in 1...30 as ClosedRange<Int64> {
            let p = try store.consistencyProof(from: from)
            #expect(p.toSize == 30)
            let r = try ProofChecker.check(JSONEncoder().encode(p), keys: [f.key.publicKey])
            #expect(r.treeSize == 30)
            #expect((p.fromCheckpoint != nil) == [1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 30].contains(from))
        }
        // The auditor's kept checkpoint must be the starting point.
        let kept = try #require(try f.witnessed().first { $0.size == 10 })
        let p = try store.consistencyProof(from: 10)
        _ = try ProofChecker.check(JSONEncoder().encode(p), keys: [f.key.publicKey], oldCheckpoint: kept.note)
        let wrong = try #require(try f.witnessed().first { $0.size == 13 })
        #expect { try ProofChecker.check(JSONEncoder().encode(p), keys: [f.key.publicKey], oldCheckpoint: wrong.note) } throws: { ($0 as? HistoryError)?.code == .invalidProof }
        var bad = p
        bad.fromRoot = String(repeating: "1", count: 64)
        bad.fromCheckpoint = nil
        #expect { try ProofChecker.check(bad, keys: [f.key.publicKey]) } throws: { "\($0)".contains("fails") }
    }

    @Test func proofsWorkAcrossAYearBoundaryAndForArchivedEvents() throws {
        let f = try HistoryFixture(every: 4)
        let clock = FixedClock(date(2024, 12, 31, 23))
        let store = try f.store(clock: clock)
        try f.fill(store, 6, clock: clock)
        clock.set(date(2025, 1, 1, 0) + 10)
        try f.fill(store, 6, clock: clock)
        clock.set(date(2026, 1, 5))
        _ = try store.archive(year: 2024)
        try f.fill(store, 3, clock: clock)
        try store.checkpoint()
        let size = try store.status().lastSequence
        for seq in 1...size {
            let p = try store.inclusionProof(sequence: seq)
            #expect(p.treeSize == size)
            _ = try ProofChecker.check(JSONEncoder().encode(p), keys: [f.key.publicKey])
        }
        // From a size inside the archived year to now.
        let c = try store.consistencyProof(from: 3)
        _ = try ProofChecker.check(JSONEncoder().encode(c), keys: [f.key.publicKey])
        // Against the seal's checkpoint of 2024, which now lives in the archive and the seal.
        let old = try store.inclusionProof(sequence: 2, treeSize: 6)
        _ = try ProofChecker.check(JSONEncoder().encode(old), keys: [f.key.publicKey])
        #expect(store.verify().intact)
    }

    @Test func proofsAtTheStoredSubtreeSizesUseTheStoredNodes() throws {
        let f = try HistoryFixture(every: 1000)
        let store = try f.store()
        try store.append(contentsOf: (0..<1100).map { NewEvent(kind: .operation, result: .success, actor: "op-\($0 % 13)") })
        try store.checkpoint()
        #expect(try store.queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM tree_nodes") } == 4 + 2 + 1) // levels 8, 9, 10
        for seq in [1, 255, 256, 257, 512, 1024, 1025, 1100] as [Int64] {
            _ = try ProofChecker.check(JSONEncoder().encode(try store.inclusionProof(sequence: seq)), keys: [f.key.publicKey])
        }
        for from in [1, 256, 300, 1024, 1099] as [Int64] {
            _ = try ProofChecker.check(JSONEncoder().encode(try store.consistencyProof(from: from)), keys: [f.key.publicKey])
        }
    }

    @Test func anEventNotYetCoveredByACheckpointIsRefused() throws {
        let f = try HistoryFixture(every: 100)
        let store = try f.store()
        try f.fill(store, 5)
        #expect { try store.inclusionProof(sequence: 3) } throws: { ($0 as? HistoryError)?.code == .refused && "\($0)".contains("checkpoint") }
        #expect { try store.consistencyProof(from: 0) } throws: { ($0 as? HistoryError)?.code == .refused }
    }
}
