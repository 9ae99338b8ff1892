import Foundation

/// Checkpoint notes parsed and their signatures checked by every known key, on several threads at once: the costly
/// part of verifying a history with many checkpoints (one Ed25519 verification per key and note). The chain checks
/// that follow are sequential and use these results.
///
/// A note that `verifying` leaves out is only parsed: its checks say which keys it has a signature line by
/// (`true`) without verifying the signature. ``CheckpointAudit`` leaves out notes whose text the chain of
/// checkpoints authenticates and whose exact bytes a witness holds as well.
struct PreparedCheckpoints: Sendable {
    /// One note: its parse, and per key of the schedule whether its signature verifies (nil: no signature by that key).
    struct Note: Sendable {
        let parsed: Result<Checkpoint, HistoryError>
        let checks: [Bool?]
        /// Whether `checks` are verified signatures (else they only say which keys have a signature line).
        let verified: Bool
    }

    let notes: [Note]
    /// How many notes had their signatures verified.
    var verifiedCount: Int { notes.reduce(0) { $0 + ($1.verified ? 1 : 0) } }

    /// Parses `texts` and checks the signatures of those `verifying` selects (by index) with `schedule`'s keys, in
    /// order. A text found in `known` (parsed already, e.g. as a witness line) is not parsed again.
    init(_ texts: [String], schedule: CheckpointKeySchedule, known: [NoteBytes: Checkpoint] = [:], verifying: @Sendable (Int) -> Bool = { _ in true },
         threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        // The key IDs under the usual origin, computed once (each is a SHA-256 of the name and key).
        let first = texts.first ?? ""
        let origin = known[NoteBytes(first)]?.origin ?? (try? Checkpoint(parsing: first))?.origin ?? ""
        let ids = schedule.entries.map { SignedNote.keyID(name: origin, publicKey: $0.publicKey) }
        notes = parallelMap(texts.count, threads: threads) { index in
            let parsed = known[NoteBytes(texts[index])].map { Result<Checkpoint, HistoryError>.success($0) }
                ?? Result { () throws(HistoryError) in try Checkpoint(parsing: texts[index]) }
            guard let cp = try? parsed.get() else { return Note(parsed: parsed, checks: [], verified: false) }
            if verifying(index) {
                return Note(parsed: parsed, checks: schedule.entries.map { cp.signatureCheck(by: $0.publicKey) }, verified: true)
            }
            let lines = schedule.entries.indices.map { i in
                cp.origin == origin ? cp.signedNote.hasSignatureLine(name: origin, keyID: ids[i]) : cp.hasSignatureLine(by: schedule.entries[i].publicKey)
            }
            return Note(parsed: parsed, checks: lines.map { $0 ? true : nil }, verified: false)
        }
    }
}
