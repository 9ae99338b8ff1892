import APDU
import Crypto
import Testing
import VirtualCard
@testable import OperatorCard

/// The PIV profile against the in-process virtual card.
@Suite struct PIVCardTests {
    static let image = try! CardImage.create(guid: Array(0x10..<0x20))

    func card(_ faults: CardFaults = .none) -> PIVCard {
        PIVCard(channel: EmulatorChannel(card: PIVCardEmulator(image: Self.image, faults: faults)))
    }

    @Test func readsTheIdentityFromTheCHUID() throws {
        let card = card()
        let template = try card.selectApplication()
        #expect(try TLV.decodeAll(template).first(tag: 0x4F)?.value == [0x00, 0x00, 0x10, 0x00, 0x01, 0x00])
        let identity = try card.readIdentity()
        #expect(identity == Self.image.identity)
        #expect(identity.guid.hex == "101112131415161718191a1b1c1d1e1f")
        #expect(identity.fascnFields != nil)
    }

    @Test func readsTheCardAuthenticationCertificateAndItsKey() throws {
        let card = card()
        try card.selectApplication()
        let certificate = try card.readCardAuthenticationCertificate()
        #expect(certificate.der == Self.image.certificateDER)
        #expect(certificate.der.count > 256, "the certificate should need GET RESPONSE to be read")
        #expect(certificate.publicKey.derRepresentation == Self.image.publicKey.derRepresentation)
        #expect(certificate.fingerprint == Self.image.fingerprint)
        #expect(certificate.subject.contains("CardGate virtual card 10111213"))
    }

    @Test func aGenuineCardIsVerified() throws {
        let card = card()
        try card.selectApplication()
        #expect(try card.authenticate(publicKey: Self.image.publicKey) == .genuine)
    }

    @Test func aClonedCardIsRefused() throws {
        let card = card(CardFaults(clone: true))
        try card.selectApplication()
        // A clone shows the same identity and certificate …
        #expect(try card.readIdentity() == Self.image.identity)
        #expect(try card.readCardAuthenticationCertificate().der == Self.image.certificateDER)
        // … but cannot sign with the key in it.
        let result = try card.authenticate(publicKey: Self.image.publicKey)
        #expect(result == .notGenuine(.signatureDoesNotVerify))
        #expect(!result.isGenuine)
    }

    @Test func aCardWithAnotherKeyThanThePinnedOneIsNotGenuine() throws {
        let card = card()
        try card.selectApplication()
        #expect(try card.authenticate(publicKey: P256.Signing.PrivateKey().publicKey) == .notGenuine(.signatureDoesNotVerify))
    }

    @Test func eachChallengeIsFresh() throws {
        let a = ChallengeDigest.random(), b = ChallengeDigest.random()
        #expect(a.rawBytes != b.rawBytes)
        #expect(a.rawBytes.count == 32)
    }

    @Test func probeGathersEverything() throws {
        let probe = try card().probe()
        #expect(probe.identity.guid.bytes == Array(0x10..<0x20))
        #expect(probe.authenticity == .genuine)
        #expect(probe.fingerprint == Self.image.fingerprint)
        let clone = try card(CardFaults(clone: true)).probe()
        #expect(clone.authenticity == .notGenuine(.signatureDoesNotVerify))
    }

    @Test func aMuteCardIsATransportError() {
        #expect {
            try card(CardFaults(mute: true)).selectApplication()
        } throws: { ($0 as? OperatorCardError)?.code == .transport }
    }
}
