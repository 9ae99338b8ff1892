import Foundation
import GRDB

/// When and how to split a long walk over several threads.
struct WalkPolicy: Sendable {
    /// Walks shorter than this run on one thread.
    var minimumEvents: Int64
    /// At most this many chunks (threads).
    var maximumChunks: Int

    /// Splits walks of 100,000 events or more over the available cores (at most 4).
    static let automatic = WalkPolicy(minimumEvents: 100_000, maximumChunks: min(4, ProcessInfo.processInfo.activeProcessorCount))
    /// Always one thread.
    static let sequential = WalkPolicy(minimumEvents: .max, maximumChunks: 1)
}

/// The outcome of one chunk, handed from its thread to the joining one.
private final class ChunkOutcomes: @unchecked Sendable {
    // Safe: each slot is written by exactly one iteration of concurrentPerform and read only after it returns.
    var slots: [(ChainVerifier, [Int64: Checkpoint], VerifyFailure?)?]
    init(_ n: Int) { slots = Array(repeating: nil, count: n) }
}

extension ChainVerifier {
    /// Walks the events of `clause` like `walk`, but splits a long range into contiguous chunks verified on
    /// several threads (each with its own read-only connection from `open`), then joins them in order,
    /// checking the links and times across chunk borders. Reports the same first problem as a single walk.
    func walk(_ db: Database, open: @escaping @Sendable () throws -> DatabaseQueue, where clause: String, arguments: StatementArguments,
              year: Int?, checkpoints: inout [Int64: Checkpoint], policy: WalkPolicy) throws(VerifyFailure) {
        let bounds: (Int64, Int64)?
        do {
            let row = try Row.fetchOne(db, sql: "SELECT MIN(seq), MAX(seq) FROM events \(clause)", arguments: arguments)
            if let lo = row?[0] as Int64?, let hi = row?[1] as Int64? { bounds = (lo, hi) } else { bounds = nil }
        } catch {
            throw VerifyFailure(sequence: expectedSequence, problem: .unverifiable, message: "events could not be read: \(error)")
        }
        guard let (lo, hi) = bounds, policy.maximumChunks > 1, hi - min(lo, expectedSequence) + 1 >= policy.minimumEvents else {
            return try walk(db, where: clause, arguments: arguments, year: year, checkpoints: &checkpoints)
        }
        let start = min(lo, expectedSequence)
        let n = Int64(policy.maximumChunks)
        let size = (hi - start + 1 + n - 1) / n
        let ranges: [ClosedRange<Int64>] = (0..<n).compactMap { i in
            let a = start + i * size
            return a > hi ? nil : a...min(hi, a + size - 1)
        }
        // Each chunk gets its own verifier and the checkpoints that fall inside it.
        let chunks: [(ChainVerifier, [Int64: Checkpoint])] = ranges.enumerated().map { i, r in
            let v = ChainVerifier(publicKey: publicKey, copies: copies.values.filter { r.contains($0.sequence) })
            v.lastSealedYear = lastSealedYear
            v.expectedSequence = r.lowerBound
            if i == 0 {
                v.previousHash = previousHash
                v.hashBeforePrevious = hashBeforePrevious
                v.previousTime = previousTime
                v.lastGoodCheckpoint = lastGoodCheckpoint
            } else {
                v.anchored = false
            }
            return (v, checkpoints.filter { r.contains($0.key) })
        }
        let outcomes = ChunkOutcomes(chunks.count)
        nonisolated(unsafe) let work = chunks
        let rangesCopy = ranges
        DispatchQueue.concurrentPerform(iterations: work.count) { i in
            let (v, initial) = work[i]
            var cps = initial
            var failure: VerifyFailure?
            do {
                let q = try open()
                try q.read { cdb in
                    do {
                        try v.walk(cdb, where: "WHERE seq BETWEEN ? AND ?", arguments: [rangesCopy[i].lowerBound, rangesCopy[i].upperBound], year: year, checkpoints: &cps)
                    } catch let f as VerifyFailure { failure = f }
                }
                try q.close()
            } catch {
                failure = failure ?? VerifyFailure(sequence: rangesCopy[i].lowerBound, problem: .unverifiable, message: "events could not be read: \(error)")
            }
            outcomes.slots[i] = (v, cps, failure)
        }
        // Join in order: the first chunk whose border or content fails names the first bad event.
        for (i, slot) in outcomes.slots.enumerated() {
            let (v, leftover, failure) = slot!
            let r = ranges[i]
            if i > 0, let entry = v.entryPrevious, v.entryTime != nil {
                let seq = r.lowerBound
                if !constantTimeEqual(entry, previousHash) {
                    if let before = hashBeforePrevious, constantTimeEqual(entry, before) {
                        throw VerifyFailure(sequence: seq - 1, problem: .insertedEvent, message: "event \(seq - 1) was inserted: event \(seq) links to event \(seq - 2)")
                    }
                    throw VerifyFailure(sequence: seq, problem: .brokenLink, message: "event \(seq) does not link to the event or seal before it")
                }
                if v.entryTime! < previousTime {
                    throw VerifyFailure(sequence: seq, problem: .badField, message: "event \(seq) has a time out of order or a year that does not match its time")
                }
            }
            eventsChecked += v.eventsChecked
            checkpointsChecked += v.checkpointsChecked
            for (y, d) in v.archiveClaims { archiveClaims[y] = d }
            for (y, d) in v.purgeClaims { purgeClaims[y] = d }
            if var failure {
                if failure.problem == .rewritten, v.lastGoodCheckpoint == 0 || (i > 0 && v.lastGoodCheckpoint < r.lowerBound), let cp = failure.checkpoint {
                    failure = Self.rewritten(after: lastGoodCheckpoint, at: cp)
                }
                throw failure
            }
            // Events missing at the end of a chunk show as the next expected number not matching.
            if i < ranges.count - 1, v.expectedSequence != r.upperBound + 1 {
                let missing = v.expectedSequence
                throw VerifyFailure(sequence: missing, problem: .missingEvent,
                                    message: missing == r.upperBound ? "event \(missing) is missing" : "events \(missing)…\(r.upperBound) are missing")
            }
            if v.eventsChecked > 0 {
                expectedSequence = v.expectedSequence
                previousHash = v.previousHash
                hashBeforePrevious = v.hashBeforePrevious
                previousTime = v.previousTime
            }
            if v.lastGoodCheckpoint > lastGoodCheckpoint { lastGoodCheckpoint = v.lastGoodCheckpoint }
            for key in checkpoints.keys where r.contains(key) && leftover[key] == nil { checkpoints[key] = nil }
            for key in copies.keys where r.contains(key) && v.copies[key] == nil { copies[key] = nil }
        }
    }
}
