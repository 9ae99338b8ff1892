import Vocabulary
import Crypto

/// A card's P-256 public key as pinned at issue: its SubjectPublicKeyInfo DER and fingerprint.
public struct PinnedKey: Sendable, Equatable {
    /// The SubjectPublicKeyInfo DER, re-encoded canonically.
    public let der: [UInt8]
    /// SHA-256 of `der`, lower-case hex.
    public let fingerprint: String

    /// Parses and re-encodes a P-256 public key given as SubjectPublicKeyInfo DER.
    public init(subjectPublicKeyInfoDER der: [UInt8]) throws(RegistryError) {
        let key: P256.Signing.PublicKey
        do {
            key = try P256.Signing.PublicKey(derRepresentation: der)
        } catch {
            throw RegistryError(.invalidInput, "the card's public key is not a P-256 SubjectPublicKeyInfo; only P-256 card authentication keys are accepted")
        }
        self.der = Array(key.derRepresentation)
        fingerprint = Hex.encode(SHA256.hash(data: self.der))
    }

    /// The key, for verifying the card's challenge signatures.
    public var publicKey: P256.Signing.PublicKey {
        // `der` was produced by the same type, so parsing cannot fail.
        try! P256.Signing.PublicKey(derRepresentation: der)
    }
}
