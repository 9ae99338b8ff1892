import APDU
import Crypto
import Foundation
import OperatorCard
import Testing
@testable import VirtualCard

@Suite struct PIVCardEmulatorTests {
    static let image = try! CardImage.create(guid: Array(repeating: 0xAB, count: 16))
    static let ok: [UInt8] = [0x90, 0x00]
    static let selectPIV: [UInt8] = [0x00, 0xA4, 0x04, 0x00, 0x09, 0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x00]
    static let template: [UInt8] = [
        0x61, 0x2F,
        0x4F, 0x06, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00,
        0x79, 0x07, 0x4F, 0x05, 0xA0, 0x00, 0x00, 0x03, 0x08,
        0x50, 0x14] + Array("CardGate virtual PIV".utf8) + [
        0xAC, 0x06, 0x80, 0x01, 0x11, 0x06, 0x01, 0x00,
    ]

    func selectedCard(_ faults: CardFaults = .none) -> PIVCardEmulator {
        let card = PIVCardEmulator(image: Self.image, faults: faults)
        card.reset()
        _ = card.process(Self.selectPIV)
        return card
    }

    func getData(_ tag: [UInt8], le: UInt8 = 0x00) -> [UInt8] {
        [0x00, 0xCB, 0x3F, 0xFF, UInt8(tag.count + 2), 0x5C, UInt8(tag.count)] + tag + [le]
    }

    func generalAuthenticate(challenge: [UInt8], p1: UInt8 = 0x11, p2: UInt8 = 0x9E) -> [UInt8] {
        let data = [0x7C, UInt8(challenge.count + 4), 0x82, 0x00, 0x81, UInt8(challenge.count)] + challenge
        return [0x00, 0x87, p1, p2, UInt8(data.count)] + data + [0x00]
    }

    @Test func atrIsT1WithCardGateHistoricalBytes() {
        let card = PIVCardEmulator(image: Self.image)
        #expect(card.atr == [0x3B, 0x88, 0x80, 0x01, 0x43, 0x61, 0x72, 0x64, 0x47, 0x61, 0x74, 0x65, 0x0A])
    }

    @Test(arguments: [
        [0xA0, 0x00, 0x00, 0x03, 0x08] as [UInt8],                                          // RID only (yubico-piv-tool)
        [0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00],                              // OpenSC
        [0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00],                  // with version
    ])
    func selectAcceptsAIDPrefixesAndAnswersTheTemplate(aid: [UInt8]) {
        let card = PIVCardEmulator(image: Self.image)
        #expect(card.process([0x00, 0xA4, 0x04, 0x00, UInt8(aid.count)] + aid + [0x00]) == Self.template + Self.ok)
    }

    @Test func selectRefusesOtherAIDsAndBadParameters() {
        let card = PIVCardEmulator(image: Self.image)
        #expect(card.process([0x00, 0xA4, 0x04, 0x00, 0x04, 0xA0, 0x00, 0x00, 0x03, 0x00]) == [0x6A, 0x82])
        #expect(card.process([0x00, 0xA4, 0x04, 0x00, 0x06, 0xA0, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00]) == [0x6A, 0x82])
        #expect(card.process([0x00, 0xA4, 0x04, 0x00, 0x0A, 0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x02, 0x00]) == [0x6A, 0x82])
        #expect(card.process([0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00]) == [0x6A, 0x86])
        #expect(card.process([0x00, 0xA4, 0x04, 0x0C, 0x05, 0xA0, 0x00, 0x00, 0x03, 0x08]) == Self.ok)
    }

    @Test func nothingButSelectWorksBeforeSelection() {
        let card = PIVCardEmulator(image: Self.image)
        #expect(card.process(getData([0x5F, 0xC1, 0x02])) == [0x6D, 0x00])
        #expect(card.process(generalAuthenticate(challenge: Array(repeating: 1, count: 32))) == [0x6D, 0x00])
    }

    @Test func resetDropsTheSelection() {
        let card = selectedCard()
        #expect(card.process(getData([0x5F, 0xC1, 0x02]))?.suffix(2) == [0x90, 0x00])
        card.reset()
        #expect(card.process(getData([0x5F, 0xC1, 0x02])) == [0x6D, 0x00])
    }

    @Test func getDataReturnsTheCHUID() {
        let card = selectedCard()
        let chuid = Self.image.identity.chuidValue
        #expect(card.process(getData([0x5F, 0xC1, 0x02])) == [0x53, UInt8(chuid.count)] + chuid + Self.ok)
        #expect(Array(chuid.prefix(2)) == [0x30, 0x19])
        #expect(Array(chuid[27..<29]) == [0x34, 0x10])
        #expect(Array(chuid[29..<45]) == Array(repeating: 0xAB, count: 16))
    }

    @Test(arguments: [
        [0x7E] as [UInt8],              // discovery object
        [0x5F, 0xC1, 0x07],             // CCC
        [0x5F, 0xC1, 0x0C],             // key history
        [0x5F, 0xC1, 0x05],             // PIV authentication certificate
        [0x5F, 0xC1, 0x0A], [0x5F, 0xC1, 0x0B], [0x5F, 0xFF, 0x01],
    ])
    func otherObjectsAreNotFound(tag: [UInt8]) {
        #expect(selectedCard().process(getData(tag)) == [0x6A, 0x82])
    }

    @Test func getDataRefusesBadParametersAndData() {
        let card = selectedCard()
        #expect(card.process([0x00, 0xCB, 0x3F, 0x00, 0x05, 0x5C, 0x03, 0x5F, 0xC1, 0x02, 0x00]) == [0x6A, 0x86])
        #expect(card.process([0x00, 0xCB, 0x3F, 0xFF, 0x05, 0x5D, 0x03, 0x5F, 0xC1, 0x02, 0x00]) == [0x6A, 0x80])
        #expect(card.process([0x00, 0xCB, 0x3F, 0xFF, 0x05, 0x5C, 0x05, 0x5F, 0xC1, 0x02, 0x00]) == [0x6A, 0x80])
        #expect(card.process([0x00, 0xCB, 0x3F, 0xFF, 0x02, 0x5C, 0x00, 0x00]) == [0x6A, 0x80])
    }

    @Test func longAnswersComeIn256ByteBlocksThroughGetResponse() throws {
        let card = selectedCard()
        let object = TLV(tag: 0x53, value: CardAuthenticationCertificate.objectValue(der: Self.image.certificateDER)).encoded()
        #expect(object.count > 256)
        let first = try #require(card.process(getData([0x5F, 0xC1, 0x01])))
        #expect(first.count == 258)
        let remaining = object.count - 256
        #expect(Array(first.suffix(2)) == [0x61, UInt8(min(remaining, 256) & 0xFF)])
        let second = try #require(card.process([0x00, 0xC0, 0x00, 0x00, UInt8(remaining)]))
        #expect(Array(first.dropLast(2)) + Array(second.dropLast(2)) == object)
        #expect(Array(second.suffix(2)) == Self.ok)
        // Nothing is left: another GET RESPONSE is refused.
        #expect(card.process([0x00, 0xC0, 0x00, 0x00, 0x00]) == [0x69, 0x85])
    }

    @Test func aShortLeGivesThatManyBytesAndTheRestLater() throws {
        let card = selectedCard()
        let chuidObject = TLV(tag: 0x53, value: Self.image.identity.chuidValue).encoded()
        let first = try #require(card.process(getData([0x5F, 0xC1, 0x02], le: 0x08)))
        #expect(first == Array(chuidObject.prefix(8)) + [0x61, UInt8(chuidObject.count - 8)])
        let rest = try #require(card.process([0x00, 0xC0, 0x00, 0x00, 0x00]))
        #expect(rest == Array(chuidObject.dropFirst(8)) + Self.ok)
    }

    @Test func anotherCommandDropsThePendingAnswer() {
        let card = selectedCard()
        _ = card.process(getData([0x5F, 0xC1, 0x01]))
        _ = card.process(getData([0x7E]))
        #expect(card.process([0x00, 0xC0, 0x00, 0x00, 0x00]) == [0x69, 0x85])
    }

    @Test func generalAuthenticateSignsTheChallengeAsADigest() throws {
        let card = selectedCard()
        let challenge = ChallengeDigest.random()
        let answer = try #require(card.process(generalAuthenticate(challenge: challenge.rawBytes)))
        #expect(Array(answer.suffix(2)) == Self.ok)
        let template = try TLV.decodeSingle(Array(answer.dropLast(2)))
        #expect(template.tag == 0x7C)
        let response = try #require(try template.children().first(tag: 0x82))
        let signature = try P256.Signing.ECDSASignature(derRepresentation: response.value)
        #expect(Self.image.publicKey.isValidSignature(signature, for: challenge))
    }

    @Test func aCloneSignsWithAnotherKey() throws {
        let card = selectedCard(CardFaults(clone: true))
        let challenge = ChallengeDigest.random()
        let answer = try #require(card.process(generalAuthenticate(challenge: challenge.rawBytes)))
        let response = try #require(try TLV.decodeSingle(Array(answer.dropLast(2))).children().first(tag: 0x82))
        let signature = try P256.Signing.ECDSASignature(derRepresentation: response.value)
        #expect(!Self.image.publicKey.isValidSignature(signature, for: challenge))
        #expect(card.process(getData([0x5F, 0xC1, 0x02])) == selectedCard().process(getData([0x5F, 0xC1, 0x02])))
    }

    @Test func generalAuthenticateRefusesOtherKeysAlgorithmsAndBadTemplates() {
        let card = selectedCard()
        let challenge = [UInt8](repeating: 7, count: 32)
        #expect(card.process(generalAuthenticate(challenge: challenge, p2: 0x9A)) == [0x6A, 0x86])
        #expect(card.process(generalAuthenticate(challenge: challenge, p1: 0x07)) == [0x6A, 0x86])
        #expect(card.process(generalAuthenticate(challenge: Array(challenge.prefix(31)))) == [0x6A, 0x80])
        #expect(card.process([0x00, 0x87, 0x11, 0x9E, 0x04, 0x7C, 0x02, 0x81, 0x00, 0x00]) == [0x6A, 0x80])
        #expect(card.process([0x00, 0x87, 0x11, 0x9E, 0x02, 0x7C, 0x05, 0x00]) == [0x6A, 0x80])
    }

    @Test func chainedCommandsAreJoined() throws {
        let card = selectedCard()
        let challenge = ChallengeDigest.random()
        let whole = generalAuthenticate(challenge: challenge.rawBytes)
        let data = Array(whole[5..<(whole.count - 1)])
        let firstBlock: [UInt8] = [0x10, 0x87, 0x11, 0x9E, 0x10] + data.prefix(16)
        let lastBlock: [UInt8] = [0x00, 0x87, 0x11, 0x9E, UInt8(data.count - 16)] + data.dropFirst(16) + [0x00]
        #expect(card.process(firstBlock) == Self.ok)
        let answer = try #require(card.process(lastBlock))
        let response = try #require(try TLV.decodeSingle(Array(answer.dropLast(2))).children().first(tag: 0x82))
        #expect(Self.image.publicKey.isValidSignature(try P256.Signing.ECDSASignature(derRepresentation: response.value), for: challenge))
    }

    @Test func unknownInstructionsClassesAndMalformedCommands() {
        let card = selectedCard()
        #expect(card.process([0x00, 0xFD, 0x00, 0x00, 0x00]) == [0x6D, 0x00])          // YubiKey GET VERSION
        #expect(card.process([0x00, 0x20, 0x00, 0x80]) == [0x6D, 0x00])                // VERIFY
        #expect(card.process([0x00, 0xCA, 0xDF, 0x30, 0x05]) == [0x6D, 0x00])          // GET DATA (ISO, CA)
        #expect(card.process([0x00, 0x47, 0x00, 0x9E, 0x05, 0xAC, 0x03, 0x80, 0x01, 0x11, 0x00]) == [0x6D, 0x00])
        #expect(card.process([0x80, 0xCB, 0x3F, 0xFF, 0x03, 0x5C, 0x01, 0x7E, 0x00]) == [0x6E, 0x00])
        #expect(card.process([0x00, 0xCB, 0x3F]) == [0x67, 0x00])
        #expect(card.process([0x00, 0xCB, 0x3F, 0xFF, 0x09, 0x5C]) == [0x67, 0x00])
    }

    @Test func aMuteCardNeverAnswers() {
        let card = PIVCardEmulator(image: Self.image, faults: CardFaults(mute: true))
        #expect(!card.atr.isEmpty)
        #expect(card.process(Self.selectPIV) == nil)
    }

    @Test func aSlowCardWaitsBeforeAnswering() {
        let card = PIVCardEmulator(image: Self.image, faults: CardFaults(delayMilliseconds: 150))
        let start = ContinuousClock.now
        #expect(card.process(Self.selectPIV) == Self.template + Self.ok)
        #expect(ContinuousClock.now - start >= .milliseconds(150))
    }

    @Test func theOperatorCardProfileReadsTheEmulatorThroughExchange() throws {
        let probe = try PIVCard(channel: EmulatorChannel(card: PIVCardEmulator(image: Self.image))).probe()
        #expect(probe.identity == Self.image.identity)
        #expect(probe.authenticity == .genuine)
    }
}
