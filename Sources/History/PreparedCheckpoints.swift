import Foundation

/// Checkpoint notes parsed and their signatures checked by every known key, on several threads at once: the costly
/// part of verifying a history with many checkpoints (one Ed25519 verification per key and note). The chain checks
/// that follow are sequential and use these results.
struct PreparedCheckpoints: Sendable {
    /// One note: its parse, and per key of the schedule whether its signature verifies (nil: no signature by that key).
    struct Note: Sendable {
        let parsed: Result<Checkpoint, HistoryError>
        let checks: [Bool?]
    }

    let notes: [Note]

    /// Notes of fewer than this many checkpoints are prepared on the calling thread.
    static let parallelFrom = 256

    /// Parses `texts` and checks their signatures with `schedule`'s keys, in order.
    init(_ texts: [String], schedule: CheckpointKeySchedule, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        @Sendable func prepare(_ text: String) -> Note {
            let parsed = Result { () throws(HistoryError) in try Checkpoint(parsing: text) }
            let checks = (try? parsed.get()).map { cp in schedule.entries.map { cp.signatureCheck(by: $0.publicKey) } } ?? []
            return Note(parsed: parsed, checks: checks)
        }
        let chunks = texts.count < Self.parallelFrom ? 1 : max(1, min(threads, 8))
        guard chunks > 1 else {
            notes = texts.map(prepare)
            return
        }
        let size = (texts.count + chunks - 1) / chunks
        let results = PreparedChunks(chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let range = (c * size)..<min(texts.count, (c + 1) * size)
            results.set(c, range.map { prepare(texts[$0]) })
        }
        notes = results.joined
    }
}

/// The chunks' notes, handed from their threads to the joining one.
private final class PreparedChunks: @unchecked Sendable {
    // Safe: `stored` is only read and written while holding `lock`; it is read after concurrentPerform has returned.
    private let lock = NSLock()
    private var stored: [[PreparedCheckpoints.Note]]
    init(_ n: Int) { stored = Array(repeating: [], count: n) }

    func set(_ i: Int, _ notes: [PreparedCheckpoints.Note]) { lock.withLock { stored[i] = notes } }

    var joined: [PreparedCheckpoints.Note] { lock.withLock { stored.flatMap { $0 } } }
}
