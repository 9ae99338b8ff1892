import ArgumentParser
import Foundation
import History

/// `cardgate history prove --seq N`: one event with its inclusion proof, for an auditor.
struct HistoryProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Print one event, its leaf hash, its inclusion proof and the signed checkpoint it is proven against, as JSON.",
        discussion: """
            Hands over only that event (clause 8). The auditor checks it with nothing else:
              cardgate history check-proof proof.json --public-key <key>
            Example: cardgate history prove --seq 1042 > proof-1042.json
            """
    )
    @OptionGroup var options: HistoryOptions
    @Option(help: "The event's sequence number.") var seq: Int64
    @Option(help: "Prove against the checkpoint of this many events (default: the newest).") var treeSize: Int64?

    func run() throws {
        let store = try options.openForReading()
        let (n, size) = (seq, treeSize)
        try printJSON(try orExit { () throws(HistoryError) in try store.inclusionProof(sequence: n, treeSize: size) }, pretty: true)
    }
}

/// `cardgate history consistency --from A --to B`.
struct HistoryConsistencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consistency",
        abstract: "Print a proof that the history of --to events extends the history of --from events unchanged, as JSON.",
        discussion: """
            --to must be the size of a signed checkpoint (default: the newest). An auditor who kept an older checkpoint checks:
              cardgate history check-proof consistency.json --public-key <key> --checkpoint old-checkpoint.txt
            Example: cardgate history consistency --from 5000 > consistency.json
            """
    )
    @OptionGroup var options: HistoryOptions
    @Option(help: "The earlier tree size.") var from: Int64
    @Option(help: "The later tree size, a checkpoint's (default: the newest checkpoint).") var to: Int64?

    func run() throws {
        let store = try options.openForReading()
        let (a, b) = (from, to)
        try printJSON(try orExit { () throws(HistoryError) in try store.consistencyProof(from: a, to: b) }, pretty: true)
    }
}

/// `cardgate history check-proof FILE --public-key K`: checks a proof anywhere, with only the public key.
struct HistoryCheckProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-proof",
        abstract: "Check an inclusion or consistency proof file with only a trusted public key; exit 0 valid, 1 not.",
        discussion: "Example: cardgate history check-proof proof-1042.json --public-key 3f2a…"
    )
    @Argument(help: "The proof file (JSON from prove or consistency).") var file: String
    @Option(help: "A public key to trust (64 hex digits or a C2SP verifier key); repeatable.") var publicKey: [String] = []
    @Option(help: "A checkpoint (signed note) you kept earlier: a consistency proof must start from it.") var checkpoint: String?

    func run() throws {
        guard !publicKey.isEmpty else { throw ValidationError("give --public-key: a proof is only worth the key that signed its checkpoint") }
        let keys = try parsePublicKeys(publicKey)
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("\(file) cannot be read") }
        var old: String?
        if let checkpoint {
            guard let d = FileManager.default.contents(atPath: checkpoint), let text = String(data: d, encoding: .utf8) else {
                throw ValidationError("\(checkpoint) cannot be read as text")
            }
            old = text
        }
        do {
            let result = try ProofChecker.check(data, keys: keys, oldCheckpoint: old)
            printOut("VALID: \(result.summary)\n")
        } catch {
            printOut("INVALID: \(error.description)\n")
            throw ExitCode.failure
        }
    }
}
