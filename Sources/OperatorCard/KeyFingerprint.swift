import Vocabulary
import APDU
import Crypto

/// The project-wide identifier of a card key: SHA-256 over the DER `SubjectPublicKeyInfo` of the public
/// key, written as 64 lower-case hex digits.
///
/// This is the definition every CardGate module uses (registry pinning, history, `cardgate card probe`,
/// `vcard show`). It is the same value as
/// `openssl x509 -in cert.pem -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum`.
public struct KeyFingerprint: Hashable, Sendable, CustomStringConvertible, Codable {
    /// 64 lower-case hex digits.
    public let hex: String

    /// The fingerprint of a P-256 public key.
    public init(publicKey: P256.Signing.PublicKey) {
        self.init(subjectPublicKeyInfo: [UInt8](publicKey.derRepresentation))
    }

    /// The fingerprint of a DER-encoded `SubjectPublicKeyInfo`.
    public init(subjectPublicKeyInfo der: [UInt8]) {
        hex = Hex.encode(SHA256.hash(data: der))
    }

    /// Accepts 64 hex digits (either case), stored lower-case; nil for anything else.
    public init?(hex text: String) {
        guard text.count == 64, let bytes = Hex.decode(text), bytes.count == 32 else { return nil }
        hex = Hex.encode(bytes)
    }

    /// The hex digits.
    public var description: String { hex }

    /// Decodes from a JSON string of 64 hex digits.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let fingerprint = KeyFingerprint(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a key fingerprint is 64 hex digits"))
        }
        self = fingerprint
    }

    /// Encodes as a JSON string of 64 lower-case hex digits.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    /// Compares in constant time (fingerprints of pinned keys are compared with what a card shows).
    public func matches(_ other: KeyFingerprint) -> Bool {
        let a = Array(hex.utf8), b = Array(other.hex.utf8)
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
