/// The outcome of `verify`: intact, or the first bad sequence number and what is wrong with it.
public struct VerificationReport: Sendable, Codable, Equatable {
    /// What kind of damage was found.
    public enum Problem: String, Sendable, Codable {
        /// An event is missing: the sequence numbers have a gap.
        case missingEvent
        /// An event's content does not match its hash (a field was changed).
        case hashMismatch
        /// An event does not link to the one before (removed, reordered or inserted events).
        case brokenLink
        /// An event was inserted between two others.
        case insertedEvent
        /// A stored field is not valid (unknown kind, bad details, year not matching the time, time going back
        /// without a clock-jump event).
        case badField
        /// A checkpoint is not a valid note, belongs to another log, or is not signed by the key valid at its time
        /// (nor, at a key change, also by the key before).
        case checkpointSignature
        /// A checkpoint's row does not match its signed note, or its size, time or year do not fit the events.
        case checkpointPlace
        /// The events differ from what a checkpoint or witness signed: rewritten without the key.
        case rewritten
        /// A checkpoint is missing: a gap in the checkpoint numbers, a witnessed checkpoint not in the database,
        /// or a history with events but no checkpoint.
        case checkpointMissing
        /// A checkpoint does not name the one before it, or differs from the witnessed one of the same number.
        case checkpointChain
        /// Events a checkpoint, a witness or a stored tree node covers are gone from the end.
        case truncated
        /// A stored subtree hash is missing or is not the hash of its events.
        case treeNode
        /// A witness file line is malformed or not validly signed.
        case witness
        /// A year's seal does not match its events or tree, or does not link to the seal before.
        case seal
        /// An archive file is missing, differs from its recorded digest, or does not match its seal.
        case archive
        /// Verification could not run (a file unreadable, no public key).
        case unverifiable
        /// An export was checked only under the key it carries itself: give --public-key or --fingerprint.
        case untrustedKey
    }

    /// What the exit status of `cardgate history verify` reports.
    public enum Outcome: String, Sendable, Codable {
        /// Everything checked out and the whole history is witnessed (exit 0).
        case intact
        /// Damage was found (exit 1).
        case damaged
        /// Nothing is damaged, but events after the last witnessed checkpoint (or all, with no witness) could be
        /// cut off without trace (exit 2).
        case unwitnessed
        /// The check could not be made, or only under an untrusted key (exit 3).
        case unverifiable

        /// The process exit status.
        public var exitCode: Int32 {
            switch self { case .intact: 0; case .damaged: 1; case .unwitnessed: 2; case .unverifiable: 3 }
        }
    }

    /// Whether nothing is damaged (the history may still have an unwitnessed tail; see `outcome`).
    public var intact: Bool
    /// The first sequence number that cannot be trusted, when not intact (nil if the damage has no position).
    public var firstBadSequence: Int64?
    /// What is wrong, when not intact.
    public var problem: Problem?
    /// A sentence a person can act on.
    public var message: String
    /// Events whose hash and tree leaf were recomputed.
    public var eventsChecked: Int64
    /// Checkpoints whose signatures and root were verified (in the database and archives).
    public var checkpointsChecked: Int
    /// Checkpoint notes whose Ed25519 signatures were verified one by one. Fewer than the checkpoints when notes the
    /// witness holds byte for byte were authenticated by the chain of checkpoints instead (see `verify(everySignature:)`).
    public var signaturesVerified: Int
    /// Closed years whose seal was checked (archived, live or purged).
    public var sealedYears: [Int]
    /// The last sequence number of the chain (the tree size).
    public var lastSequence: Int64
    /// Events after the last checkpoint (not yet covered by a signature).
    public var unsignedEvents: Int64
    /// The largest witnessed checkpoint size that matches the database (nil: none).
    public var witnessedSize: Int64?
    /// Events after the last witnessed checkpoint: these could be cut off without trace.
    public var unwitnessedEvents: Int64
    /// Witness lines checked.
    public var witnessLinesChecked: Int
    /// Incidents an administrator acknowledged (`system.history.acknowledged`): the witness holds checkpoints
    /// this database does not extend. They make the report damaged, but verification went on past them.
    public var acknowledgedIncidents: [String]
    /// Things a person should know (no witness configured, the key used).
    public var warnings: [String]
    /// intact, damaged, unwitnessed or unverifiable.
    public var outcome: Outcome
}

/// A verification failure inside the walker or the audit.
struct VerifyFailure: Error {
    let sequence: Int64?
    let problem: VerificationReport.Problem
    let message: String

    /// The earliest of several failures (by sequence; one without a position comes last).
    static func first(_ failures: [VerifyFailure?]) -> VerifyFailure? {
        failures.compactMap { $0 }.enumerated().min { a, b in
            (a.element.sequence ?? .max, a.offset) < (b.element.sequence ?? .max, b.offset)
        }?.element
    }
}
