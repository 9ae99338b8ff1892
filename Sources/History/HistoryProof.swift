import Foundation

/// A proof that one event is in the history, for an auditor (clauses 20/21, and clause 8: only this event is
/// handed over, not its neighbours). `cardgate history prove --seq N` writes it as JSON;
/// `cardgate history check-proof FILE --public-key K` checks it anywhere with nothing else.
public struct InclusionProof: Codable, Sendable, Equatable {
    /// `cardgate-inclusion-proof-v1`.
    public var format: String
    /// The event as a person reads it.
    public var event: ProofEvent
    /// The event's canonical encoding (base64); the readable fields above must be exactly what it holds.
    public var encoding: String
    /// The hash of the event before (or of the year's seal, or the genesis value), hex.
    public var previousHash: String
    /// SHA-256(previous hash ‖ encoding), hex: the leaf data.
    public var eventHash: String
    /// The leaf's index: the sequence number minus one.
    public var leafIndex: Int64
    /// SHA-256(0x00 ‖ event hash), hex.
    public var leafHash: String
    /// The size of the tree the proof leads to (the checkpoint's).
    public var treeSize: Int64
    /// The RFC 9162 inclusion path, from the leaf up, hex.
    public var inclusionProof: [String]
    /// The signed checkpoint (C2SP tlog-checkpoint note) whose root the path leads to.
    public var checkpoint: String

    /// The format name.
    public static let formatName = "cardgate-inclusion-proof-v1"
}

/// The readable fields of a proven event.
public struct ProofEvent: Codable, Sendable, Equatable {
    /// The sequence number.
    public var sequence: Int64
    /// ISO 8601, UTC, milliseconds.
    public var time: String
    /// The kind (`door.entry` …).
    public var kind: String
    /// success, failure or denied.
    public var result: String
    /// The operator id.
    public var actor: String?
    /// The card GUID.
    public var card: String?
    /// The terminal, door or room.
    public var place: String?
    /// The details' fields by name (as `cardgate history query --format json` prints them).
    public var details: [String: String]
}

/// A proof that the history of `toSize` events extends the history of `fromSize` events unchanged.
public struct ConsistencyProof: Codable, Sendable, Equatable {
    /// `cardgate-consistency-proof-v1`.
    public var format: String
    /// The size of the earlier tree.
    public var fromSize: Int64
    /// The size of the later tree (a checkpoint's).
    public var toSize: Int64
    /// The roots of the two trees, hex.
    public var fromRoot: String
    public var toRoot: String
    /// The RFC 9162 consistency proof, hex.
    public var consistencyProof: [String]
    /// The signed checkpoint at `fromSize`, if the history has one there.
    public var fromCheckpoint: String?
    /// The signed checkpoint at `toSize`.
    public var toCheckpoint: String

    /// The format name.
    public static let formatName = "cardgate-consistency-proof-v1"
}

/// What a checked proof established.
public struct ProofCheck: Sendable, Equatable {
    /// The log's origin.
    public let origin: String
    /// The checkpoint the proof leads to (number, size, time).
    public let checkpointNumber: Int64, treeSize: Int64, checkpointTime: Date
    /// The fingerprint of the key that signed it.
    public let keyFingerprint: String
    /// One sentence for the auditor.
    public let summary: String
}

/// Checks proof files with only trusted public keys; every field is validated and anything off is refused.
public enum ProofChecker {
    /// Largest proof file accepted.
    public static let maximumBytes = 1 << 20

    /// Checks an inclusion or consistency proof (told apart by `format`). `oldCheckpoint`, for a consistency
    /// proof, is a checkpoint the auditor kept earlier: it must be the proof's starting point.
    public static func check(_ data: Data, keys: [CheckpointPublicKey], oldCheckpoint: String? = nil) throws(HistoryError) -> ProofCheck {
        guard data.count <= maximumBytes else { throw bad("the proof file is larger than \(maximumBytes) bytes") }
        guard !keys.isEmpty else { throw bad("no public key was given") }
        struct Format: Decodable { let format: String }
        guard let f = try? JSONDecoder().decode(Format.self, from: data) else { throw bad("the file is not a CardGate proof (JSON with a format field)") }
        switch f.format {
        case InclusionProof.formatName:
            do { return try check(JSONDecoder().decode(InclusionProof.self, from: data), keys: keys) } catch let e as HistoryError { throw e } catch {
                throw bad("the inclusion proof is malformed: \(error)")
            }
        case ConsistencyProof.formatName:
            do { return try check(JSONDecoder().decode(ConsistencyProof.self, from: data), keys: keys, oldCheckpoint: oldCheckpoint) } catch let e as HistoryError { throw e } catch {
                throw bad("the consistency proof is malformed: \(error)")
            }
        default:
            throw bad("unknown proof format \"\(f.format)\"")
        }
    }

    /// Checks an inclusion proof.
    public static func check(_ p: InclusionProof, keys: [CheckpointPublicKey]) throws(HistoryError) -> ProofCheck {
        guard p.format == InclusionProof.formatName else { throw bad("unknown proof format \"\(p.format)\"") }
        let (cp, key) = try signedCheckpoint(p.checkpoint, keys: keys)
        guard let encoding = Base64.decode(p.encoding), let fields = EventEncoding.decode(encoding) else {
            throw bad("the event's encoding is not a canonical CardGate event")
        }
        let readable = ProofEvent(sequence: fields.sequence, time: HistoryTime.iso(HistoryTime.date(millis: fields.timeMillis)), kind: fields.kind,
                                  result: fields.result, actor: fields.actor, card: fields.card, place: fields.place,
                                  details: Dictionary(fields.details.fields, uniquingKeysWith: { a, _ in a }))
        guard readable == p.event else { throw bad("the readable event fields differ from what its encoding holds") }
        guard let previous = Hex.decode(p.previousHash), previous.count == 32 else { throw bad("previousHash is not 32 bytes of hex") }
        let eventHash = EventEncoding.hash(previous: previous, encoding: encoding)
        guard Hex.decode(p.eventHash) == eventHash else { throw bad("the event hash is not SHA-256(previous hash ‖ encoding): the event was changed") }
        let leaf = MerkleHash.leaf(Hash32(eventHash))
        guard Hex.decode(p.leafHash) == leaf.bytes, p.leafIndex == fields.sequence - 1 else { throw bad("the leaf hash or index does not belong to this event") }
        guard p.treeSize == cp.size else { throw bad("the proof is for a tree of \(p.treeSize) events but its checkpoint signs \(cp.size)") }
        let path = try hashes(p.inclusionProof, "inclusionProof")
        guard p.leafIndex >= 0, MerkleProof.verifyInclusion(leaf: UInt64(p.leafIndex), size: UInt64(p.treeSize), leafHash: leaf, path: path, root: Hash32(cp.root)) else {
            throw bad("the inclusion path does not lead to the checkpoint's root: the event is not in that history")
        }
        return ProofCheck(origin: cp.origin, checkpointNumber: cp.number, treeSize: cp.size, checkpointTime: HistoryTime.date(millis: cp.timeMillis),
                          keyFingerprint: key.fingerprint,
                          summary: "event \(fields.sequence) (\(fields.kind), \(readable.time)) is in the history \(cp.origin) of \(cp.size) events, checkpoint \(cp.number) signed at \(HistoryTime.iso(HistoryTime.date(millis: cp.timeMillis))) by key \(key.fingerprint)")
    }

    /// Checks a consistency proof.
    public static func check(_ p: ConsistencyProof, keys: [CheckpointPublicKey], oldCheckpoint: String? = nil) throws(HistoryError) -> ProofCheck {
        guard p.format == ConsistencyProof.formatName else { throw bad("unknown proof format \"\(p.format)\"") }
        let (to, key) = try signedCheckpoint(p.toCheckpoint, keys: keys)
        guard to.size == p.toSize, Hex.decode(p.toRoot) == to.root else { throw bad("toSize or toRoot is not what the checkpoint signed") }
        guard let fromRoot = Hex.decode(p.fromRoot), fromRoot.count == 32 else { throw bad("fromRoot is not 32 bytes of hex") }
        for note in [p.fromCheckpoint, oldCheckpoint].compactMap({ $0 }) {
            let (from, _) = try signedCheckpoint(note, keys: keys)
            guard from.origin == to.origin, from.size == p.fromSize, from.root == fromRoot else {
                throw bad("the earlier checkpoint (\(from.size) events) is not the proof's starting point (\(p.fromSize) events)")
            }
        }
        let proof = try hashes(p.consistencyProof, "consistencyProof")
        guard p.fromSize >= 1, p.fromSize <= p.toSize,
              MerkleProof.verifyConsistency(from: UInt64(p.fromSize), to: UInt64(p.toSize), fromRoot: Hash32(fromRoot), toRoot: Hash32(to.root), proof: proof) else {
            throw bad("the consistency proof fails: the history of \(p.toSize) events does not extend the one of \(p.fromSize) events unchanged")
        }
        return ProofCheck(origin: to.origin, checkpointNumber: to.number, treeSize: to.size, checkpointTime: HistoryTime.date(millis: to.timeMillis),
                          keyFingerprint: key.fingerprint,
                          summary: "the history \(to.origin) of \(to.size) events (checkpoint \(to.number), key \(key.fingerprint)) extends the history of \(p.fromSize) events unchanged\(p.fromCheckpoint == nil && oldCheckpoint == nil ? "; compare fromRoot with the root you hold" : "")")
    }

    /// Parses a checkpoint and finds a trusted key that signed it; a trusted key's signature that fails refuses it.
    static func signedCheckpoint(_ note: String, keys: [CheckpointPublicKey]) throws(HistoryError) -> (Checkpoint, CheckpointPublicKey) {
        let cp = try Checkpoint(parsing: note)
        let checks = keys.map { cp.signatureCheck(by: $0) }
        guard !checks.contains(false) else { throw bad("checkpoint \(cp.number) carries a signature by a trusted key that does not verify: it was changed") }
        guard let i = checks.firstIndex(of: true) else {
            throw bad("checkpoint \(cp.number) is not signed by any of the given keys (\(keys.map(\.fingerprint).joined(separator: ", ")))")
        }
        return (cp, keys[i])
    }

    private static func hashes(_ list: [String], _ name: String) throws(HistoryError) -> [Hash32] {
        guard list.count <= 128 else { throw bad("\(name) is too long") }
        var out: [Hash32] = []
        for item in list {
            guard let bytes = Hex.decode(item), let h = Hash32(checking: bytes) else { throw bad("\(name) holds a value that is not 32 bytes of hex") }
            out.append(h)
        }
        return out
    }

    private static func bad(_ message: String) -> HistoryError { HistoryError(.invalidProof, message) }
}
