import Vocabulary
import APDU
import Crypto

/// The PIV card-authentication profile over any ``APDUChannel``: select the application, read the
/// identity and the Card Authentication certificate, and prove the card genuine with a fresh challenge.
///
/// ```swift
/// let card = PIVCard(channel: connection)
/// try card.selectApplication()
/// let identity = try card.readIdentity()
/// let certificate = try card.readCardAuthenticationCertificate()
/// let result = try card.authenticate(publicKey: pinnedKey)   // .genuine or .notGenuine(…)
/// ```
///
/// Every method throws only ``OperatorCardError``. Nothing here needs a PIN: the 9E key is usable
/// without one.
public struct PIVCard: Sendable {
    /// The channel commands go through.
    public let channel: any APDUChannel

    /// Uses `channel` for every command.
    public init(channel: any APDUChannel) {
        self.channel = channel
    }

    /// SELECT the PIV application by its AID (`00 A4 04 00 09 A0 00 00 03 08 00 00 10 00 00`) and
    /// return the application property template the card answered (tag `61`'s value, possibly empty).
    @discardableResult
    public func selectApplication() throws(OperatorCardError) -> [UInt8] {
        let command = CommandAPDU(ins: PIV.Instruction.select, p1: 0x04, p2: 0x00, data: PIV.aid, le: 256)
        let response = try send(command, doing: "selecting the PIV application")
        switch response.statusWord {
        case .success:
            guard !response.data.isEmpty else { return [] }
            do {
                let template = try TLV.decodeSingle(response.data)
                guard template.tag == 0x61 else {
                    throw OperatorCardError(.malformedResponse, "the PIV SELECT answer starts with tag \(Hex.encode(template.tagBytes)), not the application property template 61")
                }
                return template.value
            } catch let error as APDUError {
                throw OperatorCardError(.malformedResponse, "the PIV SELECT answer is not well-formed BER-TLV: \(error.description)")
            } catch let error as OperatorCardError {
                throw error
            } catch {
                throw OperatorCardError(.malformedResponse, "the PIV SELECT answer cannot be read: \(error)")
            }
        case .notFound:
            throw OperatorCardError(.applicationNotFound, "the card has no PIV application (SELECT answered 6A82); is this a PIV card?", statusWord: response.statusWord)
        default:
            throw OperatorCardError(.applicationNotFound, "the card refused to select the PIV application: \(response.statusWord)", statusWord: response.statusWord)
        }
    }

    /// GET DATA for the object `tag` (`00 CB 3F FF 05 5C 03 <tag> 00`) and return the value of the `53`
    /// wrapper. A missing object throws ``OperatorCardError/Code/objectMissing``.
    public func readObject(_ tag: UInt32) throws(OperatorCardError) -> [UInt8] {
        let tagBytes = TLV(tag: tag, value: []).tagBytes
        let command = CommandAPDU(ins: PIV.Instruction.getData, p1: 0x3F, p2: 0xFF,
                                  data: TLV(tag: 0x5C, value: tagBytes).encoded(), le: 256)
        let name = "data object \(Hex.encode(tagBytes).uppercased())"
        let response = try send(command, doing: "reading \(name)")
        switch response.statusWord {
        case .success: break
        case .notFound:
            throw OperatorCardError(.objectMissing, "the card has no \(name) (GET DATA answered 6A82)", statusWord: response.statusWord)
        default:
            throw OperatorCardError(.unexpectedStatus, "the card refused to give \(name): \(response.statusWord)", statusWord: response.statusWord)
        }
        let wrapper: TLV
        do {
            wrapper = try TLV.decodeSingle(response.data)
        } catch {
            throw OperatorCardError(.malformedResponse, "\(name) is not well-formed BER-TLV: \(error.description)")
        }
        guard wrapper.tag == 0x53 else {
            throw OperatorCardError(.malformedResponse, "\(name) is wrapped in tag \(Hex.encode(wrapper.tagBytes)), not 53")
        }
        return wrapper.value
    }

    /// Reads and parses the CHUID (object `5FC102`).
    public func readIdentity() throws(OperatorCardError) -> CardIdentity {
        try CardIdentity(chuid: readObject(PIV.Object.chuid))
    }

    /// Reads and parses the Card Authentication certificate (object `5FC101`); its key must be P-256.
    public func readCardAuthenticationCertificate() throws(OperatorCardError) -> CardAuthenticationCertificate {
        try CardAuthenticationCertificate(object: readObject(PIV.Object.cardAuthenticationCertificate))
    }

    /// Asks the card to sign `challenge` with its Card Authentication key (GENERAL AUTHENTICATE, algorithm
    /// 11, key 9E) and returns the DER ECDSA signature exactly as the card gave it, after checking that it
    /// parses.
    public func sign(challenge: ChallengeDigest) throws(OperatorCardError) -> P256.Signing.ECDSASignature {
        let template = TLV(tag: 0x7C, value: TLV(tag: 0x82, value: []).encoded()
            + TLV(tag: 0x81, value: challenge.rawBytes).encoded())
        let command = CommandAPDU(ins: PIV.Instruction.generalAuthenticate, p1: PIV.algorithmECCP256,
                                  p2: PIV.cardAuthenticationKey, data: template.encoded(), le: 256)
        let response = try send(command, doing: "asking the card to sign a challenge")
        guard response.statusWord.isSuccess else {
            throw OperatorCardError(.unexpectedStatus, "the card refused to sign the challenge with key 9E: \(response.statusWord)", statusWord: response.statusWord)
        }
        let signatureBytes: [UInt8]
        do {
            let outer = try TLV.decodeSingle(response.data)
            guard outer.tag == 0x7C else {
                throw OperatorCardError(.malformedResponse, "the GENERAL AUTHENTICATE answer is tag \(Hex.encode(outer.tagBytes)), not the dynamic authentication template 7C")
            }
            guard let response = try outer.children().first(tag: 0x82) else {
                throw OperatorCardError(.malformedResponse, "the GENERAL AUTHENTICATE answer has no response (tag 82)")
            }
            signatureBytes = response.value
        } catch let error as OperatorCardError {
            throw error
        } catch let error as APDUError {
            throw OperatorCardError(.malformedResponse, "the GENERAL AUTHENTICATE answer is not well-formed BER-TLV: \(error.description)")
        } catch {
            throw OperatorCardError(.malformedResponse, "the GENERAL AUTHENTICATE answer cannot be read: \(error)")
        }
        guard !signatureBytes.isEmpty else {
            throw OperatorCardError(.malformedSignature, "the card returned an empty signature")
        }
        do {
            return try P256.Signing.ECDSASignature(derRepresentation: signatureBytes)
        } catch {
            throw OperatorCardError(.malformedSignature, "the card's signature (\(signatureBytes.count) bytes) is not a DER ECDSA-Sig-Value")
        }
    }

    /// Proves the card holds the private key of `publicKey`: sends a fresh random 32-byte challenge and
    /// verifies the signature. A valid signature by another key gives ``AuthenticityResult/notGenuine(_:)``;
    /// a card that refuses or answers garbage throws.
    public func authenticate(publicKey: P256.Signing.PublicKey) throws(OperatorCardError) -> AuthenticityResult {
        let challenge = ChallengeDigest.random()
        let signature = try sign(challenge: challenge)
        return publicKey.isValidSignature(signature, for: challenge) ? .genuine : .notGenuine(.signatureDoesNotVerify)
    }

    /// Everything `cardgate card probe` shows: select, identity, certificate, and a challenge verified
    /// against the certificate's own key (which proves the card holds that key, not that the key is the
    /// one a registry pinned: compare ``CardProbe/fingerprint`` for that).
    public func probe() throws(OperatorCardError) -> CardProbe {
        try selectApplication()
        let identity = try readIdentity()
        let certificate = try readCardAuthenticationCertificate()
        let result = try authenticate(publicKey: certificate.publicKey)
        return CardProbe(identity: identity, certificate: certificate, authenticity: result)
    }

    private func send(_ command: CommandAPDU, doing: String) throws(OperatorCardError) -> ResponseAPDU {
        do {
            return try channel.exchange(command)
        } catch {
            throw OperatorCardError(error, while: doing)
        }
    }
}

/// The result of ``PIVCard/probe()``.
public struct CardProbe: Sendable {
    /// The CHUID.
    public let identity: CardIdentity
    /// The Card Authentication certificate.
    public let certificate: CardAuthenticationCertificate
    /// Whether the card signed a fresh challenge with the certificate's key.
    public let authenticity: AuthenticityResult
    /// The fingerprint of the certificate's key.
    public var fingerprint: KeyFingerprint { certificate.fingerprint }
}
