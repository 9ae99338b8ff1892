import Foundation

/// A C2SP signed note (c2sp.org/signed-note): a text ending in a newline, a blank line, then signature lines
/// `— <key name> <base64(4-byte key ID ‖ signature)>`. Ed25519 is the only signature type used here.
///
/// Parsing is strict and fails closed: valid UTF-8, no control characters but newlines, at most
/// `maximumSignatures` signatures and `maximumBytes` bytes, canonical base64.
struct SignedNote: Sendable, Equatable {
    /// One signature line.
    struct Signature: Sendable, Equatable {
        var name: String
        var keyID: UInt32
        var signature: [UInt8]
    }

    /// The signed text, including its final newline (not the separating blank line).
    let text: String
    /// The signature lines, in order.
    private(set) var signatures: [Signature]

    static let maximumSignatures = 16
    static let maximumBytes = 8192
    static let dash = "\u{2014} "

    init(text: String, signatures: [Signature] = []) {
        self.text = text
        self.signatures = signatures
    }

    /// The note as written to the database, witnesses and proof files.
    var serialized: String {
        text + "\n" + signatures.map { "\(Self.dash)\($0.name) \(Base64.encode(Self.bytes($0.keyID) + $0.signature))\n" }.joined()
    }

    /// Parses a note; the error says what is wrong with it.
    init(parsing note: String) throws(HistoryError) {
        let bytes = Array(note.utf8)
        guard bytes.count <= Self.maximumBytes else { throw Self.bad("is larger than \(Self.maximumBytes) bytes") }
        guard bytes.allSatisfy({ $0 >= 0x20 || $0 == 0x0A }) else { throw Self.bad("contains a control character") }
        guard bytes.last == 0x0A else { throw Self.bad("does not end with a newline") }
        // The text is separated from the signatures by the last empty line.
        guard let split = (1..<bytes.count).last(where: { bytes[$0] == 0x0A && bytes[$0 - 1] == 0x0A }) else {
            throw Self.bad("has no blank line before its signatures")
        }
        guard split > 1 else { throw Self.bad("has an empty text") }
        let text = String(decoding: bytes[..<split], as: UTF8.self)
        // The signature lines, on bytes (the note ends with a newline, so every line has one).
        let dash = Array(Self.dash.utf8)
        var signatures: [Signature] = []
        var start = split + 1
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A)!
            let line = bytes[start..<end]
            start = end + 1
            guard line.starts(with: dash) else { throw Self.bad("has a signature line that does not start with an em dash and a space") }
            let fields = line.dropFirst(dash.count).split(separator: 0x20, omittingEmptySubsequences: false)
            let name = fields.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
            guard fields.count == 2, Self.isValidKeyName(name) else { throw Self.bad("has a signature line without a valid key name") }
            guard let raw = Base64.decode(utf8: fields[1]), raw.count > 4 else { throw Self.bad("has a signature that is not base64 of a key ID and a signature") }
            signatures.append(Signature(name: name, keyID: raw[0..<4].reduce(0) { $0 << 8 | UInt32($1) }, signature: Array(raw[4...])))
            guard signatures.count <= Self.maximumSignatures else { break }
        }
        guard !signatures.isEmpty else { throw Self.bad("has no signature") }
        guard signatures.count <= Self.maximumSignatures else { throw Self.bad("has more than \(Self.maximumSignatures) signatures") }
        self.init(text: text, signatures: signatures)
    }

    /// Key names are non-empty and have no spaces and no `+` (signed-note §Format).
    static func isValidKeyName<S: StringProtocol>(_ name: S) -> Bool {
        // Printable ASCII without space and `+` is the common case, decided without Unicode properties.
        if name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return !name.isEmpty && !name.utf8.contains(UInt8(ascii: "+")) }
        return !name.isEmpty && !name.contains("+") && !name.unicodeScalars.contains { $0.properties.isWhitespace }
    }

    /// The Ed25519 key ID: the first four bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), big-endian.
    static func keyID(name: String, publicKey: CheckpointPublicKey) -> UInt32 {
        sha256(Array(name.utf8) + [0x0A, 0x01] + publicKey.rawBytes)[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Adds an Ed25519 signature over the text.
    mutating func sign(name: String, key: CheckpointSigningKey) throws(HistoryError) {
        let sig = try key.sign(Array(text.utf8))
        signatures.append(Signature(name: name, keyID: Self.keyID(name: name, publicKey: key.publicKey), signature: sig))
    }

    /// Whether the note carries a valid signature by this key: nil when no line names the key, false when a
    /// line names it but does not verify (a changed note), true when one verifies.
    func signatureCheck(name: String, key: CheckpointPublicKey) -> Bool? {
        let id = Self.keyID(name: name, publicKey: key)
        let lines = signatures.filter { $0.name == name && $0.keyID == id }
        guard !lines.isEmpty else { return nil }
        let message = Array(text.utf8)
        return lines.allSatisfy { key.isValid(signature: $0.signature, for: message) }
    }

    /// Whether a signature line names this key (by name and key ID), without verifying it.
    func hasSignatureLine(name: String, key: CheckpointPublicKey) -> Bool {
        hasSignatureLine(name: name, keyID: Self.keyID(name: name, publicKey: key))
    }

    /// ``hasSignatureLine(name:key:)`` with the key ID computed already.
    func hasSignatureLine(name: String, keyID id: UInt32) -> Bool {
        signatures.contains { $0.keyID == id && $0.name == name }
    }

    static func bytes(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    private static func bad(_ what: String) -> HistoryError { HistoryError(.invalidCheckpoint, "the signed note \(what)") }
}
