import APDU
import Crypto
import OperatorCard
import Vocabulary

/// The data objects a card gives: the CHUID (with its FASC-N), the Card Authentication certificate object and
/// its X.509 DER, and the hex forms of key fingerprints.
///
/// Input: one selector byte (CHUID, FASC-N, certificate object, certificate DER, fingerprint text), then the
/// object.
///
/// Contract: a refused object throws ``OperatorCardError`` with a code of its own kind, never traps; an
/// accepted CHUID has its fixed field sizes and is written back as a CHUID that reads the same; an accepted
/// FASC-N is written back bit for bit; an accepted certificate holds a P-256 key, is the DER of tag `70`,
/// and its object as the card would store it reads back to the same key.
public enum CardObjectsTarget: FuzzTarget {
    public static let name = "card-objects"

    enum Kind: UInt8, CaseIterable {
        case chuid, fascn, certificateObject, certificateDER, fingerprintText
    }

    public static func run(_ input: [UInt8]) throws(ContractViolation) {
        var reader = FuzzInput(input)
        let kind = Kind(rawValue: reader.byte() % UInt8(Kind.allCases.count))!
        let object = reader.rest()
        switch kind {
        case .chuid: try checkCHUID(object)
        case .fascn: try checkFASCN(object)
        case .certificateObject: try checkCertificate(object, isObject: true)
        case .certificateDER: try checkCertificate(object, isObject: false)
        case .fingerprintText: try checkFingerprint(object)
        }
    }

    static func checkCHUID(_ value: [UInt8]) throws(ContractViolation) {
        let identity: CardIdentity
        do {
            identity = try CardIdentity(chuid: value)
        } catch {
            try require(error.code == .malformedCHUID, "CHUID refused with \(error.code): \(error)")
            return
        }
        try require(identity.guid.bytes.count == 16 && identity.fascn.count == 25, "CHUID accepted with GUID \(identity.guid.hex), FASC-N \(identity.fascnHex)")
        try require(identity.expiry.utf8.count == 8 && identity.expiry.allSatisfy(\.isASCII), "CHUID expiry \(identity.expiry)")
        try require(identity.guid.hex.count == 32 && identity.fascnHex.count == 50, "hex forms of \(identity.guid.hex)")
        do {
            let again = try CardIdentity(chuid: identity.chuidValue)
            try require(again == identity, "the CHUID written back reads differently")
        } catch {
            throw ContractViolation("the CHUID written back is refused: \(error)")
        }
        _ = identity.fascnFields
    }

    static func checkFASCN(_ bytes: [UInt8]) throws(ContractViolation) {
        let padded = Array((bytes + [UInt8](repeating: 0, count: 25)).prefix(25))
        for candidate in [bytes, padded] {
            guard let fascn = FASCN(bytes: candidate) else { continue }
            try require(candidate.count == 25, "FASC-N of \(candidate.count) bytes accepted")
            try require(fascn.bytes == candidate, "FASC-N \(Hex.encode(candidate)) is written back as \(Hex.encode(fascn.bytes))")
            try require(fascn.description.split(separator: "-").count == 9, "FASC-N fields \(fascn.description)")
            let rebuilt = FASCN(agency: fascn.agency, system: fascn.system, credential: fascn.credential, series: fascn.series,
                                issue: fascn.issue, person: fascn.person, category: fascn.category,
                                organisation: fascn.organisation, association: fascn.association)
            try require(rebuilt == fascn, "FASC-N \(fascn) cannot be rebuilt from its fields")
        }
    }

    static func checkCertificate(_ bytes: [UInt8], isObject: Bool) throws(ContractViolation) {
        let certificate: CardAuthenticationCertificate
        do {
            certificate = try isObject ? CardAuthenticationCertificate(object: bytes) : CardAuthenticationCertificate(der: bytes)
        } catch {
            let allowed: [OperatorCardError.Code] = isObject
                ? [.malformedResponse, .malformedCertificate, .certificateNotP256, .certificateCompressed]
                : [.malformedCertificate, .certificateNotP256]
            try require(allowed.contains(error.code), "certificate refused with \(error.code): \(error)")
            try require(error.statusWord == nil, "a certificate parse error carries a status word")
            return
        }
        if isObject {
            let der = (try? TLV.decodeAll(bytes))?.first(tag: 0x70)?.value
            try require(der == certificate.der, "the accepted certificate is not the value of tag 70")
        } else {
            try require(certificate.der == bytes, "the accepted certificate is not the DER given")
        }
        _ = certificate.subject
        let key = certificate.publicKey.derRepresentation
        try require((try? P256.Signing.PublicKey(derRepresentation: key))?.derRepresentation == key, "the certificate's key does not round-trip")
        do {
            let again = try CardAuthenticationCertificate(object: CardAuthenticationCertificate.objectValue(der: certificate.der))
            try require(again.fingerprint == certificate.fingerprint, "the certificate stored again has another key")
        } catch {
            throw ContractViolation("the accepted certificate, stored as a card stores it, is refused: \(error)")
        }
    }

    static func checkFingerprint(_ bytes: [UInt8]) throws(ContractViolation) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let decoded = Hex.decode(text) {
            let digits = text.filter { $0 != " " && $0 != ":" }.lowercased()
            try require(Hex.encode(decoded) == digits, "hex \(text) decodes to \(Hex.encode(decoded))")
        }
        if let fingerprint = KeyFingerprint(hex: text) {
            try require(fingerprint.hex == text.lowercased() && fingerprint.hex.count == 64, "fingerprint \(text) reads as \(fingerprint.hex)")
            try require(fingerprint.matches(KeyFingerprint(hex: fingerprint.hex)!), "a fingerprint does not match itself")
        }
        try require((ChallengeDigest(bytes) != nil) == (bytes.count == 32), "ChallengeDigest of \(bytes.count) bytes")
    }

    public static func seeds() throws -> [Seed] {
        let card = try SeedCard()
        let certificateObject = CardAuthenticationCertificate.objectValue(der: card.image.certificateDER)
        return [
            Seed("chuid", [Kind.chuid.rawValue] + card.image.identity.chuidValue),
            Seed("fascn", [Kind.fascn.rawValue] + card.image.identity.fascn),
            Seed("certificate-object", [Kind.certificateObject.rawValue] + certificateObject),
            Seed("certificate-compressed", [Kind.certificateObject.rawValue] + TLV(tag: 0x70, value: card.image.certificateDER).encoded() + [0x71, 0x01, 0x01]),
            Seed("certificate-der", [Kind.certificateDER.rawValue] + card.image.certificateDER),
            Seed("fingerprint", [Kind.fingerprintText.rawValue] + Array(card.image.fingerprint.hex.utf8)),
        ]
    }
}
