import Foundation

/// The checkpoint keys over time (key rotation): each key is valid from its `validFrom` until the next key's.
///
/// A checkpoint must be signed by the key valid at its time, or by a later one if the checkpoint before it already
/// was (keys never go backwards along the chain, so a retired key cannot sign after its successor). The first
/// checkpoint under a new key must also be signed by the key of the checkpoint before it: the handover.
public struct CheckpointKeySchedule: Sendable, Equatable {
    /// One key and the moment it starts to sign.
    public struct Entry: Sendable, Equatable {
        /// The public key.
        public var publicKey: CheckpointPublicKey
        /// From when it signs, in milliseconds since 1970 UTC; `Int64.min` for the first key of an installation.
        public var validFromMillis: Int64

        /// Creates an entry; `validFrom` nil means from the beginning.
        public init(publicKey: CheckpointPublicKey, validFrom: Date?) {
            self.publicKey = publicKey
            self.validFromMillis = validFrom.map(HistoryTime.millis) ?? .min
        }
    }

    /// The keys, oldest first, with strictly increasing `validFromMillis`.
    public let entries: [Entry]

    /// Checks the list: at least one key, times strictly increasing, no key twice.
    public init(_ entries: [Entry]) throws(HistoryError) {
        guard !entries.isEmpty else { throw HistoryError(.configuration, "the list of checkpoint keys is empty") }
        for (a, b) in zip(entries, entries.dropFirst()) where a.validFromMillis >= b.validFromMillis {
            throw HistoryError(.configuration, "checkpoint keys must be listed oldest first, each valid from a later time than the one before")
        }
        guard Set(entries.map(\.publicKey.hex)).count == entries.count else {
            throw HistoryError(.configuration, "a checkpoint key is listed twice")
        }
        self.entries = entries
    }

    /// One key, valid from the beginning.
    public init(single key: CheckpointPublicKey) {
        entries = [Entry(publicKey: key, validFrom: nil)]
    }

    /// The index of the key valid at `time`, or nil before the first key.
    func index(at time: Int64) -> Int? {
        entries.lastIndex { $0.validFromMillis <= time }
    }

    /// The index of the key that must sign a checkpoint at `time` after one signed under `previous`.
    func required(at time: Int64, after previous: Int?) -> Int? {
        guard let now = index(at: time) else { return previous }
        return max(now, previous ?? now)
    }

    /// The index of a public key.
    func index(of key: CheckpointPublicKey) -> Int? { entries.firstIndex { $0.publicKey == key } }

    /// Checks the signatures of checkpoint `cp`, which follows a checkpoint signed under `previous`; returns the
    /// index of its key, or a sentence saying what is wrong.
    func check(_ cp: Checkpoint, after previous: Int?) -> Result<Int, CheckpointSignatureFailure> {
        check(cp, after: previous, checks: entries.map { cp.signatureCheck(by: $0.publicKey) })
    }

    /// ``check(_:after:)`` with the signature checks of `cp` by each entry's key done already (``PreparedCheckpoints``).
    func check(_ cp: Checkpoint, after previous: Int?, checks: [Bool?]) -> Result<Int, CheckpointSignatureFailure> {
        guard checks.count == entries.count else {
            return .failure(CheckpointSignatureFailure("checkpoint \(cp.number) was checked against another list of keys"))
        }
        // A signature line of a known key that does not verify means the note was changed.
        for (i, e) in entries.enumerated() where checks[i] == false {
            return .failure(CheckpointSignatureFailure("checkpoint \(cp.number) (size \(cp.size)) has a signature by key \(e.publicKey.fingerprint) (#\(i + 1)) that does not verify: the checkpoint was changed"))
        }
        guard let needed = required(at: cp.timeMillis, after: previous) else {
            return .failure(CheckpointSignatureFailure("checkpoint \(cp.number) is dated before the first checkpoint key is valid"))
        }
        guard checks[needed] == true else {
            return .failure(CheckpointSignatureFailure("checkpoint \(cp.number) (size \(cp.size)) is not signed by key \(entries[needed].publicKey.fingerprint), the key valid at its time"))
        }
        if let previous, previous < needed, checks[previous] != true {
            return .failure(CheckpointSignatureFailure("checkpoint \(cp.number) is the first under key \(entries[needed].publicKey.fingerprint) but is not also signed by the key before it (\(entries[previous].publicKey.fingerprint))"))
        }
        return .success(needed)
    }

    /// Whether any known key signed `cp` validly and none failed (for witness lines, whose order is not a chain).
    func isSignedByKnownKey(_ cp: Checkpoint) -> Bool {
        let checks = entries.map { cp.signatureCheck(by: $0.publicKey) }
        return !checks.contains(false) && checks.contains(true)
    }
}

/// Why a checkpoint's signatures were refused.
struct CheckpointSignatureFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
