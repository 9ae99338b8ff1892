import Vocabulary
import APDU
import Crypto
import Foundation
import OperatorCard
import Secrets
import SwiftASN1
import X509

/// Everything a virtual PIV card holds: CHUID fields, the Card Authentication certificate and its private
/// key. Stored as a JSON file with mode 0600 (it holds a private key); a file others can read is refused.
///
/// ```json
/// {"format":"cardgate-vcard-1","guid":"…32 hex…","fascn":"…50 hex…","expiry":"20311126",
///  "certificate":"<base64 DER>","privateKey":"<base64 raw P-256 scalar>"}
/// ```
public struct CardImage: Sendable {
    /// The CHUID fields.
    public let identity: CardIdentity
    /// The Card Authentication certificate (self-signed, P-256).
    public let certificateDER: [UInt8]
    /// The Card Authentication private key (slot 9E).
    public let privateKey: P256.Signing.PrivateKey

    /// The format tag written in the file.
    public static let format = "cardgate-vcard-1"

    /// Why a card image could not be made, read or written.
    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        /// What went wrong, for a program to switch on.
        public enum Code: String, Sendable { case invalidGUID, file, malformed, inconsistent, certificate }
        /// The code.
        public let code: Code
        /// A message a person can act on.
        public let description: String
    }

    /// Assembles an image from parts, checking that the certificate is P-256 and matches the key.
    public init(identity: CardIdentity, certificateDER: [UInt8], privateKey: P256.Signing.PrivateKey) throws(Error) {
        let certificate: CardAuthenticationCertificate
        do {
            certificate = try CardAuthenticationCertificate(der: certificateDER)
        } catch {
            throw Error(code: .inconsistent, description: "the card image's certificate is unusable: \(error.description)")
        }
        guard certificate.publicKey.derRepresentation == privateKey.publicKey.derRepresentation else {
            throw Error(code: .inconsistent, description: "the card image's certificate does not match its private key")
        }
        guard identity.fascn.count == 25, identity.expiry.count == 8 else {
            throw Error(code: .inconsistent, description: "the card image's GUID, FASC-N or expiry has the wrong length")
        }
        self.identity = identity
        self.certificateDER = certificateDER
        self.privateKey = privateKey
    }

    /// Makes a new card: the given or a random GUID, a random FASC-N, a new P-256 key and a self-signed
    /// certificate valid for `years` from `now`; the CHUID expiry is the certificate's last day.
    public static func create(guid: [UInt8]? = nil, now: Date = Date(), years: Int = 5) throws(Error) -> CardImage {
        var rng = SystemRandomNumberGenerator()
        let bytes = guid ?? (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        guard let guid = CardGUID(bytes: bytes) else {
            throw Error(code: .invalidGUID, description: "a GUID is 16 bytes (32 hex digits), not \(bytes.count)")
        }
        let digits = { (n: Int) in String((0..<n).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) }) }
        let fascn = FASCN(agency: digits(4), system: digits(4), credential: digits(6), series: "0", issue: "1",
                          person: digits(10), category: "1", organisation: digits(4), association: "1")!
        let key = P256.Signing.PrivateKey()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let notAfter = calendar.date(byAdding: .year, value: years, to: now)!
        let parts = calendar.dateComponents([.year, .month, .day], from: notAfter)
        let expiry = String(format: "%04d%02d%02d", parts.year!, parts.month!, parts.day!)
        let der: [UInt8]
        do {
            let name = try DistinguishedName {
                OrganizationName("CardGate")
                CommonName("CardGate virtual card \(guid.hex.prefix(8))")
            }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
            }
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now.addingTimeInterval(-3600),
                notValidAfter: notAfter,
                issuer: name,
                subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: Certificate.PrivateKey(key))
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            der = serializer.serializedBytes
        } catch {
            throw Error(code: .certificate, description: "the self-signed certificate could not be made: \(error)")
        }
        return try CardImage(identity: CardIdentity(guid: guid, fascn: fascn.bytes, expiry: expiry),
                             certificateDER: der, privateKey: key)
    }

    private struct File: Codable {
        var format: String
        var guid: String
        var fascn: String
        var expiry: String
        var certificate: String
        var privateKey: String
    }

    /// The JSON encoding of the image.
    public func jsonBytes() -> [UInt8] {
        let file = File(format: Self.format, guid: identity.guid.hex, fascn: identity.fascnHex, expiry: identity.expiry,
                        certificate: Data(certificateDER).base64EncodedString(),
                        privateKey: privateKey.rawRepresentation.base64EncodedString())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return [UInt8]((try? encoder.encode(file)) ?? Data()) + [0x0A]
    }

    /// Parses the JSON encoding of an image and checks it for consistency.
    public init(jsonBytes: [UInt8]) throws(Error) {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(jsonBytes))
        } catch {
            throw Error(code: .malformed, description: "the card image is not valid JSON with guid, fascn, expiry, certificate and privateKey: \(error)")
        }
        guard file.format == Self.format else {
            throw Error(code: .malformed, description: "the card image format is \(file.format), expected \(Self.format)")
        }
        guard let guid = CardGUID(hex: file.guid), Hex.isLowerHex(file.guid.lowercased(), count: 32) else {
            throw Error(code: .invalidGUID, description: "the card image's guid is not 32 hex digits")
        }
        guard let fascn = Hex.decode(file.fascn), fascn.count == 25 else {
            throw Error(code: .malformed, description: "the card image's fascn is not 50 hex digits")
        }
        guard file.expiry.count == 8, file.expiry.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw Error(code: .malformed, description: "the card image's expiry is not YYYYMMDD")
        }
        guard let der = Data(base64Encoded: file.certificate), let raw = Data(base64Encoded: file.privateKey) else {
            throw Error(code: .malformed, description: "the card image's certificate or privateKey is not base64")
        }
        let key: P256.Signing.PrivateKey
        do {
            key = try P256.Signing.PrivateKey(rawRepresentation: raw)
        } catch {
            throw Error(code: .malformed, description: "the card image's privateKey is not a P-256 private key")
        }
        try self.init(identity: CardIdentity(guid: guid, fascn: fascn, expiry: file.expiry),
                      certificateDER: [UInt8](der), privateKey: key)
    }

    /// Reads an image file; refuses a file that is not mode 0600 (or stricter) or not a regular file.
    public static func load(path: String) throws(Error) -> CardImage {
        let bytes: [UInt8]
        do {
            bytes = try SecretFile.read(path)
        } catch {
            throw Error(code: .file, description: "card image \(path): \(error.description)")
        }
        return try CardImage(jsonBytes: bytes)
    }

    /// Writes the image to a new file with mode 0600; refuses to overwrite an existing file.
    public func save(path: String) throws(Error) {
        do {
            try SecretFile.create(path, bytes: jsonBytes())
        } catch {
            throw Error(code: .file, description: "card image \(path): \(error.description)")
        }
    }

    /// The public key in slot 9E.
    public var publicKey: P256.Signing.PublicKey { privateKey.publicKey }
    /// ``KeyFingerprint`` of the 9E public key.
    public var fingerprint: KeyFingerprint { KeyFingerprint(publicKey: publicKey) }
}
