@_spi(PINDigits) import Vocabulary
import Crypto
import CryptoExtras

/// Hashes and verifies PINs: HMAC-SHA-256 with the pepper, then scrypt with a random 16-byte salt.
///
/// `verify` compares digests in constant time and tells when the stored hash was made with parameters
/// other than the current ones, so that the caller rehashes the PIN after a good entry.
public struct PINHasher: Sendable {
    /// The outcome of checking a PIN against a stored hash.
    public enum Verification: Sendable, Equatable {
        /// The PIN is right. `needsRehash` is true when the stored parameters differ from the current ones.
        case match(needsRehash: Bool)
        /// The PIN is wrong.
        case mismatch
    }

    /// The pepper (HMAC key).
    public let pepper: Pepper
    /// The parameters for new hashes.
    public let parameters: ScryptParameters

    /// A hasher with the pepper and the current parameters (OWASP's minimum unless configured otherwise).
    public init(pepper: Pepper, parameters: ScryptParameters = .default) {
        self.pepper = pepper
        self.parameters = parameters
    }

    /// Hashes a PIN with a fresh random salt and the current parameters.
    public func hash(_ pin: PIN) throws(CredentialsError) -> PINHash {
        var salt = [UInt8](repeating: 0, count: PINHash.saltByteCount)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        return try hash(pin, salt: salt, parameters: parameters)
    }

    /// Hashes a PIN with a given salt and parameters (used by `verify` and by fixed test vectors).
    func hash(_ pin: PIN, salt: [UInt8], parameters: ScryptParameters) throws(CredentialsError) -> PINHash {
        let peppered = Array(HMAC<SHA256>.authenticationCode(for: pin.digits, using: pepper.key))
        do {
            let key = try KDF.Scrypt.deriveKey(
                from: peppered, salt: salt, outputByteCount: PINHash.hashByteCount,
                rounds: parameters.n, blockSize: parameters.r, parallelism: parameters.p)
            return PINHash(parameters: parameters, salt: salt, hash: key.withUnsafeBytes { Array($0) })
        } catch {
            throw CredentialsError(.hashingFailed, "scrypt failed with \(parameters) (out of memory?)")
        }
    }

    /// Checks a PIN against a stored PHC string.
    public func verify(_ pin: PIN, against stored: String) throws(CredentialsError) -> Verification {
        try verify(pin, against: PINHash(phc: stored))
    }

    /// Checks a PIN against a parsed stored hash, comparing the digests in constant time.
    public func verify(_ pin: PIN, against stored: PINHash) throws(CredentialsError) -> Verification {
        let candidate = try hash(pin, salt: stored.salt, parameters: stored.parameters)
        guard ConstantTime.equal(candidate.hash, stored.hash) else { return .mismatch }
        return .match(needsRehash: needsRehash(stored))
    }

    /// Whether a stored hash was made with parameters or a salt length other than the current ones.
    public func needsRehash(_ stored: PINHash) -> Bool {
        stored.parameters != parameters || stored.salt.count != PINHash.saltByteCount
    }
}
