import Credentials
import Foundation
import GRDB
import Testing
import Vocabulary
@testable import Registry

@Suite struct AdminSessionTests {
    @Test func aSessionIsValidForTenMinutesThenExpires() throws {
        let f = try Fixture()
        let (token, session) = try f.registry.adminSessions.open(operatorId: "admin", card: f.adminCard.guid)
        #expect(session.expiresAt == session.createdAt.addingTimeInterval(600))
        f.clock.advance(599)
        let valid = try f.registry.adminSessions.validate(token)
        #expect(valid.operatorId == "admin")
        #expect(valid.roles == [.pinAdmin])
        #expect(valid.cardGuid == f.adminCard.guid)
        f.clock.advance(1)
        #expect(registryError { _ = try f.registry.adminSessions.validate(token) }?.code == .sessionExpired)
        #expect(try f.registry.adminSessions.removeExpired() == 1)
        #expect(registryError { _ = try f.registry.adminSessions.validate(token) }?.code == .sessionUnknown)
    }

    @Test func logoutEndsTheSessionAndTheTokenReadsBackFromText() throws {
        let f = try Fixture()
        let (token, _) = try f.registry.adminSessions.open(operatorId: "admin", card: f.adminCard.guid)
        #expect(token.text.count == 43)
        let readBack = try AdminSessionToken(token.text + "\n")
        #expect(try f.registry.adminSessions.validate(readBack).operatorId == "admin")
        try f.registry.adminSessions.end(readBack)
        #expect(registryError { _ = try f.registry.adminSessions.validate(token) }?.code == .sessionUnknown)
        #expect(throws: RegistryError.self) { try AdminSessionToken("not a token") }
        #expect(!"\(token)".contains(token.text))
    }

    @Test func onlyTheTokensSHA256IsStored() throws {
        let f = try Fixture()
        let (token, _) = try f.registry.adminSessions.open(operatorId: "admin", card: f.adminCard.guid)
        let stored = try DatabaseQueue(path: f.path).read { try Data.fetchOne($0, sql: "SELECT tokenHash FROM adminSession")! }
        #expect(stored == token.digest)
        #expect(stored.count == 32)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: f.path)) + ((try? Data(contentsOf: URL(fileURLWithPath: f.path + "-wal"))) ?? Data())
        #expect(bytes.range(of: Data(token.text.utf8)) == nil)
    }

    @Test func noSessionWithoutAnAdministrativeRoleOrWithSomeoneElsesCard() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        #expect(registryError { _ = try f.registry.adminSessions.open(operatorId: "op1", card: card.guid) }?.code == .roleNotPermitted)
        #expect(registryError { _ = try f.registry.adminSessions.open(operatorId: "admin", card: card.guid) }?.code == .cardNotUsable)
        #expect(registryError { _ = try f.registry.adminSessions.open(operatorId: "ghost", card: card.guid) }?.code == .unknownOperator)
    }

    @Test func disablingThePersonOrRevokingTheCardEndsTheirSessions() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "admin2", name: "副 管理者", roles: [.pinAdmin]), by: "netadmin")
        let card = Fixture.newCard()
        try f.registry.cards.issue(card, to: "admin2", initialPIN: PIN("7391046"), by: "admin")
        try f.registry.pins.change(card: card.guid, current: PIN("7391046"), new: PIN("90817263"))
        let (first, _) = try f.registry.adminSessions.open(operatorId: "admin2", card: card.guid)
        try f.registry.cards.revoke(card.guid, reason: .lost, by: "admin")
        #expect(registryError { _ = try f.registry.adminSessions.validate(first) }?.code == .sessionUnknown)
        let (mine, _) = try f.registry.adminSessions.open(operatorId: "admin", card: f.adminCard.guid)
        try f.registry.operators.add(NewOperator(id: "admin3", name: "三 管理者", roles: [.pinAdmin]), by: "netadmin")
        try f.registry.operators.disable("admin", by: "admin3")
        #expect(registryError { _ = try f.registry.adminSessions.validate(mine) }?.code == .sessionUnknown)
    }

    @Test func theEmergencyStopEndsEverySession() throws {
        let f = try Fixture()
        let (a, _) = try f.registry.adminSessions.open(operatorId: "admin", card: f.adminCard.guid)
        let (b, _) = try f.registry.adminSessions.open(operatorId: "admin", card: f.adminCard.guid)
        #expect(try f.registry.adminSessions.endAll() == 2)
        #expect(registryError { _ = try f.registry.adminSessions.validate(a) }?.code == .sessionUnknown)
        #expect(registryError { _ = try f.registry.adminSessions.validate(b) }?.code == .sessionUnknown)
    }
}

@Suite struct AdminSessionInitialPINTests {
    @Test func noSessionUntilTheInitialPINIsChanged() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "admin2", name: "副 管理者", roles: [.pinAdmin]), by: "netadmin")
        let card = Fixture.newCard()
        try f.registry.cards.issue(card, to: "admin2", initialPIN: PIN("7391046"), by: "admin")
        let refused = registryError { _ = try f.registry.adminSessions.open(operatorId: "admin2", card: card.guid) }
        #expect(refused?.code == .cardNotUsable)
        #expect(refused?.description.contains("pin change") == true)
        try f.registry.pins.change(card: card.guid, current: PIN("7391046"), new: PIN("90817263"))
        #expect(try f.registry.adminSessions.open(operatorId: "admin2", card: card.guid).session.operatorId == "admin2")
    }
}
