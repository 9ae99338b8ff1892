import Foundation
import GRDB

/// When and how to split a long walk over several threads.
struct WalkPolicy: Sendable {
    /// Walks shorter than this run on one thread.
    var minimumEvents: Int64
    /// At most this many chunks (threads).
    var maximumChunks: Int

    /// Splits walks of 100,000 events or more over the available cores (at most 4), in four chunks a core handed
    /// out as threads come free, so that a chunk that runs slower (pages not cached, a core shared with the
    /// daemon) does not leave the other cores idle at the end of each year.
    static let automatic: WalkPolicy = {
        let cores = min(4, ProcessInfo.processInfo.activeProcessorCount)
        return WalkPolicy(minimumEvents: 100_000, maximumChunks: cores > 1 ? cores * 4 : 1)
    }()
    /// Always one thread.
    static let sequential = WalkPolicy(minimumEvents: .max, maximumChunks: 1)
}

/// The outcome of one chunk, handed from its thread to the joining one.
private final class ChunkOutcomes: @unchecked Sendable {
    // Safe: `stored` is only read and written while holding `lock`; each chunk's verifier is handed over once,
    // by the thread that ran it, and used only after concurrentPerform has returned.
    private let lock = NSLock()
    private var stored: [(ChainVerifier, VerifyFailure?)?]
    init(_ n: Int) { stored = Array(repeating: nil, count: n) }

    /// Stores chunk `i`'s outcome (from its thread).
    func set(_ i: Int, _ outcome: (ChainVerifier, VerifyFailure?)) { lock.withLock { stored[i] = outcome } }

    /// Every chunk's outcome, in order (after all threads ended).
    var slots: [(ChainVerifier, VerifyFailure?)?] { lock.withLock { stored } }
}

extension ChainVerifier {
    /// Walks the events of `clause` like `walk`, but splits a long range into contiguous chunks verified on
    /// several threads (each with its own read-only connection from `open`), then joins them in order: the links,
    /// times and years across chunk borders, and the tree (each chunk's part is merged onto the prefix, which
    /// completes and checks the subtrees that span a border and gives the trees at the chunk's marks).
    /// Reports the same first problem as a single walk.
    func walk(_ db: Database, open: @escaping @Sendable () throws -> DatabaseQueue, where clause: String, arguments: StatementArguments,
              year: Int?, policy: WalkPolicy) throws(VerifyFailure) {
        let bounds: (Int64, Int64)?
        do {
            let row = try Row.fetchOne(db, sql: "SELECT MIN(seq), MAX(seq) FROM events \(clause)", arguments: arguments)
            // Decoded with the throwing accessor: in an export file (outside input) MIN(seq) may be text or a real.
            if let row, let lo = try row.decode(Int64?.self, atIndex: 0), let hi = try row.decode(Int64?.self, atIndex: 1) {
                bounds = (lo, hi)
            } else {
                bounds = nil
            }
        } catch {
            throw VerifyFailure(sequence: expectedSequence, problem: .unverifiable, message: "events could not be read: \(error)")
        }
        // Only a range of real sequence numbers (1 and up) is split; anything else (a tampered or corrupt export whose
        // MIN and MAX are zero, negative or far apart in a malformed index) is walked on one thread, which reports it.
        let start = bounds.map { min($0.0, expectedSequence) } ?? 0
        guard let (_, hi) = bounds, policy.maximumChunks > 1, start >= 1, hi >= start, hi - start + 1 >= policy.minimumEvents else {
            return try walk(db, where: clause, arguments: arguments, year: year)
        }
        let n = Int64(policy.maximumChunks)
        let span = hi - start  // the range holds span + 1 numbers; start ≥ 1, so neither this nor the sums below overflow
        let size = span / n + 1
        let ranges: [ClosedRange<Int64>] = (0..<n).compactMap { i in
            guard i * size <= span else { return nil }
            let a = start + i * size
            return a...(size - 1 <= hi - a ? a + size - 1 : hi)
        }
        let chunks: [ChainVerifier] = ranges.enumerated().map { i, r in
            let v = ChainVerifier(marks: marks.filter { r.contains($0) }, storedNodes: storedNodes)
            v.lastSealedYear = lastSealedYear
            v.expectedSequence = r.lowerBound
            if i == 0 {
                v.previousHash = previousHash
                v.hashBeforePrevious = hashBeforePrevious
                v.previousTime = previousTime
                v.previousYear = previousYear
                v.tree = tree
            } else {
                v.anchored = false
                v.tree = CompactRange(begin: UInt64(r.lowerBound - 1))
            }
            return v
        }
        let outcomes = ChunkOutcomes(chunks.count)
        nonisolated(unsafe) let work = chunks
        let rangesCopy = ranges
        DispatchQueue.concurrentPerform(iterations: work.count) { i in
            let v = work[i]
            var failure: VerifyFailure?
            do {
                let q = try open()
                try q.read { cdb in
                    do {
                        try v.walk(cdb, where: "WHERE seq BETWEEN ? AND ?", arguments: [rangesCopy[i].lowerBound, rangesCopy[i].upperBound], year: year)
                    } catch let f as VerifyFailure { failure = f }
                }
                try q.close()
            } catch {
                failure = failure ?? VerifyFailure(sequence: rangesCopy[i].lowerBound, problem: .unverifiable, message: "events could not be read: \(error)")
            }
            outcomes.set(i, (v, failure))
        }
        // Join in order: the first chunk whose border or content fails names the first bad event.
        for (i, slot) in outcomes.slots.enumerated() {
            let (v, failure) = slot!
            let r = ranges[i]
            if i > 0, let entry = v.entry {
                let seq = r.lowerBound
                if !constantTimeEqual(entry.previous, previousHash) {
                    if let before = hashBeforePrevious, constantTimeEqual(entry.previous, before) {
                        throw VerifyFailure(sequence: seq - 1, problem: .insertedEvent, message: "event \(seq - 1) was inserted: event \(seq) links to event \(seq - 2)")
                    }
                    throw VerifyFailure(sequence: seq, problem: .brokenLink, message: "event \(seq) does not link to the event or seal before it")
                }
                if (entry.time < previousTime && !entry.clockJump) || entry.year < previousYear {
                    throw VerifyFailure(sequence: seq, problem: .badField, message: "event \(seq) has a time out of order (with no clock-jump event) or a year that does not match its time")
                }
            }
            eventsChecked += v.eventsChecked
            storedNodesMet += v.storedNodesMet
            for (y, d) in v.archiveClaims { archiveClaims[y] = d }
            for (y, d) in v.purgeClaims { purgeClaims[y] = d }
            // The chunk's marks, as trees of the whole prefix.
            for (size, mark) in v.marked {
                if i == 0 {
                    marked[size] = mark
                } else {
                    var full = tree
                    full.append(mark.range) { _, _ in }
                    marked[size] = TreeMark(range: full, time: mark.time, year: mark.year)
                }
            }
            if let failure { throw failure }
            // Events missing at the end of a chunk show as the next expected number not matching.
            if i < ranges.count - 1, v.expectedSequence != r.upperBound + 1 {
                let missing = v.expectedSequence
                throw VerifyFailure(sequence: missing, problem: .missingEvent,
                                    message: missing == r.upperBound ? "event \(missing) is missing" : "events \(missing)…\(r.upperBound) are missing")
            }
            if i == 0 {
                tree = v.tree
            } else {
                // Subtrees that span the border complete here; check the stored ones among them.
                var border: NodeID?
                let stored = storedNodes
                var met = 0
                tree.append(v.tree) { node, h in
                    if node.level >= HistoryTree.storedLevel {
                        if stored[node] == h { met += 1 } else if border == nil { border = node }
                    }
                }
                storedNodesMet += met
                if let node = border {
                    throw VerifyFailure(sequence: Int64(node.begin) + 1, problem: .treeNode,
                                        message: "the stored tree node at level \(node.level), index \(node.index) (events \(node.begin + 1)…\(node.end)) is \(stored[node] == nil ? "missing" : "not the hash of its events")")
                }
            }
            if v.eventsChecked > 0 {
                expectedSequence = v.expectedSequence
                previousHash = v.previousHash
                hashBeforePrevious = v.hashBeforePrevious
                previousTime = v.previousTime
                previousYear = v.previousYear
            }
        }
    }
}
