import APDU
import Foundation
import Testing
@testable import OperatorCard

@Suite struct CardIdentityTests {
    static let fascn = [UInt8](repeating: 0xD4, count: 25)
    static let guid: [UInt8] = (0..<16).map { UInt8($0) }

    /// `30 19 FASC-N · 34 10 GUID · 35 08 "20301231" · 3E 00 · FE 00`.
    static let chuid: [UInt8] = [0x30, 0x19] + fascn + [0x34, 0x10] + guid
        + [0x35, 0x08, 0x32, 0x30, 0x33, 0x30, 0x31, 0x32, 0x33, 0x31, 0x3E, 0x00, 0xFE, 0x00]

    @Test func parsesAWellFormedCHUID() throws {
        let identity = try CardIdentity(chuid: Self.chuid)
        #expect(identity.guid.bytes == Self.guid)
        #expect(identity.guid.hex == "000102030405060708090a0b0c0d0e0f")
        #expect(identity.fascn == Self.fascn)
        #expect(identity.expiry == "20301231")
        #expect(identity.chuidValue == Self.chuid)
    }

    @Test func skipsUnknownTagsBeforeTheGUID() throws {
        // Organisational identifier (32) and DUNS (33) may sit between FASC-N and GUID.
        let chuid = Array(Self.chuid.prefix(27)) + [0x32, 0x04, 0x31, 0x32, 0x33, 0x34, 0x33, 0x00] + Array(Self.chuid.dropFirst(27))
        #expect(try CardIdentity(chuid: chuid).guid.bytes == Self.guid)
    }

    static func replacing(_ tag: UInt8, with bytes: [UInt8]?) -> [UInt8] {
        var objects = try! TLV.decodeAll(chuid)
        let i = objects.firstIndex { $0.tag == UInt32(tag) }!
        if let bytes { objects[i].value = bytes } else { objects.remove(at: i) }
        return objects.flatMap { $0.encoded() }
    }

    @Test(arguments: [
        ("no FASC-N", replacing(0x30, with: nil)),
        ("short FASC-N", replacing(0x30, with: [UInt8](repeating: 0, count: 24))),
        ("no GUID", replacing(0x34, with: nil)),
        ("long GUID", replacing(0x34, with: [UInt8](repeating: 0, count: 17))),
        ("no expiry", replacing(0x35, with: nil)),
        ("expiry not digits", replacing(0x35, with: Array("2030-1-1".utf8))),
        ("expiry month 13", replacing(0x35, with: Array("20301301".utf8))),
        ("truncated TLV", Array(chuid.prefix(30))),
        ("length overflow", [0x30, 0x82, 0x10, 0x00, 0x00]),
    ])
    func malformedCHUIDIsATypedError(name: String, chuid: [UInt8]) {
        #expect(throws: OperatorCardError.self, "\(name)") { _ = try CardIdentity(chuid: chuid) }
        do {
            _ = try CardIdentity(chuid: chuid)
        } catch {
            #expect(error.code == .malformedCHUID, "\(name)")
        }
    }
}

@Suite struct KeyFingerprintTests {
    @Test func isSHA256OfTheSubjectPublicKeyInfoInLowerCaseHex() {
        // SHA-256 of the empty input, as a fixed vector for the hashing and the hex form.
        let empty = KeyFingerprint(subjectPublicKeyInfo: [])
        #expect(empty.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(KeyFingerprint(hex: empty.hex.uppercased()) == empty)
        #expect(KeyFingerprint(hex: "abc") == nil)
        #expect(empty.matches(empty))
        #expect(!empty.matches(KeyFingerprint(subjectPublicKeyInfo: [0])))
    }

    @Test func encodesAsAPlainJSONString() throws {
        let fingerprint = KeyFingerprint(subjectPublicKeyInfo: [])
        let json = String(decoding: try JSONEncoder().encode([fingerprint]), as: UTF8.self)
        #expect(json == #"["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]"#)
        #expect(try JSONDecoder().decode([KeyFingerprint].self, from: Data(json.utf8)) == [fingerprint])
        #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode([KeyFingerprint].self, from: Data(#"["abc"]"#.utf8)) }
    }
}
