import APDU
import Crypto
import SwiftASN1
import X509

/// The X.509 certificate of a card's Card Authentication key (slot 9E), with its P-256 public key.
public struct CardAuthenticationCertificate: Sendable {
    /// The parsed certificate.
    public let certificate: Certificate
    /// The certificate's DER bytes as read from the card.
    public let der: [UInt8]
    /// The certificate's public key, always P-256.
    public let publicKey: P256.Signing.PublicKey

    /// ``KeyFingerprint`` of ``publicKey``.
    public var fingerprint: KeyFingerprint { KeyFingerprint(publicKey: publicKey) }
    /// The subject name, RFC 4514 style (`CN=…,O=…`).
    public var subject: String { certificate.subject.description }

    /// Parses a DER certificate and requires a P-256 key.
    public init(der: [UInt8]) throws(OperatorCardError) {
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: der)
        } catch {
            throw OperatorCardError(.malformedCertificate, "the Card Authentication certificate cannot be parsed as X.509 DER: \(error)")
        }
        guard let key = P256.Signing.PublicKey(certificate.publicKey) else {
            throw OperatorCardError(.certificateNotP256, "the Card Authentication certificate's key is \(certificate.publicKey), not ECC P-256; CardGate accepts only P-256 cards")
        }
        self.certificate = certificate
        self.der = der
        self.publicKey = key
    }

    /// Parses the value of the certificate object (the content of tag `53`): `70 L <DER> · 71 01 00 ·
    /// [FE 00]`. A compressed certificate (`71 01 01`) is refused.
    public init(object: [UInt8]) throws(OperatorCardError) {
        let objects: [TLV]
        do {
            objects = try TLV.decodeAll(object)
        } catch {
            throw OperatorCardError(.malformedResponse, "the certificate object is not well-formed BER-TLV: \(error.description)")
        }
        guard let cert = objects.first(tag: 0x70), !cert.value.isEmpty else {
            throw OperatorCardError(.malformedResponse, "the certificate object has no certificate (tag 70)")
        }
        if let info = objects.first(tag: 0x71), info.value.first.map({ $0 & 0x01 != 0 }) ?? false {
            throw OperatorCardError(.certificateCompressed, "the Card Authentication certificate is stored compressed (71 01 01); CardGate reads only uncompressed certificates")
        }
        try self.init(der: cert.value)
    }

    /// The certificate object value for `der`: `70 L <DER> · 71 01 00 · FE 00`.
    public static func objectValue(der: [UInt8]) -> [UInt8] {
        TLV(tag: 0x70, value: der).encoded() + TLV(tag: 0x71, value: [0x00]).encoded() + TLV(tag: 0xFE, value: []).encoded()
    }
}
