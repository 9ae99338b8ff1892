import Credentials
import Crypto
import Foundation
import GRDB
import Testing
import Vocabulary
@testable import Registry

@Suite struct CardServiceTests {
    @Test func issuePinsTheKeyAndAsksForAPINChange() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "op1", name: "操作 一郎"), by: "admin")
        var binding = Fixture.newCard()
        binding.fascn = Array(repeating: 0x11, count: 25)
        let card = try f.registry.cards.issue(binding, to: "op1", initialPIN: PIN("7391046"), by: "admin")
        #expect(card.status == .issued)
        #expect(card.operatorId == "op1")
        #expect(card.fascn == String(repeating: "11", count: 25))
        #expect(card.key.der == binding.publicKeyDER)
        #expect(card.key.fingerprint == SHA256.hash(data: binding.publicKeyDER).map { String(format: "%02x", $0) }.joined())
        #expect(card.expiresAt == f.clock.now.addingTimeInterval(5 * 365 * 86_400))
        #expect(try f.registry.pins.status(card: binding.guid).mustChange)
        #expect(try f.registry.pins.verify(card: binding.guid, pin: PIN("7391046")) == .accepted(mustChange: true))
    }

    @Test func aCardAlreadyBoundToSomeoneIsRefused() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        try f.registry.operators.add(NewOperator(id: "op2", name: "操作 二郎"), by: "admin")
        let refused = registryError { try f.registry.cards.issue(card, to: "op2", initialPIN: PIN("504918"), by: "admin") }
        #expect(refused?.code == .cardAlreadyBound)
        #expect(refused?.description.contains("op1") == true)
        #expect(try f.registry.cards.show(card.guid).operatorId == "op1")
        #expect(try f.registry.cards.list(operatorId: "op2").isEmpty)
    }

    @Test func aRevokedCardPresentedAgainIsRefusedWithItsReasonAndDate() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        try f.registry.cards.revoke(card.guid, reason: .lost, by: "admin")
        let refused = registryError { try f.registry.cards.issue(card, to: "op1", initialPIN: PIN("504918"), by: "admin") }
        #expect(refused?.code == .cardRevoked)
        #expect(refused?.description == "card \(card.guid.short) is revoked (lost, \(RegistryFormat.day(f.clock.now))) and cannot be issued again; give the holder a new card")
        try f.registry.cards.collect(card.guid, by: "admin")
        try f.registry.cards.destroy(card.guid, by: "admin")
        #expect(registryError { try f.registry.cards.issue(card, to: "op1", initialPIN: PIN("504918"), by: "admin") }?.code == .cardRevoked)
    }

    @Test func aCloneWithAnotherGUIDButThePinnedKeyIsRefused() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        var clone = Fixture.newCard()
        clone.publicKeyDER = card.publicKeyDER
        let refused = registryError { try f.registry.cards.issue(clone, to: "op1", initialPIN: PIN("504918"), by: "admin") }
        #expect(refused?.code == .keyAlreadyPinned)
        #expect(registryError { _ = try f.registry.cards.show(clone.guid) }?.code == .unknownCard)
    }

    @Test func issueRefusesUnknownOrDisabledOperatorsWeakPINsBadKeysAndPastExpiry() throws {
        let f = try Fixture()
        #expect(registryError { try f.registry.cards.issue(Fixture.newCard(), to: "ghost", initialPIN: PIN("504918"), by: "admin") }?.code == .unknownOperator)
        try f.registry.operators.add(NewOperator(id: "op1", name: "操作 一郎"), by: "admin")
        let weak = registryError { try f.registry.cards.issue(Fixture.newCard(), to: "op1", initialPIN: PIN("123456"), by: "admin") }
        #expect(weak?.code == .credentials)
        #expect(weak?.credentialsError?.code == .pinBlocklisted)
        #expect(weak?.description.contains("123456") == false)
        var bad = Fixture.newCard()
        bad.publicKeyDER = Array(bad.publicKeyDER.dropLast())
        #expect(registryError { try f.registry.cards.issue(bad, to: "op1", initialPIN: PIN("504918"), by: "admin") }?.code == .invalidInput)
        #expect(registryError { try f.registry.cards.issue(Fixture.newCard(), to: "op1", initialPIN: PIN("504918"), expiresAt: f.clock.now, by: "admin") }?.code == .invalidInput)
        try f.registry.operators.disable("op1", by: "admin")
        #expect(registryError { try f.registry.cards.issue(Fixture.newCard(), to: "op1", initialPIN: PIN("504918"), by: "admin") }?.code == .operatorNotActive)
        #expect(try f.registry.cards.list().count == 1)
    }

    @Test func theWholeLifecycleInOrder() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        try f.registry.pins.change(card: card.guid, current: PIN("7391046"), new: PIN("90817263"))
        #expect(try f.registry.cards.show(card.guid).status == .active)
        #expect(try f.registry.cards.suspend(card.guid, by: "admin").status == .suspended)
        #expect(registryError { _ = try f.registry.pins.verify(card: card.guid, pin: PIN("90817263")) }?.code == .cardNotUsable)
        #expect(try f.registry.cards.resume(card.guid, by: "admin").status == .active)
        let revoked = try f.registry.cards.revoke(card.guid, reason: .transfer, by: "admin")
        #expect(revoked.status == .revoked)
        #expect(revoked.revocationReason == .transfer)
        #expect(revoked.revokedAt == f.clock.now)
        #expect(try f.registry.cards.collect(card.guid, by: "admin").status == .collected)
        #expect(try f.registry.cards.destroy(card.guid, by: "admin").status == .destroyed)
        let refused = registryError { _ = try f.registry.pins.verify(card: card.guid, pin: PIN("90817263")) }
        #expect(refused?.code == .cardRevoked)
        #expect(refused?.description.contains("destroyed (transfer, ") == true)
    }

    @Test func illegalMovesAreRefusedAndChangeNothing() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        #expect(registryError { try f.registry.cards.collect(card.guid, by: "admin") }?.code == .illegalTransition)
        #expect(registryError { try f.registry.cards.destroy(card.guid, by: "admin") }?.code == .illegalTransition)
        #expect(registryError { try f.registry.cards.unblock(card.guid, by: "admin") }?.code == .illegalTransition)
        #expect(registryError { try f.registry.cards.resume(card.guid, by: "admin") }?.code == .illegalTransition)
        try f.registry.cards.revoke(card.guid, reason: .damaged, by: "admin")
        let again = registryError { try f.registry.cards.revoke(card.guid, reason: .lost, by: "admin") }
        #expect(again?.code == .illegalTransition)
        #expect(again?.description.contains("revoked (damaged, ") == true)
        #expect(registryError { try f.registry.cards.suspend(card.guid, by: "admin") }?.code == .illegalTransition)
        #expect(registryError { try f.registry.cards.resetPIN(card.guid, newPIN: PIN("504918"), by: "admin") }?.code == .cardRevoked)
        #expect(registryError { try f.registry.cards.destroy(card.guid, by: "admin") }?.code == .illegalTransition)
        let shown = try f.registry.cards.show(card.guid)
        #expect(shown.status == .revoked)
        #expect(shown.revocationReason == .damaged)
        #expect(registryError { try f.registry.cards.revoke(try CardGUID(validating: String(repeating: "ab", count: 16)), reason: .lost, by: "admin") }?.code == .unknownCard)
    }

    @Test func theTransitionTableMatchesTheLifecycle() {
        #expect(CardStatus.issued.canMove(to: .active))
        #expect(CardStatus.active.canMove(to: .blocked))
        #expect(CardStatus.active.canMove(to: .suspended))
        #expect(CardStatus.blocked.canMove(to: .revoked))
        #expect(CardStatus.revoked.canMove(to: .collected))
        #expect(CardStatus.collected.canMove(to: .destroyed))
        #expect(!CardStatus.active.canMove(to: .issued))
        #expect(!CardStatus.revoked.canMove(to: .active))
        #expect(!CardStatus.collected.canMove(to: .revoked))
        #expect(!CardStatus.active.canMove(to: .destroyed))
        for status in CardStatus.allCases {
            #expect(!CardStatus.destroyed.canMove(to: status))
            #expect(!status.canMove(to: status))
        }
    }

    @Test func theDatabaseItselfRefusesAnIllegalStatusChangeAndDeletion() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        let queue = try DatabaseQueue(path: f.path)
        #expect(throws: DatabaseError.self) {
            try queue.write { try $0.execute(sql: "UPDATE card SET status = 'destroyed' WHERE guid = ?", arguments: [card.guid.hex]) }
        }
        #expect(throws: DatabaseError.self) {
            try queue.write { try $0.execute(sql: "DELETE FROM card WHERE guid = ?", arguments: [card.guid.hex]) }
        }
        #expect(throws: DatabaseError.self) {
            try queue.write { try $0.execute(sql: "UPDATE card SET operatorId = 'admin' WHERE guid = ?", arguments: [card.guid.hex]) }
        }
        #expect(try f.registry.cards.show(card.guid).status == .issued)
    }

    @Test func guidsParseFromHexAndBytes() throws {
        let guid = try CardGUID(validating: "3F2A9C01-0000-4000-8000-00000000ABCD")
        #expect(guid.hex == "3f2a9c0100004000800000000000abcd")
        #expect(guid.short == "3f2a9c01…")
        #expect(try CardGUID(validatingBytes: Array(0..<16)).hex == "000102030405060708090a0b0c0d0e0f")
        #expect(throws: RegistryError.self) { try CardGUID(validating: "3f2a") }
        #expect(throws: RegistryError.self) { try CardGUID(validating: String(repeating: "g", count: 32)) }
        #expect(throws: RegistryError.self) { try CardGUID(validatingBytes: Array(0..<15)) }
    }

    @Test func theFingerprintIsTheSHA256OfTheSubjectPublicKeyInfo() throws {
        // Key made with `openssl ecparam -name prime256v1 -genkey | openssl ec -pubout -outform DER`,
        // fingerprint with `sha256sum`.
        let der = hexBytes("3059301306072a8648ce3d020106082a8648ce3d030107034200046964812bb5e23130f94675ba028464a6f581361142ac30fd34d18ab6f14bdf8ed44513b9aa090da264c77519bff1a37b2ab42480efc807bf72533302765eb255")
        let key = try PinnedKey(subjectPublicKeyInfoDER: der)
        #expect(key.der == der)
        #expect(key.fingerprint == "2fa694f3bc6b4c0de24d4b7ef529451cacdbe53e5e43b6bfe496c3b1bb271901")
    }
}

func hexBytes(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}
