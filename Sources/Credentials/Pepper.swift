import Crypto
import Secrets

/// The server-side secret mixed into every PIN hash (HMAC-SHA-256 key), kept in its own 0600 file.
///
/// With the database alone an attacker cannot test PIN guesses offline; the pepper file is what protects
/// the 10⁶ values of a six-digit PIN. It is never stored in the database. Loading refuses a file that
/// group or others can access (the service must then refuse to start), a link, and a pepper under 32 bytes.
public struct Pepper: Sendable, CustomStringConvertible {
    /// Shortest pepper accepted, in bytes.
    public static let minimumByteCount = 32

    let key: SymmetricKey

    /// Wraps pepper bytes (from configuration or a test); refuses fewer than 32 bytes.
    public init(bytes: [UInt8]) throws(CredentialsError) {
        guard bytes.count >= Self.minimumByteCount else {
            throw CredentialsError(.pepperTooShort, "the PIN pepper has \(bytes.count) bytes; at least \(Self.minimumByteCount) are required")
        }
        key = SymmetricKey(data: bytes)
    }

    /// Reads the pepper from `path`, which must be a regular file with mode 0600 (or stricter).
    public static func load(from path: String) throws(CredentialsError) -> Pepper {
        let bytes: [UInt8]
        do {
            bytes = try SecretFile.read(path)
        } catch {
            throw CredentialsError(.pepperFile, "PIN pepper: \(error.description)")
        }
        do {
            return try Pepper(bytes: bytes)
        } catch {
            throw CredentialsError(.pepperTooShort, "PIN pepper file \(path) has \(bytes.count) bytes; at least \(minimumByteCount) are required (recreate it with `cardgate init`)")
        }
    }

    /// Creates a new pepper file at `path` with 32 random bytes and mode 0600; refuses to overwrite one.
    @discardableResult
    public static func create(at path: String) throws(CredentialsError) -> Pepper {
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Array($0) }
        do {
            try SecretFile.create(path, bytes: bytes)
        } catch {
            throw CredentialsError(.pepperFile, "PIN pepper: \(error.description)")
        }
        return try Pepper(bytes: bytes)
    }

    /// Never the key.
    public var description: String { "Pepper(redacted)" }
}
