import Crypto
import Foundation
import GRDB
import GRDBSQLite

/// Walks a chain in sequence order and recomputes everything: hashes, links, fields, checkpoint signatures
/// and positions, year seals. Stops at the first problem.
final class ChainVerifier {
    let publicKey: CheckpointPublicKey
    var expectedSequence: Int64 = 1
    var previousHash = EventEncoding.genesis
    var hashBeforePrevious: [UInt8]?
    var previousTime = Int64.min
    var previousSealHash = EventEncoding.genesis
    var lastSealedYear = Int.min
    var lastGoodCheckpoint: Int64 = 0
    var eventsChecked: Int64 = 0
    var checkpointsChecked = 0
    var sealedYears: [Int] = []
    /// Checkpoints from the copy file not yet matched to an event.
    var copies: [Int64: Checkpoint]
    /// When false, the walk starts mid-chain (a chunk of a parallel walk): the first event's stored link and
    /// time are taken as given and recorded in `entryPrevious` and `entryTime`, to be checked when the chunks join.
    var anchored = true
    var entryPrevious: [UInt8]?
    var entryTime: Int64?
    /// Digests that `system.history.archived` and `system.history.purged` events claim, by year.
    var archiveClaims: [Int: [UInt8]] = [:]
    var purgeClaims: [Int: [UInt8]] = [:]

    init(publicKey: CheckpointPublicKey, copies: [Checkpoint]) {
        self.publicKey = publicKey
        self.copies = Dictionary(copies.map { ($0.sequence, $0) }, uniquingKeysWith: { a, _ in a })
    }

    static let columns = "seq, year, time, kind, result, actor, card, place, details, prev_hash, hash"

    static func loadCheckpoints(_ db: Database, where clause: String = "", arguments: StatementArguments = []) throws -> [Int64: Checkpoint] {
        var out: [Int64: Checkpoint] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT year, seq, head_hash, time, signature FROM checkpoints \(clause)", arguments: arguments) {
            let cp = Checkpoint(year: row[0], sequence: row[1], headHash: [UInt8](row[2] as Data), timeMillis: row[3], signature: [UInt8](row[4] as Data))
            out[cp.sequence] = cp
        }
        return out
    }

    /// Checks that a sealed year starts where it must and links to the seal before.
    func beginSealedYear(_ seal: YearSeal) throws(VerifyFailure) {
        guard seal.year > lastSealedYear else {
            throw VerifyFailure(sequence: seal.firstSequence, problem: .seal, message: "seal of \(seal.year) is out of order")
        }
        guard constantTimeEqual(seal.previousSealHash, previousSealHash) else {
            throw VerifyFailure(sequence: seal.firstSequence, problem: .seal, message: "seal of \(seal.year) does not link to the seal of the year before")
        }
        guard seal.firstSequence == expectedSequence else {
            throw VerifyFailure(sequence: expectedSequence, problem: seal.firstSequence > expectedSequence ? .missingEvent : .seal,
                                message: "year \(seal.year) should start at event \(expectedSequence) but its seal says \(seal.firstSequence)")
        }
    }

    /// Checks the end of a sealed year against its seal, then moves on to the next year.
    func endSealedYear(_ seal: YearSeal) throws(VerifyFailure) {
        guard expectedSequence - 1 == seal.lastSequence else {
            let missing = expectedSequence
            throw VerifyFailure(sequence: missing, problem: expectedSequence <= seal.lastSequence ? .missingEvent : .seal,
                                message: "year \(seal.year) ends at event \(missing - 1) but its seal says \(seal.lastSequence) (events \(missing)…\(seal.lastSequence) are missing)")
        }
        guard seal.count == seal.lastSequence - seal.firstSequence + 1, constantTimeEqual(seal.lastHash, previousHash) else {
            throw VerifyFailure(sequence: seal.lastSequence, problem: .seal, message: "the seal of \(seal.year) does not match its last event \(seal.lastSequence)")
        }
        skipSealedYear(seal)
    }

    /// Accepts a purged year on the strength of its seal.
    func skipSealedYear(_ seal: YearSeal) {
        expectedSequence = seal.lastSequence + 1
        previousHash = seal.hash
        hashBeforePrevious = nil
        previousSealHash = seal.hash
        lastSealedYear = seal.year
        sealedYears.append(seal.year)
        for s in copies.keys where s >= seal.firstSequence && s <= seal.lastSequence { copies[s] = nil }
    }

    /// The state the verify loop carries from one event to the next, held in locals for speed.
    private struct LoopState {
        var expected: Int64
        var previous: Hash32
        var beforePrevious: Hash32?
        var previousTime: Int64
        var checked: Int64 = 0
    }

    /// Walks the events of `db` selected by `clause`, in sequence order, against `checkpoints`
    /// (removing those it meets). `year` pins a sealed year; nil means the open year after the last seal.
    func walk(_ db: Database, where clause: String, arguments: StatementArguments, year: Int?,
              checkpoints: inout [Int64: Checkpoint]) throws(VerifyFailure) {
        var state = LoopState(expected: expectedSequence, previous: Hash32(previousHash), beforePrevious: hashBeforePrevious.map(Hash32.init),
                              previousTime: previousTime)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: RawEvent.maximumEncodingSize, alignment: 8)
        defer {
            buffer.deallocate()
            expectedSequence = state.expected
            previousHash = state.previous.bytes
            hashBeforePrevious = state.beforePrevious?.bytes
            previousTime = state.previousTime
            eventsChecked += state.checked
        }
        // Positions that carry a checkpoint (database or copy), in order, so most events cost one comparison.
        let marks = Set(checkpoints.keys).union(copies.keys).sorted()
        var nextMark = 0
        do {
            let statement = try db.makeStatement(sql: "SELECT \(Self.columns) FROM events \(clause) ORDER BY seq")
            try statement.setArguments(arguments)
            let handle = statement.handle
            defer { sqlite3_reset(handle) }
            while true {
                let rc = sqlite3_step(handle)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else {
                    throw VerifyFailure(sequence: state.expected, problem: .unverifiable,
                                        message: "events could not be read: \(String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))")
                }
                let row = RawEvent(handle)
                if !anchored, row.previous.count == 32 {
                    anchored = true
                    state.previous = Hash32(row.previous.baseAddress!)
                    state.previousTime = row.time
                    entryPrevious = state.previous.bytes
                    entryTime = row.time
                }
                let (hash, kind) = try check(row, year: year, state: state, buffer: buffer)
                while nextMark < marks.count && marks[nextMark] < row.sequence { nextMark += 1 }
                if nextMark < marks.count && marks[nextMark] == row.sequence {
                    try checkpointsAt(row.sequence, year: Int(row.year), hash: hash, time: row.time, checkpoints: &checkpoints)
                }
                if kind == .historyArchived || kind == .historyPurged, let d = EventDetails.decode(row.details), let y = d.year, let digest = d.digest {
                    if kind == .historyArchived { archiveClaims[y] = digest } else { purgeClaims[y] = digest }
                }
                state.beforePrevious = state.previous
                state.previous = hash
                state.previousTime = row.time
                state.expected = row.sequence + 1
                state.checked += 1
            }
        } catch let f as VerifyFailure {
            throw f
        } catch {
            throw VerifyFailure(sequence: state.expected, problem: .unverifiable, message: "events could not be read: \(error)")
        }
    }

    /// Checks one row against the state; returns its recomputed hash and kind.
    private func check(_ row: RawEvent, year sealedYear: Int?, state: LoopState,
                       buffer: UnsafeMutableRawBufferPointer) throws(VerifyFailure) -> (Hash32, EventKind) {
        let seq = row.sequence
        guard seq == state.expected else {
            throw VerifyFailure(sequence: state.expected, problem: .missingEvent,
                                message: seq - state.expected == 1 ? "event \(state.expected) is missing" : "events \(state.expected)…\(seq - 1) are missing")
        }
        guard row.previous.count == 32, row.hash.count == 32, let length = row.encode(into: buffer) else {
            throw VerifyFailure(sequence: seq, problem: .badField, message: "event \(seq) has a hash that is not 32 bytes or a field larger than append writes")
        }
        var h = SHA256()
        h.update(bufferPointer: row.previous)
        h.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        let hash = Hash32(h.finalize())
        let storedPrevious = Hash32(row.previous.baseAddress!)
        guard storedPrevious == state.previous else {
            if let before = state.beforePrevious, storedPrevious == before {
                throw VerifyFailure(sequence: seq - 1, problem: .insertedEvent, message: "event \(seq - 1) was inserted: event \(seq) links to event \(seq - 2)")
            }
            throw VerifyFailure(sequence: seq, problem: .brokenLink, message: "event \(seq) does not link to \(seq == 1 ? "the genesis value" : "the event or seal before it")")
        }
        guard hash == Hash32(row.hash.baseAddress!) else {
            throw VerifyFailure(sequence: seq, problem: .hashMismatch, message: "event \(seq) does not match its hash: a field was changed")
        }
        // The hash is right; now the fields must make sense.
        guard let kind = row.knownKind, row.knownResult else {
            throw VerifyFailure(sequence: seq, problem: .badField, message: "event \(seq) has an unknown kind or result")
        }
        guard row.detailsLookCanonical else {
            throw VerifyFailure(sequence: seq, problem: .badField, message: "event \(seq) has details that are not canonical")
        }
        let year = Int(row.year)
        guard year == HistoryTime.year(ofMillis: row.time), row.time >= state.previousTime else {
            throw VerifyFailure(sequence: seq, problem: .badField, message: "event \(seq) has a time out of order or a year that does not match its time")
        }
        if let sealedYear {
            guard year == sealedYear else {
                throw VerifyFailure(sequence: seq, problem: .badField, message: "event \(seq) is in \(year) but lies in the sealed year \(sealedYear)")
            }
        } else if year <= lastSealedYear {
            throw VerifyFailure(sequence: seq, problem: .badField, message: "event \(seq) is dated \(year), a year already sealed")
        }
        return (hash, kind)
    }

    /// Checks the database and copied checkpoints that name event `seq`.
    private func checkpointsAt(_ seq: Int64, year: Int, hash: Hash32, time: Int64, checkpoints: inout [Int64: Checkpoint]) throws(VerifyFailure) {
        if let cp = checkpoints.removeValue(forKey: seq) {
            try checkCheckpoint(cp, year: year, hash: hash.bytes, time: time, source: "checkpoint")
            if let copy = copies.removeValue(forKey: seq) {
                guard copy == cp else {
                    throw VerifyFailure(sequence: seq, problem: .checkpointMissing, message: "the copied checkpoint at \(seq) differs from the one in the database")
                }
            }
            lastGoodCheckpoint = seq
        } else if let copy = copies.removeValue(forKey: seq) {
            try checkCheckpoint(copy, year: year, hash: hash.bytes, time: time, source: "copied checkpoint")
            throw VerifyFailure(sequence: seq, problem: .checkpointMissing, message: "the checkpoint at \(seq) is in the copy but was removed from the database")
        }
    }

    private func checkCheckpoint(_ cp: Checkpoint, year: Int, hash: [UInt8], time: Int64, source: String) throws(VerifyFailure) {
        checkpointsChecked += 1
        guard publicKey.isValid(signature: cp.signature, for: cp.message) else {
            throw VerifyFailure(sequence: cp.sequence, problem: .checkpointSignature, message: "the \(source) at \(cp.sequence) has a signature that does not verify with key \(publicKey.fingerprint)")
        }
        guard cp.year == year, cp.timeMillis >= time else {
            throw VerifyFailure(sequence: cp.sequence, problem: .checkpointPlace, message: "the \(source) at \(cp.sequence) was signed for year \(cp.year) but the event there is in \(year) or later than it")
        }
        guard constantTimeEqual(cp.headHash, hash) else {
            throw Self.rewritten(after: lastGoodCheckpoint, at: cp.sequence, source: source)
        }
    }

    static func rewritten(after lastGood: Int64, at checkpoint: Int64, source: String = "checkpoint") -> VerifyFailure {
        VerifyFailure(sequence: lastGood + 1, problem: .rewritten,
                      message: "events \(lastGood + 1)…\(checkpoint) differ from what the \(source) at \(checkpoint) signed: the chain was rewritten",
                      checkpoint: checkpoint)
    }

    /// Checkpoints left over after the walk point past the end (truncation) or at nothing.
    func checkLeftovers(_ checkpoints: [Int64: Checkpoint], source: String) throws(VerifyFailure) {
        let last = expectedSequence - 1
        if let beyond = (checkpoints.keys.filter { $0 > last }).max() {
            throw VerifyFailure(sequence: last + 1, problem: .truncated,
                                message: "the chain ends at \(last) but a \(source) signed event \(beyond): events \(last + 1)…\(beyond) were cut off")
        }
        if let stray = checkpoints.keys.min() {
            throw VerifyFailure(sequence: stray, problem: .checkpointPlace, message: "a \(source) names event \(stray), which is not part of the chain")
        }
    }

    func report(_ failure: VerifyFailure?) -> VerificationReport {
        VerificationReport(intact: failure == nil, firstBadSequence: failure?.sequence, problem: failure?.problem,
                           message: failure?.message ?? "history intact: \(eventsChecked) events, \(checkpointsChecked) checkpoint signatures, \(sealedYears.count) sealed years",
                           eventsChecked: eventsChecked, checkpointsChecked: checkpointsChecked, sealedYears: sealedYears,
                           lastSequence: expectedSequence - 1, unsignedEvents: expectedSequence - 1 - lastGoodCheckpoint)
    }
}
