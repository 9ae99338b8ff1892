import Foundation
import GRDB

extension HistoryStore {
    /// The inclusion proof of event `sequence` against the checkpoint of `treeSize` events (by default the newest
    /// checkpoint). Works for archived events too; refuses an event not yet covered by a checkpoint, a purged one,
    /// and a tree that does not reproduce its checkpoint (run `verify`).
    public func inclusionProof(sequence: Int64, treeSize: Int64? = nil) throws(HistoryError) -> InclusionProof {
        try proofRead { db, tree, archives in
            let cp = try self.checkpoint(db, size: treeSize, archives: archives)
            guard sequence >= 1, sequence <= cp.size else {
                throw HistoryError(.refused, "event \(sequence) is not covered by checkpoint \(cp.number) (\(cp.size) events); sign a new one with cardgate history checkpoint")
            }
            guard let event = try self.event(db, sequence: sequence, archives: archives) else {
                throw HistoryError(.refused, "event \(sequence) is no longer kept (its year was purged)")
            }
            let encoding = EventEncoding.encode(sequence: event.sequence, timeMillis: HistoryTime.millis(event.time), kind: event.kind.rawValue,
                                                result: event.result.rawValue, actor: event.actor, card: event.card, place: event.place,
                                                details: try event.details.encoded())
            let leaf = MerkleHash.leaf(Hash32(event.hash))
            let path = try MerkleProof.inclusion(leaf: UInt64(sequence - 1), size: UInt64(cp.size), source: &tree)
            guard EventEncoding.hash(previous: event.previousHash, encoding: encoding) == event.hash,
                  MerkleProof.verifyInclusion(leaf: UInt64(sequence - 1), size: UInt64(cp.size), leafHash: leaf, path: path, root: Hash32(cp.root)) else {
                throw HistoryError(.storage, "the stored history does not reproduce checkpoint \(cp.number) for event \(sequence); run cardgate history verify")
            }
            return InclusionProof(
                format: InclusionProof.formatName,
                event: ProofEvent(sequence: event.sequence, time: HistoryTime.iso(event.time), kind: event.kind.rawValue, result: event.result.rawValue,
                                  actor: event.actor, card: event.card, place: event.place,
                                  details: Dictionary(event.details.fields, uniquingKeysWith: { a, _ in a })),
                encoding: Base64.encode(encoding), previousHash: Hex.encode(event.previousHash), eventHash: Hex.encode(event.hash),
                leafIndex: sequence - 1, leafHash: Hex.encode(leaf.bytes), treeSize: cp.size,
                inclusionProof: path.map { Hex.encode($0.bytes) }, checkpoint: cp.note)
        }
    }

    /// The consistency proof from the tree of `from` events to the checkpoint of `to` events (by default the newest).
    public func consistencyProof(from: Int64, to: Int64? = nil) throws(HistoryError) -> ConsistencyProof {
        try proofRead { db, tree, archives in
            let cp = try self.checkpoint(db, size: to, archives: archives)
            guard from >= 1, from <= cp.size else {
                throw HistoryError(.refused, "a consistency proof needs 1 ≤ from ≤ \(cp.size) (the checkpoint's size), got \(from)")
            }
            let fromRoot = try tree.root(size: UInt64(from))
            let proof = try MerkleProof.consistency(from: UInt64(from), to: UInt64(cp.size), source: &tree)
            guard MerkleProof.verifyConsistency(from: UInt64(from), to: UInt64(cp.size), fromRoot: fromRoot, toRoot: Hash32(cp.root), proof: proof) else {
                throw HistoryError(.storage, "the stored history does not reproduce checkpoint \(cp.number); run cardgate history verify")
            }
            let fromCheckpoint = try? self.checkpoint(db, size: from, archives: archives)
            return ConsistencyProof(format: ConsistencyProof.formatName, fromSize: from, toSize: cp.size, fromRoot: Hex.encode(fromRoot.bytes),
                                    toRoot: Hex.encode(cp.root), consistencyProof: proof.map { Hex.encode($0.bytes) },
                                    fromCheckpoint: fromCheckpoint?.note, toCheckpoint: cp.note)
        }
    }

    /// Runs a proof in one read transaction with a tree that can read archived events.
    private func proofRead<T>(_ body: (Database, inout HistoryTree, ArchiveReader) throws -> T) throws(HistoryError) -> T {
        do {
            return try queue.read { db in
                let archives = try ArchiveReader(db, configuration: configuration)
                var tree = HistoryTree(db) { range throws(HistoryError) in try archives.eventHashes(range) }
                return try body(db, &tree, archives)
            }
        } catch let e as HistoryError {
            throw e
        } catch {
            throw HistoryError(.storage, "the history could not be read: \(error)")
        }
    }

    /// The checkpoint of `size` events (in the database, an archive, or a seal), or the newest one; its
    /// signature is checked when the keys are known.
    private func checkpoint(_ db: Database, size: Int64?, archives: ArchiveReader) throws -> Checkpoint {
        var note: String?
        if let size {
            note = try String.fetchOne(db, sql: "SELECT note FROM checkpoints WHERE size = ? ORDER BY number DESC LIMIT 1", arguments: [size])
                ?? String.fetchOne(db, sql: "SELECT last_checkpoint_note FROM seals WHERE last_seq = ?", arguments: [size])
            if note == nil { note = try archives.checkpointNote(size: size) }
        } else {
            note = try Self.lastCheckpoint(db)?.note
        }
        guard let note else {
            throw HistoryError(.refused, size.map { "there is no checkpoint at \($0) events; prove against an existing checkpoint (cardgate history status)" }
                ?? "the history has no checkpoint yet")
        }
        let cp = try Checkpoint(parsing: note)
        if let schedule = keySchedule, !schedule.isSignedByKnownKey(cp) {
            throw HistoryError(.storage, "checkpoint \(cp.number) is not validly signed; run cardgate history verify")
        }
        return cp
    }

    /// Event `sequence` from the live database or its year's archive.
    private func event(_ db: Database, sequence: Int64, archives: ArchiveReader) throws -> HistoryEvent? {
        if let row = try Row.fetchOne(db, sql: "SELECT \(ChainVerifier.columns) FROM events WHERE seq = ?", arguments: [sequence]) {
            return try HistoryEvent(row: row)
        }
        return try archives.event(sequence)
    }
}

/// Opens the archive files of a proof on demand (read-only) to read archived events.
final class ArchiveReader {
    private let years: [(range: ClosedRange<Int64>, year: Int)]
    private let configuration: HistoryConfiguration
    private var open: [Int: DatabaseQueue] = [:]

    init(_ db: Database, configuration: HistoryConfiguration) throws {
        self.configuration = configuration
        years = try Row.fetchAll(db, sql: """
            SELECT s.first_seq, s.last_seq, s.year FROM seals s JOIN archives a ON a.year = s.year
            WHERE s.year NOT IN (SELECT year FROM purges) ORDER BY s.year
            """).map { row in
                // Throwing accessors and a checked range: a tampered seal row is an error, not a trap.
                let first = try row.decode(Int64.self, atIndex: 0), last = try row.decode(Int64.self, atIndex: 1)
                guard first <= last else { throw HistoryError(.storage, "a seal names events \(first)…\(last); run cardgate history verify") }
                return (first...last, try row.decode(Int.self, atIndex: 2))
            }
    }

    private func queue(_ year: Int) throws(HistoryError) -> DatabaseQueue {
        if let q = open[year] { return q }
        let path = configuration.archivePath(year: year)
        guard SecureFile.isRegularFile(path) else { throw HistoryError(.archive, "the archive of \(year) (\(path)) is missing; run cardgate history verify") }
        do {
            let q = try DatabaseQueue(path: path, configuration: HistoryStore.databaseConfiguration(busyTimeout: 1, readonly: true))
            open[year] = q
            return q
        } catch {
            throw HistoryError(.archive, "the archive of \(year) cannot be opened: \(error)")
        }
    }

    /// The event hashes of archived events in `range`, by sequence number.
    func eventHashes(_ range: ClosedRange<Int64>) throws(HistoryError) -> [Int64: [UInt8]] {
        var out: [Int64: [UInt8]] = [:]
        for (r, year) in years where r.overlaps(range) {
            do {
                try queue(year).read { db in
                    for row in try Row.fetchAll(db, sql: "SELECT seq, hash FROM events WHERE seq BETWEEN ? AND ?", arguments: [range.lowerBound, range.upperBound]) {
                        out[try row.decode(Int64.self, atIndex: 0)] = [UInt8](try row.decode(Data.self, atIndex: 1))
                    }
                }
            } catch let e as HistoryError { throw e } catch {
                throw HistoryError(.archive, "the archive of \(year) cannot be read: \(error)")
            }
        }
        return out
    }

    /// An archived event.
    func event(_ sequence: Int64) throws -> HistoryEvent? {
        guard let year = years.first(where: { $0.range.contains(sequence) })?.year else { return nil }
        return try queue(year).read { db in
            try Row.fetchOne(db, sql: "SELECT \(ChainVerifier.columns) FROM events WHERE seq = ?", arguments: [sequence]).map { try HistoryEvent(row: $0) }
        }
    }

    /// The note of an archived checkpoint of `size` events.
    func checkpointNote(size: Int64) throws -> String? {
        guard let year = years.first(where: { $0.range.contains(size) })?.year else { return nil }
        return try queue(year).read { try String.fetchOne($0, sql: "SELECT note FROM checkpoints WHERE size = ?", arguments: [size]) }
    }

    deinit { for q in open.values { try? q.close() } }
}
