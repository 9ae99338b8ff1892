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
        /// A stored field is not valid (unknown kind, bad details, year not matching the time, time going back).
        case badField
        /// A checkpoint's signature does not verify with the public key.
        case checkpointSignature
        /// A checkpoint names a year or position that does not match the event it covers.
        case checkpointPlace
        /// The chain is consistent but differs from what a checkpoint signed: it was rewritten without the key.
        case rewritten
        /// A checkpoint in the copy is missing from the database or differs from it.
        case checkpointMissing
        /// Events a checkpoint covers are gone from the end of the chain.
        case truncated
        /// A year's seal does not match its events or does not link to the seal before.
        case seal
        /// An archive file is missing, differs from its recorded digest, or does not match its seal.
        case archive
        /// Verification could not run (a file unreadable, no public key).
        case unverifiable
    }

    /// Whether everything checked out.
    public var intact: Bool
    /// The first sequence number that cannot be trusted, when not intact (nil if the damage has no position).
    public var firstBadSequence: Int64?
    /// What is wrong, when not intact.
    public var problem: Problem?
    /// A sentence a person can act on.
    public var message: String
    /// Events whose hash was recomputed.
    public var eventsChecked: Int64
    /// Checkpoint signatures verified (a copied checkpoint equal to the database's is compared, not verified again).
    public var checkpointsChecked: Int
    /// Closed years whose seal was checked (archived, live or purged).
    public var sealedYears: [Int]
    /// The last sequence number of the chain.
    public var lastSequence: Int64
    /// Events after the last checkpoint (not yet covered by a signature).
    public var unsignedEvents: Int64
}

/// A verification failure inside the walker.
struct VerifyFailure: Error {
    let sequence: Int64?
    let problem: VerificationReport.Problem
    let message: String
    /// For `.rewritten`: the checkpoint that signed another head.
    var checkpoint: Int64? = nil
}
