import Crypto
import Foundation
import Secrets

/// The Ed25519 key that signs checkpoints, kept in its own 0600 file outside the database.
public struct CheckpointSigningKey: Sendable {
    let key: Curve25519.Signing.PrivateKey

    /// Loads the key file (32 raw bytes); refuses a file group or others can read, a link, or a wrong size.
    public static func load(_ path: String) throws(HistoryError) -> CheckpointSigningKey {
        let bytes: [UInt8]
        do { bytes = try SecretFile.read(path) } catch {
            throw HistoryError(.signingKey, "history signing key refused: \(error.description)")
        }
        guard bytes.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes) else {
            throw HistoryError(.signingKey, "history signing key \(path) must hold 32 raw bytes (create it with: cardgate history init-key)")
        }
        return CheckpointSigningKey(key: key)
    }

    /// Creates a new random key file with mode 0600; never overwrites an existing file.
    @discardableResult
    public static func create(_ path: String) throws(HistoryError) -> CheckpointSigningKey {
        let key = Curve25519.Signing.PrivateKey()
        do { try SecretFile.create(path, bytes: Array(key.rawRepresentation)) } catch {
            throw HistoryError(.signingKey, error.description)
        }
        return CheckpointSigningKey(key: key)
    }

    /// The public half, for verification.
    public var publicKey: CheckpointPublicKey { CheckpointPublicKey(key: key.publicKey) }

    func sign(_ message: [UInt8]) throws(HistoryError) -> [UInt8] {
        do { return Array(try key.signature(for: message)) } catch {
            throw HistoryError(.signingKey, "checkpoint could not be signed: \(error)")
        }
    }
}

/// The public key that verifies checkpoints; what auditors receive.
public struct CheckpointPublicKey: Sendable, Equatable {
    let key: Curve25519.Signing.PublicKey

    /// Reads 64 hexadecimal digits (the form `cardgate history init-key` and `export` print).
    public init(hex: String) throws(HistoryError) {
        guard let raw = Hex.decode(hex.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
            throw HistoryError(.signingKey, "a public key is 64 hexadecimal digits")
        }
        self.key = key
    }

    /// Reads either 64 hexadecimal digits or a C2SP verifier key `name+keyid+base64(0x01 ‖ key)`; a verifier key
    /// whose key ID does not match its name and key is refused.
    public init(text: String) throws(HistoryError) {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard t.contains("+") else { try self.init(hex: t); return }
        let parts = t.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, SignedNote.isValidKeyName(parts[0]), parts[1].count == 8, let id = Hex.decode(String(parts[1])),
              let raw = Base64.decode(parts[2]), raw.count == 33, raw[0] == 0x01,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw[1...]) else {
            throw HistoryError(.signingKey, "a verifier key is name+8 hex digits+base64(0x01 ‖ 32-byte Ed25519 key)")
        }
        guard SignedNote.bytes(SignedNote.keyID(name: String(parts[0]), publicKey: CheckpointPublicKey(key: key))) == id else {
            throw HistoryError(.signingKey, "the verifier key's ID does not match its name and key")
        }
        self.init(key: key)
    }

    init(key: Curve25519.Signing.PublicKey) { self.key = key }

    /// 64 hexadecimal digits.
    public var hex: String { Hex.encode(Array(key.rawRepresentation)) }
    /// The 32 raw bytes.
    var rawBytes: [UInt8] { Array(key.rawRepresentation) }
    /// The C2SP verifier key for notes signed under `name` (the log's origin): `name+keyid+base64(0x01 ‖ key)`.
    public func verifierKey(name: String) -> String {
        "\(name)+\(Hex.encode(SignedNote.bytes(SignedNote.keyID(name: name, publicKey: self))))+\(Base64.encode([0x01] + rawBytes))"
    }
    /// The first 16 hexadecimal digits of the SHA-256 of the key, to compare over the phone.
    public var fingerprint: String { String(Hex.encode(sha256(Array(key.rawRepresentation))).prefix(16)) }

    func isValid(signature: [UInt8], for message: [UInt8]) -> Bool {
        key.isValidSignature(signature, for: message)
    }

    public static func == (a: Self, b: Self) -> Bool { a.key.rawRepresentation == b.key.rawRepresentation }
}
