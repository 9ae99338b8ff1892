import Crypto
import Foundation
import GRDB
import GRDBSQLite

/// The tree at a position the checks after the walk need (a checkpoint's or witnessed size, a year's end):
/// the compact range up to it, and the time and year of the event there.
struct TreeMark: Sendable {
    var range: CompactRange
    var time: Int64
    var year: Int
}

/// Walks a chain in sequence order and recomputes everything the events carry: hashes, links, fields, year seals,
/// and the Merkle tree (leaves, the stored subtree hashes, the tree at every marked size). Stops at the first
/// problem. Checkpoints and witnesses are checked afterwards against the marks (`CheckpointAudit`).
final class ChainVerifier {
    var expectedSequence: Int64 = 1
    var previousHash = EventEncoding.genesis
    var hashBeforePrevious: [UInt8]?
    var previousTime = Int64.min
    var previousYear = Int.min
    var previousSealHash = EventEncoding.genesis
    var lastSealedYear = Int.min
    var eventsChecked: Int64 = 0
    var sealedYears: [Int] = []
    /// The tree of the leaves walked so far (from leaf 0, or from the chunk's first leaf).
    var tree = CompactRange(begin: 0)
    /// Sizes at which the tree is kept for the later checks, and what was kept.
    let marks: [Int64]
    var marked: [Int64: TreeMark] = [:]
    /// The stored subtree hashes (levels ≥ `HistoryTree.storedLevel`) to compare with, and how many were met.
    let storedNodes: [NodeID: Hash32]
    var storedNodesMet = 0
    /// When false, the walk starts mid-chain (a chunk of a parallel walk): the first event's stored link, time,
    /// year and kind are taken as given and recorded in `entry`, to be checked when the chunks join.
    var anchored = true
    var entry: (previous: [UInt8], time: Int64, year: Int, clockJump: Bool)?
    /// Digests that `system.history.archived` and `system.history.purged` events claim, by year.
    var archiveClaims: [Int: [UInt8]] = [:]
    var purgeClaims: [Int: [UInt8]] = [:]

    init(marks: [Int64], storedNodes: [NodeID: Hash32]) {
        self.marks = marks.sorted()
        self.storedNodes = storedNodes
    }

    static let columns = "seq, year, time, kind, result, actor, card, place, details, prev_hash, hash"

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

    /// Checks the end of a sealed year against its seal (chain and tree), then moves on to the next year.
    func endSealedYear(_ seal: YearSeal) throws(VerifyFailure) {
        guard expectedSequence - 1 == seal.lastSequence else {
            let missing = expectedSequence
            throw VerifyFailure(sequence: missing, problem: expectedSequence <= seal.lastSequence ? .missingEvent : .seal,
                                message: "year \(seal.year) ends at event \(missing - 1) but its seal says \(seal.lastSequence) (events \(missing)…\(seal.lastSequence) are missing)")
        }
        guard seal.count == seal.lastSequence - seal.firstSequence + 1, constantTimeEqual(seal.lastHash, previousHash) else {
            throw VerifyFailure(sequence: seal.lastSequence, problem: .seal, message: "the seal of \(seal.year) does not match its last event \(seal.lastSequence)")
        }
        guard tree.begin == 0, tree.end == UInt64(seal.lastSequence), constantTimeEqual(tree.folded.bytes, seal.treeRoot) else {
            throw VerifyFailure(sequence: seal.lastSequence, problem: .seal, message: "the seal of \(seal.year) names a tree root that its events do not give")
        }
        expectedSequence = seal.lastSequence + 1
        previousHash = seal.hash
        hashBeforePrevious = nil
        previousSealHash = seal.hash
        lastSealedYear = seal.year
        sealedYears.append(seal.year)
    }

    /// Accepts a purged year on the strength of its seal: the tree continues from the stored nodes that end it,
    /// which must give the seal's root.
    func skipPurgedYear(_ seal: YearSeal, frontier: [NodeID: Hash32]) throws(VerifyFailure) {
        let nodes = CompactRange.decomposition(0, UInt64(seal.lastSequence))
        guard let range = CompactRange(begin: 0, end: UInt64(seal.lastSequence), hashes: nodes.compactMap { frontier[$0] }),
              constantTimeEqual(range.folded.bytes, seal.treeRoot) else {
            throw VerifyFailure(sequence: seal.lastSequence, problem: .treeNode,
                                message: "the stored tree nodes that end the purged year \(seal.year) are missing or do not give its seal's root")
        }
        tree = range
        expectedSequence = seal.lastSequence + 1
        previousHash = seal.lastHash
        previousYear = seal.year
        try endSealedYear(seal)
    }

    /// The state the verify loop carries from one event to the next, held in locals for speed.
    private struct LoopState {
        var expected: Int64
        var previous: Hash32
        var beforePrevious: Hash32?
        var previousTime: Int64
        var previousYear: Int
        var checked: Int64 = 0
    }

    /// Walks the events of `db` selected by `clause`, in sequence order. `year` pins a sealed year; nil means the
    /// open year after the last seal.
    func walk(_ db: Database, where clause: String, arguments: StatementArguments, year: Int?) throws(VerifyFailure) {
        var state = LoopState(expected: expectedSequence, previous: Hash32(previousHash), beforePrevious: hashBeforePrevious.map(Hash32.init),
                              previousTime: previousTime, previousYear: previousYear)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: RawEvent.maximumEncodingSize, alignment: 8)
        var nodeFailure: NodeID?
        // The tree and the marks in locals: no exclusivity checks on the class's properties per event.
        var tree = self.tree
        var marked = self.marked
        defer {
            self.tree = tree
            self.marked = marked
            buffer.deallocate()
            expectedSequence = state.expected
            previousHash = state.previous.bytes
            hashBeforePrevious = state.beforePrevious?.bytes
            previousTime = state.previousTime
            previousYear = state.previousYear
            eventsChecked += state.checked
        }
        let marks = self.marks
        var nextMark = marks.firstIndex { $0 >= state.expected } ?? marks.count
        let stored = storedNodes
        var met = 0
        defer { storedNodesMet += met }
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
                    state.previousYear = Int(row.year)
                    entry = (state.previous.bytes, row.time, Int(row.year), row.knownKind == .clockJump)
                }
                let (hash, kind) = try check(row, year: year, state: state, buffer: buffer)
                tree.appendLeaf(MerkleHash.leaf(hash)) { node, h in
                    if node.level >= HistoryTree.storedLevel {
                        if stored[node] == h { met += 1 } else if nodeFailure == nil { nodeFailure = node }
                    }
                }
                if let node = nodeFailure {
                    throw VerifyFailure(sequence: Int64(node.begin) + 1, problem: .treeNode,
                                        message: "the stored tree node at level \(node.level), index \(node.index) (events \(node.begin + 1)…\(node.end)) is \(stored[node] == nil ? "missing" : "not the hash of its events")")
                }
                while nextMark < marks.count && marks[nextMark] < row.sequence { nextMark += 1 }
                if nextMark < marks.count && marks[nextMark] == row.sequence {
                    marked[row.sequence] = TreeMark(range: tree, time: row.time, year: Int(row.year))
                }
                if kind == .historyArchived || kind == .historyPurged, let d = EventDetails.decode(row.details), let y = d.year, let digest = d.digest {
                    if kind == .historyArchived { archiveClaims[y] = digest } else { purgeClaims[y] = digest }
                }
                state.beforePrevious = state.previous
                state.previous = hash
                state.previousTime = row.time
                state.previousYear = Int(row.year)
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
        // Times go back only at a recorded clock jump; years never go back.
        guard year == HistoryTime.year(ofMillis: row.time), row.time >= state.previousTime || kind == .clockJump, year >= state.previousYear else {
            throw VerifyFailure(sequence: seq, problem: .badField, message: "event \(seq) has a time out of order (with no clock-jump event) or a year that does not match its time")
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
}
