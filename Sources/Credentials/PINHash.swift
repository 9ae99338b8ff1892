import Foundation

/// A stored PIN hash in PHC string format: `$scrypt$ln=17,r=8,p=1$<salt>$<hash>`.
///
/// Salt and hash are standard base64 without padding, as the PHC string format specifies. The parameters
/// travel with the hash so that they can be raised later and old hashes rehashed at the next good PIN.
public struct PINHash: Sendable, Equatable, CustomStringConvertible {
    /// The scrypt parameters the hash was made with.
    public let parameters: ScryptParameters
    /// The random salt (16 bytes when made here; at least 16 accepted).
    public let salt: [UInt8]
    /// The derived key (32 bytes).
    public let hash: [UInt8]

    /// Salt length used for new hashes, in bytes.
    public static let saltByteCount = 16
    /// Derived key length, in bytes.
    public static let hashByteCount = 32

    /// Makes a hash value from its parts.
    init(parameters: ScryptParameters, salt: [UInt8], hash: [UInt8]) {
        self.parameters = parameters
        self.salt = salt
        self.hash = hash
    }

    /// Parses a PHC string. Refuses anything that is not exactly `$scrypt$ln=…,r=…,p=…$salt$hash` with
    /// parameters in range, a salt of 16–64 bytes and a 32-byte hash, in canonical unpadded base64.
    public init(phc: String) throws(CredentialsError) {
        func malformed(_ why: String) -> CredentialsError {
            CredentialsError(.malformedHash, "stored PIN hash is malformed (\(why)); reset the PIN")
        }
        let fields = phc.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0].isEmpty else { throw malformed("expected $scrypt$params$salt$hash") }
        guard fields[1] == "scrypt" else { throw malformed("algorithm is not scrypt") }
        let pairs = fields[2].split(separator: ",", omittingEmptySubsequences: false)
        guard pairs.count == 3 else { throw malformed("expected ln, r and p") }
        var values: [Int] = []
        for (pair, name) in zip(pairs, ["ln", "r", "p"]) {
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name[...],
                  let number = Self.decimal(parts[1]) else {
                throw malformed("parameter \(name) missing, out of order or not a decimal number")
            }
            values.append(number)
        }
        do {
            try ScryptParameters.checkRange(logN: values[0], r: values[1], p: values[2])
        } catch {
            throw malformed(error.description)
        }
        guard let salt = Self.base64Decode(fields[3]), (16...64).contains(salt.count) else {
            throw malformed("salt is not unpadded base64 of 16–64 bytes")
        }
        guard let hash = Self.base64Decode(fields[4]), hash.count == Self.hashByteCount else {
            throw malformed("hash is not unpadded base64 of \(Self.hashByteCount) bytes")
        }
        self.init(parameters: ScryptParameters(checkedLogN: values[0], r: values[1], p: values[2]), salt: salt, hash: hash)
    }

    /// The PHC string to store.
    public var phcString: String {
        "$scrypt$\(parameters)$\(Self.base64Encode(salt))$\(Self.base64Encode(hash))"
    }

    /// The PHC string (a hash reveals nothing about the PIN without the pepper and a search).
    public var description: String { phcString }

    /// A decimal number without sign or leading zeros, at most 6 digits.
    static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 6, text.allSatisfy({ $0.isASCII && $0.isNumber }),
              text == "0" || !text.hasPrefix("0") else { return nil }
        return Int(text)
    }

    static func base64Encode(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Decodes unpadded standard base64 and accepts only the canonical encoding (re-encoding gives it back).
    static func base64Decode(_ text: Substring) -> [UInt8]? {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        guard !text.isEmpty, text.count % 4 != 1, text.allSatisfy({ alphabet.contains($0) }) else { return nil }
        let padded = String(text) + String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: padded) else { return nil }
        let bytes = [UInt8](data)
        guard base64Encode(bytes) == text else { return nil }
        return bytes
    }
}
