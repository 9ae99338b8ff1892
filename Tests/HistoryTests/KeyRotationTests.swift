import Foundation
import Testing
@testable import History

@Suite struct KeyRotationTests {
    /// Two keys: the old one valid from the beginning, the new one from 2027-04-01; both files configured.
    func rotated() throws -> (HistoryFixture, CheckpointSigningKey, FixedClock, HistoryStore) {
        var f = try HistoryFixture(every: 3)
        f.configuration.checkpointEveryMinutes = 1440
        let newKey = try CheckpointSigningKey.create(f.dir + "/signing-2027.key")
        f.configuration.signingKeys = [
            SigningKeyEntry(publicKey: f.key.publicKey, privateKeyPath: f.configuration.signingKeyPath),
            SigningKeyEntry(publicKey: newKey.publicKey, privateKeyPath: f.dir + "/signing-2027.key", validFrom: date(2027, 4, 1)),
        ]
        let clock = FixedClock(date(2027, 3, 31, 23))
        let store = try HistoryStore(configuration: f.configuration, signingKey: newKey, clock: clock)
        return (f, newKey, clock, store)
    }

    @Test func theFirstCheckpointUnderANewKeyIsAlsoSignedByTheOldOne() throws {
        let (f, newKey, clock, store) = try rotated()
        try f.fill(store, 6, clock: clock)           // checkpoints 1 and 4 under the old key
        clock.set(date(2027, 4, 1, 1))
        try f.fill(store, 6, clock: clock)           // 7 and 10 under the new key; 7 is the handover
        let cps = try f.witnessed()
        #expect(cps.map(\.size) == [1, 4, 7, 10])
        #expect(cps[0].signatureCheck(by: f.key.publicKey) == true && cps[0].signatureCheck(by: newKey.publicKey) == nil)
        #expect(cps[2].signatureCheck(by: newKey.publicKey) == true && cps[2].signatureCheck(by: f.key.publicKey) == true)
        #expect(cps[3].signatureCheck(by: newKey.publicKey) == true && cps[3].signatureCheck(by: f.key.publicKey) == nil)
        let r = store.verify()
        #expect(r.intact && r.checkpointsChecked == 4, "\(r.message)")
    }

    /// Six events under the old key, `later` events after the switch, then checkpoint `number` re-signed by `keys`
    /// alone (as an intruder holding those keys would) in the database; the verify report without the witness.
    func resigned(_ number: Int64, later: Int, keys: (CheckpointSigningKey) -> [CheckpointSigningKey]) throws -> VerificationReport {
        let (f, newKey, clock, store) = try rotated()
        try f.fill(store, 6, clock: clock)
        clock.set(date(2027, 4, 1, 1))
        try f.fill(store, later, clock: clock)
        let cp = try #require(try f.witnessed().first { $0.number == number })
        let forged = try Checkpoint.sign(origin: cp.origin, size: cp.size, root: cp.root, number: cp.number, timeMillis: cp.timeMillis,
                                         previous: cp.previous, keys: keys(newKey))
        let q = try f.rawWithoutTriggers()
        try q.write { try $0.execute(sql: "UPDATE checkpoints SET note = ? WHERE number = ?", arguments: [forged.note, number]) }
        return store.verify(keys: nil, witnessFiles: [], policy: .sequential)
    }

    @Test func aCheckpointSignedByAKeyNotValidAtItsTimeIsRefused() throws {
        // Re-sealed with the new key alone, dated before it was valid (CVE-2023-31439's mistake): refused.
        let r = try resigned(2, later: 6) { [$0] }
        #expect(r.problem == .checkpointSignature && r.firstBadSequence == 4 && r.message.contains("valid at its time"), "\(r.message)")
    }

    @Test func aHandoverWithoutTheOldKeysSignatureIsRefused() throws {
        let r = try resigned(3, later: 3) { [$0] }
        #expect(r.problem == .checkpointSignature && r.firstBadSequence == 7 && r.message.contains("also signed"), "\(r.message)")
    }

    @Test func theHandoverIsRefusedWhenTheOldKeyFileIsGone() throws {
        let (fixture, _, clock, store) = try rotated()
        var f = fixture
        try f.fill(store, 2, clock: clock)
        f.configuration.signingKeys[0].privateKeyPath = nil
        let newKey = try CheckpointSigningKey.load(f.dir + "/signing-2027.key")
        let later = try HistoryStore(configuration: f.configuration, signingKey: newKey, clock: clock)
        clock.set(date(2027, 4, 1, 1))
        try later.append(NewEvent(kind: .operation, result: .success)) // not due yet
        #expect { try later.checkpoint() } throws: { ($0 as? HistoryError)?.code == .signingKey && "\($0)".contains("handover") }
    }

    @Test func aReaderVerifiesWithThePublicKeysOfTheListAlone() throws {
        let (f, _, clock, store) = try rotated()
        try f.fill(store, 6, clock: clock)
        clock.set(date(2027, 4, 1, 1))
        try f.fill(store, 6, clock: clock)
        var readerConfiguration = f.configuration
        readerConfiguration.signingKeyPath = f.dir + "/not-readable.key"
        for i in readerConfiguration.signingKeys.indices { readerConfiguration.signingKeys[i].privateKeyPath = nil }
        let reader = try HistoryStore.openForReading(readerConfiguration)
        #expect(reader.isReadOnly && reader.keySchedule?.entries.count == 2)
        #expect(reader.verify().intact)
    }
}
