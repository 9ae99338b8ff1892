import Foundation

/// The private side of the key schedule: which keys sign a new checkpoint, loading older keys' files only when a
/// handover needs them.
struct CheckpointSigner: Sendable {
    let schedule: CheckpointKeySchedule
    /// The private key of each entry, when known (the current key, and older ones whose file is configured).
    private let keys: [CheckpointSigningKey?]
    /// The private key files of the entries, for a handover.
    private let paths: [String?]

    /// `signingKey` is matched to its entry by public key; the other entries' keys are read from `paths` on demand.
    init(schedule: CheckpointKeySchedule, signingKey: CheckpointSigningKey, paths: [String?]) throws(HistoryError) {
        guard schedule.index(of: signingKey.publicKey) != nil else {
            throw HistoryError(.signingKey, "the signing key (fingerprint \(signingKey.publicKey.fingerprint)) is not in the configured list of checkpoint keys")
        }
        self.schedule = schedule
        self.keys = schedule.entries.map { $0.publicKey == signingKey.publicKey ? signingKey : nil }
        self.paths = paths.count == schedule.entries.count ? paths : Array(repeating: nil, count: schedule.entries.count)
    }

    /// The keys that sign a checkpoint at `time` after one signed under `previous`, and the index it is under.
    func keys(at time: Int64, after previous: Int?) throws(HistoryError) -> (keys: [CheckpointSigningKey], index: Int) {
        guard let needed = schedule.required(at: time, after: previous) else {
            throw HistoryError(.signingKey, "no checkpoint key is valid at \(HistoryTime.iso(HistoryTime.date(millis: time)))")
        }
        var out = [try key(needed)]
        if let previous, previous < needed { out.append(try key(previous)) }
        return (out, needed)
    }

    private func key(_ i: Int) throws(HistoryError) -> CheckpointSigningKey {
        if let k = keys[i] { return k }
        guard let path = paths[i] else {
            throw HistoryError(.signingKey, "checkpoint key \(schedule.entries[i].publicKey.fingerprint) must sign now (its turn, or the handover to its successor) but no key file is configured for it")
        }
        let k = try CheckpointSigningKey.load(path)
        guard k.publicKey == schedule.entries[i].publicKey else {
            throw HistoryError(.signingKey, "the key file \(path) does not hold checkpoint key \(schedule.entries[i].publicKey.fingerprint)")
        }
        return k
    }
}
