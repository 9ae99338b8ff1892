import APDU
import Crypto
import Foundation
import OperatorCard
import Testing
@testable import VirtualCard

@Suite struct CardImageTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vcard-\(UUID().uuidString).json").path
    }

    @Test func createMakesAConsistentCard() throws {
        let image = try CardImage.create(guid: Array(0..<16))
        #expect(image.identity.guid.hex == "000102030405060708090a0b0c0d0e0f")
        #expect(image.identity.fascnFields != nil)
        #expect(image.identity.expiry.count == 8)
        let certificate = try CardAuthenticationCertificate(der: image.certificateDER)
        #expect(certificate.publicKey.derRepresentation == image.publicKey.derRepresentation)
        #expect(certificate.fingerprint == image.fingerprint)
    }

    @Test func twoNewCardsDiffer() throws {
        let a = try CardImage.create(), b = try CardImage.create()
        #expect(a.identity.guid != b.identity.guid)
        #expect(a.identity.fascn != b.identity.fascn)
        #expect(a.fingerprint != b.fingerprint)
    }

    @Test func aGUIDOfTheWrongLengthIsRefused() {
        #expect { _ = try CardImage.create(guid: [1, 2, 3]) } throws: { ($0 as? CardImage.Error)?.code == .invalidGUID }
    }

    @Test func savesWithMode0600AndLoadsBack() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let image = try CardImage.create()
        try image.save(path: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let back = try CardImage.load(path: path)
        #expect(back.identity == image.identity)
        #expect(back.certificateDER == image.certificateDER)
        #expect(back.privateKey.rawRepresentation == image.privateKey.rawRepresentation)
    }

    @Test func neverOverwrites() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try CardImage.create().save(path: path)
        #expect { try CardImage.create().save(path: path) } throws: { ($0 as? CardImage.Error)?.code == .file }
    }

    @Test func refusesAFileOthersCanRead() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try CardImage.create().save(path: path)
        chmod(path, 0o644)
        #expect { _ = try CardImage.load(path: path) } throws: { ($0 as? CardImage.Error)?.code == .file }
    }

    @Test func refusesMalformedJSON() throws {
        let good = String(decoding: try CardImage.create().jsonBytes(), as: UTF8.self)
        #expect { _ = try CardImage(jsonBytes: Array("{}".utf8)) } throws: { ($0 as? CardImage.Error)?.code == .malformed }
        #expect { _ = try CardImage(jsonBytes: Array("not json".utf8)) } throws: { ($0 as? CardImage.Error)?.code == .malformed }
        let badGUID = good.replacingOccurrences(of: #""guid" : ""#, with: #""guid" : "zz"#)
        #expect { _ = try CardImage(jsonBytes: Array(badGUID.utf8)) } throws: { ($0 as? CardImage.Error)?.code == .invalidGUID }
    }

    @Test func refusesACertificateThatDoesNotMatchTheKey() throws {
        let image = try CardImage.create()
        #expect {
            _ = try CardImage(identity: image.identity, certificateDER: image.certificateDER, privateKey: P256.Signing.PrivateKey())
        } throws: { ($0 as? CardImage.Error)?.code == .inconsistent }
    }
}
