import APDU
import Crypto
import SwiftASN1
import Testing
import TestSupport
import VirtualCard
import X509
@testable import OperatorCard

/// Every malformed answer a card can give is a typed error.
@Suite struct MalformedCardTests {
    static let ok: [UInt8] = [0x90, 0x00]
    static let image = try! CardImage.create()

    func expectError(_ code: OperatorCardError.Code, statusWord: StatusWord? = nil,
                     _ answers: [[UInt8]?], _ action: (PIVCard) throws -> Void,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        let channel = ScriptedChannel(answers.map { (expect: nil, answer: $0) })
        do {
            try action(PIVCard(channel: channel))
            Issue.record("no error; expected \(code)", sourceLocation: sourceLocation)
        } catch let error as OperatorCardError {
            #expect(error.code == code, "\(error.description)", sourceLocation: sourceLocation)
            if let statusWord { #expect(error.statusWord == statusWord, sourceLocation: sourceLocation) }
            #expect(!error.description.isEmpty, sourceLocation: sourceLocation)
        } catch {
            Issue.record("untyped error \(error)", sourceLocation: sourceLocation)
        }
    }

    static func object(_ value: [UInt8]) -> [UInt8] { TLV(tag: 0x53, value: value).encoded() + ok }
    static func certificate(_ der: [UInt8], info: [UInt8] = [0x00]) -> [UInt8] {
        object(TLV(tag: 0x70, value: der).encoded() + TLV(tag: 0x71, value: info).encoded() + [0xFE, 0x00])
    }
    static func signature(_ bytes: [UInt8]) -> [UInt8] {
        TLV(tag: 0x7C, children: [TLV(tag: 0x82, value: bytes)]).encoded() + ok
    }

    // MARK: SELECT

    @Test func selectNotFoundIsApplicationNotFound() {
        expectError(.applicationNotFound, statusWord: .notFound, [[0x6A, 0x82]]) { try $0.selectApplication() }
    }

    @Test func selectOtherErrorIsApplicationNotFound() {
        expectError(.applicationNotFound, statusWord: .classNotSupported, [[0x6E, 0x00]]) { try $0.selectApplication() }
    }

    @Test func selectAnswerThatIsNotATemplateIsMalformed() {
        expectError(.malformedResponse, [[0x4F, 0x01, 0x00] + Self.ok]) { try $0.selectApplication() }
        expectError(.malformedResponse, [[0x61, 0x05, 0x4F] + Self.ok]) { try $0.selectApplication() }
    }

    @Test func aOneByteAnswerIsMalformed() {
        expectError(.malformedResponse, [[0x90]]) { try $0.selectApplication() }
    }

    @Test func anEmptyAnswerIsMalformed() {
        expectError(.malformedResponse, [[]]) { try $0.selectApplication() }
    }

    @Test func aTransportFailureIsTransport() {
        expectError(.transport, [nil]) { _ = try $0.readIdentity() }
    }

    // MARK: GET DATA

    @Test func missingCHUIDIsObjectMissing() {
        expectError(.objectMissing, statusWord: .notFound, [[0x6A, 0x82]]) { _ = try $0.readIdentity() }
    }

    @Test func refusedGetDataIsUnexpectedStatus() {
        expectError(.unexpectedStatus, statusWord: .securityStatusNotSatisfied, [[0x69, 0x82]]) { _ = try $0.readIdentity() }
    }

    @Test func objectNotWrappedIn53IsMalformed() {
        expectError(.malformedResponse, [TLV(tag: 0x54, value: [0x00]).encoded() + Self.ok]) { _ = try $0.readIdentity() }
    }

    @Test func truncatedObjectIsMalformed() {
        expectError(.malformedResponse, [[0x53, 0x82, 0x01, 0x00, 0x30] + Self.ok]) { _ = try $0.readIdentity() }
    }

    @Test func emptyObjectDataIsMalformed() {
        expectError(.malformedResponse, [Self.ok]) { _ = try $0.readIdentity() }
    }

    @Test func trailingGarbageAfterTheObjectIsMalformed() {
        expectError(.malformedResponse, [[0x53, 0x00, 0x00] + Self.ok]) { _ = try $0.readIdentity() }
    }

    @Test func chuidWithShortGUIDIsMalformedCHUID() {
        let chuid = TLV(tag: 0x30, value: [UInt8](repeating: 0, count: 25)).encoded()
            + TLV(tag: 0x34, value: [1, 2, 3]).encoded() + TLV(tag: 0x35, value: Array("20301231".utf8)).encoded()
        expectError(.malformedCHUID, [Self.object(chuid)]) { _ = try $0.readIdentity() }
    }

    // MARK: Certificate

    @Test func certificateObjectWithoutTag70IsMalformed() {
        expectError(.malformedResponse, [Self.object([0x71, 0x01, 0x00, 0xFE, 0x00])]) { _ = try $0.readCardAuthenticationCertificate() }
    }

    @Test func garbageDERIsMalformedCertificate() {
        expectError(.malformedCertificate, [Self.certificate([0x30, 0x03, 0x02, 0x01, 0x01])]) { _ = try $0.readCardAuthenticationCertificate() }
    }

    @Test func compressedCertificateIsRefused() {
        expectError(.certificateCompressed, [Self.certificate(Self.image.certificateDER, info: [0x01])]) { _ = try $0.readCardAuthenticationCertificate() }
    }

    @Test func certificateWithAP384KeyIsNotP256() throws {
        let key = P384.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("not P-256") }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: .now, notValidAfter: .now.addingTimeInterval(3600), issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA384, extensions: .init(), issuerPrivateKey: .init(key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        expectError(.certificateNotP256, [Self.certificate(serializer.serializedBytes)]) { _ = try $0.readCardAuthenticationCertificate() }
    }

    @Test func goodCertificateObjectParses() throws {
        let channel = ScriptedChannel([(nil, Self.certificate(Self.image.certificateDER))])
        let certificate = try PIVCard(channel: channel).readCardAuthenticationCertificate()
        #expect(certificate.fingerprint == Self.image.fingerprint)
        #expect(channel.sent == [[0x00, 0xCB, 0x3F, 0xFF, 0x05, 0x5C, 0x03, 0x5F, 0xC1, 0x01, 0x00]])
    }

    // MARK: GENERAL AUTHENTICATE

    @Test func refusedSignatureIsUnexpectedStatus() {
        expectError(.unexpectedStatus, statusWord: .securityStatusNotSatisfied, [[0x69, 0x82]]) {
            _ = try $0.authenticate(publicKey: Self.image.publicKey)
        }
    }

    @Test func garbageSignatureIsMalformedSignature() {
        expectError(.malformedSignature, [Self.signature([0x30, 0x02, 0xFF, 0xFF])]) {
            _ = try $0.authenticate(publicKey: Self.image.publicKey)
        }
        expectError(.malformedSignature, [Self.signature([])]) {
            _ = try $0.authenticate(publicKey: Self.image.publicKey)
        }
    }

    @Test func answerWithoutResponseTag82IsMalformed() {
        expectError(.malformedResponse, [TLV(tag: 0x7C, children: [TLV(tag: 0x81, value: [1])]).encoded() + Self.ok]) {
            _ = try $0.authenticate(publicKey: Self.image.publicKey)
        }
    }

    @Test func answerNotInTemplate7CIsMalformed() {
        expectError(.malformedResponse, [TLV(tag: 0x82, value: [1]).encoded() + Self.ok]) {
            _ = try $0.authenticate(publicKey: Self.image.publicKey)
        }
        expectError(.malformedResponse, [[0x7C, 0x05, 0x82, 0x09] + Self.ok]) {
            _ = try $0.authenticate(publicKey: Self.image.publicKey)
        }
    }

    @Test func theChallengeCommandIsThePIVGeneralAuthenticate() throws {
        let channel = ScriptedChannel([(nil, Self.signature([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]))])
        #expect(try PIVCard(channel: channel).authenticate(publicKey: Self.image.publicKey) == .notGenuine(.signatureDoesNotVerify))
        let sent = try #require(channel.sent.first)
        #expect(Array(sent.prefix(9)) == [0x00, 0x87, 0x11, 0x9E, 0x26, 0x7C, 0x24, 0x82, 0x00])
        #expect(Array(sent[9..<11]) == [0x81, 0x20])
        #expect(sent.count == 5 + 0x26 + 1 && sent.last == 0x00)
    }
}
