import Vocabulary
import Crypto
import Foundation

/// The bearer token of an administrative session: 32 random bytes, written as 43 base64url characters.
///
/// Only its SHA-256 is stored in the registry; the token itself goes to a 0600 file in the user's runtime
/// folder. It never prints (`description` is redacted).
public struct AdminSessionToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The token text to store in the session file.
    public let text: String

    /// A fresh random token.
    static func random() -> AdminSessionToken {
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Array($0) }
        return AdminSessionToken(unchecked: Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: ""))
    }

    private init(unchecked text: String) {
        self.text = text
    }

    /// A token read back from the session file (surrounding whitespace removed).
    public init(_ text: String) throws(RegistryError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        guard trimmed.count == 43, trimmed.allSatisfy({ alphabet.contains($0) }) else {
            throw RegistryError(.sessionUnknown, "the administrative session file does not hold a session token; run `cardgate admin login`")
        }
        self.text = trimmed
    }

    /// SHA-256 of the token text: what the registry stores.
    var digest: Data { Data(SHA256.hash(data: Data(text.utf8))) }

    /// Never the token.
    public var description: String { "AdminSessionToken(redacted)" }
    /// Never the token.
    public var debugDescription: String { description }
}

/// An open administrative session.
public struct AdminSession: Sendable, Equatable {
    /// The administrator.
    public let operatorId: String
    /// Their roles now (read at validation, so that a role removed meanwhile counts at once).
    public let roles: Set<Role>
    /// The card used at login.
    public let cardGuid: CardGUID
    /// Opening time.
    public let createdAt: Date
    /// Expiry time.
    public let expiresAt: Date
}
