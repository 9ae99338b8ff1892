import Crypto
import Foundation
import History

/// What an auditor feeds `cardgate history check-proof`: the proof file (JSON, inclusion or consistency), the
/// checkpoint notes inside it (C2SP signed notes) and the public key given with `--public-key` (64 hex digits or a
/// C2SP verifier key). The first byte selects: 0 a checkpoint note, 1 a public key text, 2 a proof file (checked
/// against the fixed key ``trustedKey`` that signed the seeds).
///
/// Contract: a refused input is a ``HistoryError`` with a message (never a trap); a parsed checkpoint is exactly
/// its note again (parsing the note gives the same checkpoint) with 32-byte root and previous hashes, number ≥ 1 and
/// size ≥ 0; a parsed public key reads back from its 64 hex digits; a proof accepted names the trusted key's
/// fingerprint, and a second check of the same bytes gives the same answer.
public enum ProofTarget: FuzzTarget {
    public static let name = "proof"

    /// The seeds' signing key: fixed bytes, so that the seeds written once verify in every later run.
    static let signingBytes = Array(SHA256.hash(data: Array("cardgate fuzz proof key".utf8)))
    static let trustedKey: CheckpointPublicKey = {
        let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: signingBytes)
        return try! CheckpointPublicKey(hex: key.publicKey.rawRepresentation.map { String(format: "%02x", $0) }.joined())
    }()

    public static func run(_ input: [UInt8]) throws(ContractViolation) {
        guard let selector = input.first else { return }
        let rest = Array(input.dropFirst())
        switch selector % 3 {
        case 0: try checkNote(String(decoding: rest, as: UTF8.self))
        case 1: try checkKey(String(decoding: rest, as: UTF8.self))
        default: try checkProof(Data(rest))
        }
    }

    static func checkNote(_ text: String) throws(ContractViolation) {
        let cp: Checkpoint
        do { cp = try Checkpoint(parsing: text) } catch {
            try require(!error.description.isEmpty, "checkpoint refused without a message (\(error.code))")
            return
        }
        try require(cp.note == text, "a parsed checkpoint's note is not the text it was parsed from")
        try require(cp.root.count == 32 && cp.previous.count == 32 && cp.supersedes.allSatisfy { $0.count == 32 }, "a hash is not 32 bytes")
        try require(cp.number >= 1 && cp.size >= 0 && cp.hash.count == 32, "number \(cp.number), size \(cp.size)")
        let again: Checkpoint
        do { again = try Checkpoint(parsing: cp.note) } catch { throw ContractViolation("a parsed checkpoint's note does not parse again: \(error)") }
        try require(again == cp && again.origin == cp.origin && again.size == cp.size && again.timeMillis == cp.timeMillis, "parsing the note again gave another checkpoint")
    }

    static func checkKey(_ text: String) throws(ContractViolation) {
        let key: CheckpointPublicKey
        do { key = try CheckpointPublicKey(text: text) } catch {
            try require(!error.description.isEmpty, "public key refused without a message")
            return
        }
        try require(key.hex.count == 64 && key.fingerprint.count == 16, "key \(key.hex)")
        do { try require(CheckpointPublicKey(hex: key.hex) == key, "the key does not read back from its hex") } catch let e as ContractViolation { throw e } catch {
            throw ContractViolation("the key's own hex is refused: \(error)")
        }
    }

    static func checkProof(_ data: Data) throws(ContractViolation) {
        let first = Result { () throws(HistoryError) in try ProofChecker.check(data, keys: [trustedKey]) }
        let second = Result { () throws(HistoryError) in try ProofChecker.check(data, keys: [trustedKey]) }
        switch (first, second) {
        case (.success(let a), .success(let b)):
            try require(a == b, "two checks of the same proof disagree")
            try require(a.keyFingerprint == trustedKey.fingerprint, "a proof was accepted with another key's fingerprint")
            try require(a.treeSize >= 1 && a.checkpointNumber >= 1 && !a.summary.isEmpty, "accepted proof: \(a)")
        case (.failure(let a), .failure(let b)):
            try require(!a.description.isEmpty && a.description == b.description, "refusal without a message, or two different ones")
        default:
            throw ContractViolation("two checks of the same proof gave different outcomes")
        }
    }

    public static func seeds() throws -> [Seed] {
        let folder = NSTemporaryDirectory() + "fuzz-proof-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/witness", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let keyPath = folder + "/signing.key"
        _ = FileManager.default.createFile(atPath: keyPath, contents: Data(signingBytes), attributes: [.posixPermissions: 0o600])
        let configuration = HistoryConfiguration(databasePath: folder + "/history.sqlite", archiveDirectory: folder + "/archive",
                                                 signingKeyPath: keyPath, witness: WitnessConfiguration(files: [folder + "/witness/w"]),
                                                 checkpointEveryEvents: 4)
        let store = try HistoryStore.open(configuration)
        var notes: [String] = []
        for i in 0..<11 {
            let receipt = try store.append(NewEvent(kind: i % 2 == 0 ? .doorEntry : .operation, result: .success, actor: "op-\(i % 3)",
                                                    card: "CARD\(i % 3)", place: "T0\(i % 2 + 1)",
                                                    details: EventDetails(operation: i % 2 == 0 ? nil : "resident.view", record: i % 2 == 0 ? nil : "R\(i)")))
            if let cp = receipt.checkpoint { notes.append(cp.note) }
        }
        if let cp = try store.checkpoint() { notes.append(cp.note) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var seeds = notes.enumerated().map { Seed("note-\($0.offset + 1)", [0] + Array($0.element.utf8)) }
        seeds.append(Seed("key-hex", [1] + Array(trustedKey.hex.utf8)))
        seeds.append(Seed("key-verifier", [1] + Array(trustedKey.verifierKey(name: store.origin ?? "cardgate.local/fuzz").utf8)))
        seeds.append(Seed("inclusion-3", [2] + Array(try encoder.encode(try store.inclusionProof(sequence: 3)))))
        seeds.append(Seed("inclusion-11", [2] + Array(try encoder.encode(try store.inclusionProof(sequence: 11)))))
        seeds.append(Seed("consistency-5", [2] + Array(try encoder.encode(try store.consistencyProof(from: 5)))))
        return seeds
    }
}
