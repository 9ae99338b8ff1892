import Vocabulary
import APDU
import Crypto

/// 32 bytes used as a message digest: the PIV card signs the challenge itself, without hashing it
/// again (SP 800-73-4 §3.2.4, ECDSA over a pre-computed hash).
public struct ChallengeDigest: Digest {
    /// Always 32.
    public static let byteCount = 32
    private let bytes: [UInt8]

    /// Wraps exactly 32 bytes; nil for any other length.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// Makes a fresh random challenge from the system's secure random generator.
    public static func random() -> ChallengeDigest {
        var g = SystemRandomNumberGenerator()
        return ChallengeDigest((0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &g) })!
    }

    /// The 32 bytes.
    public var rawBytes: [UInt8] { bytes }

    /// Gives the bytes to `body`.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    /// Iterates the bytes.
    public func makeIterator() -> IndexingIterator<[UInt8]> { bytes.makeIterator() }

    /// Hex, for logs (a challenge is not secret).
    public var description: String { "ChallengeDigest(\(Hex.encode(bytes)))" }
}
