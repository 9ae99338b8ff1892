import Credentials
import Foundation
import Testing
import Vocabulary
@testable import Registry

@Suite struct OperatorServiceTests {
    @Test func addListShowKeepTheJapaneseNameAndRoles() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "tanaka.h", name: "田中 花子", roles: [.operator, .supervisor], groups: ["juki-1"]), by: "netadmin")
        let shown = try f.registry.operators.show("tanaka.h")
        #expect(shown.name == "田中 花子")
        #expect(shown.roles == [.operator, .supervisor])
        #expect(shown.groups == ["juki-1"])
        #expect(shown.status == .active)
        #expect(try f.registry.operators.list().map(\.id) == ["admin", "netadmin", "tanaka.h"])
    }

    @Test func badInputIsRefusedWithNothingAdded() throws {
        let f = try Fixture()
        #expect(registryError { try f.registry.operators.add(NewOperator(id: "admin", name: "二重"), by: "admin") }?.code == .operatorExists)
        #expect(registryError { try f.registry.operators.add(NewOperator(id: "bad id", name: "空白"), by: "admin") }?.code == .invalidInput)
        #expect(registryError { try f.registry.operators.add(NewOperator(id: "x1", name: "  "), by: "admin") }?.code == .invalidInput)
        #expect(registryError { try f.registry.operators.add(NewOperator(id: "x2", name: "改\n行"), by: "admin") }?.code == .invalidInput)
        #expect(registryError { try f.registry.operators.add(NewOperator(id: "x3", name: "役割", roles: []), by: "admin") }?.code == .invalidInput)
        let now = f.clock.now
        #expect(registryError { try f.registry.operators.add(NewOperator(id: "x4", name: "期間", validFrom: now, validTo: now), by: "admin") }?.code == .invalidInput)
        #expect(registryError { _ = try f.registry.operators.show("nobody") }?.code == .unknownOperator)
        #expect(try f.registry.operators.list().count == 2)
    }

    @Test func terminalsMustBeOnTheLedgerAndNeedTheOperationsManager() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "ops", name: "運用 課長", roles: [.operationsManager]), by: "netadmin")
        try f.registry.operators.add(NewOperator(id: "op1", name: "操作 一郎"), by: "admin")
        #expect(registryError { try f.registry.operators.update("op1", OperatorUpdate(terminals: ["T-01"]), by: "ops") }?.code == .unknownTerminal)
        try f.registry.ledger.add(Equipment(id: "T-01", kind: .terminal, name: "端末1", location: "市民課"), by: "netadmin")
        let refused = registryError { try f.registry.operators.update("op1", OperatorUpdate(terminals: ["T-01"]), by: "admin") }
        #expect(refused?.code == .roleNotPermitted)
        #expect(refused?.description.contains("operations-manager") == true)
        try f.registry.operators.update("op1", OperatorUpdate(terminals: ["T-01"]), by: "ops")
        #expect(try f.registry.operators.show("op1").terminals == ["T-01"])
    }

    @Test func updateChangesOnlyTheGivenFields() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "op1", name: "操作 一郎", groups: ["a"]), by: "admin")
        let end = f.clock.now.addingTimeInterval(86_400 * 30)
        try f.registry.operators.update("op1", OperatorUpdate(name: "操作 一朗", validTo: .some(end)), by: "admin")
        var shown = try f.registry.operators.show("op1")
        #expect(shown.name == "操作 一朗")
        #expect(shown.validTo == end)
        #expect(shown.groups == ["a"])
        try f.registry.operators.update("op1", OperatorUpdate(validTo: .some(nil)), by: "admin")
        shown = try f.registry.operators.show("op1")
        #expect(shown.validTo == nil)
        #expect(registryError { try f.registry.operators.update("op1", OperatorUpdate(), by: "admin") }?.code == .invalidInput)
    }

    @Test func disableWorksButNeverForTheLastPINAdministrator() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "op1", name: "操作 一郎"), by: "admin")
        #expect(try f.registry.operators.disable("op1", by: "admin").status == .disabled)
        #expect(registryError { try f.registry.operators.disable("op1", by: "admin") }?.code == .operatorNotActive)
        #expect(registryError { try f.registry.operators.disable("admin", by: "admin") }?.code == .lastPINAdministrator)
        #expect(registryError { try f.registry.operators.update("admin", OperatorUpdate(roles: [.operator]), by: "admin") }?.code == .roleNotPermitted)
        #expect(try f.registry.operators.show("admin").status == .active)
        #expect(try f.registry.operators.show("admin").roles == [.pinAdmin])
    }

    @Test func nobodyChangesTheirOwnRolesButAnAdministratorCan() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "admin2", name: "副 管理者", roles: [.pinAdmin]), by: "netadmin")
        let refused = registryError { try f.registry.operators.update("admin2", OperatorUpdate(roles: [.pinAdmin, .administrator]), by: "admin2") }
        #expect(refused?.code == .roleNotPermitted)
        #expect(refused?.description.contains("own roles") == true)
        #expect(try f.registry.operators.show("admin2").roles == [.pinAdmin])
        // Only an administrator gives a role beyond operator; a PIN administrator may not.
        #expect(registryError { try f.registry.operators.update("admin2", OperatorUpdate(roles: [.pinAdmin, .administrator]), by: "admin") }?.code == .roleNotPermitted)
        try f.registry.operators.update("admin2", OperatorUpdate(roles: [.pinAdmin, .administrator]), by: "netadmin")
        #expect(try f.registry.operators.show("admin2").roles == [.pinAdmin, .administrator])
        // Other fields of one's own record stay editable.
        try f.registry.operators.update("admin2", OperatorUpdate(name: "副 管理者二"), by: "admin2")
        #expect(try f.registry.operators.show("admin2").name == "副 管理者二")
    }

    @Test func aDisabledOrExpiredAdministratorCanDoNothing() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "admin2", name: "副 管理者", roles: [.pinAdmin], validTo: f.clock.now.addingTimeInterval(3600)), by: "netadmin")
        try f.registry.operators.add(NewOperator(id: "op1", name: "操作 一郎"), by: "admin2")
        f.clock.advance(3600)
        #expect(registryError { try f.registry.operators.add(NewOperator(id: "op2", name: "操作 二郎"), by: "admin2") }?.code == .operatorNotActive)
        #expect(registryError { try f.registry.operators.add(NewOperator(id: "op3", name: "操作 三郎"), by: "ghost") }?.code == .unknownOperator)
    }

    @Test func initialEnrolmentIsClosedOnceAnOperatorExists() throws {
        let f = try Fixture()
        #expect(try f.registry.initialEnrolment.isPending() == false)
        let again = registryError {
            try f.registry.initialEnrolment.enrol(NewOperator(id: "intruder", name: "侵入"), card: Fixture.newCard(), pin: PIN("504918"))
        }
        #expect(again?.code == .roleNotPermitted)
        #expect(registryError { _ = try f.registry.operators.show("intruder") }?.code == .unknownOperator)
        let admin = try f.registry.operators.show("admin")
        #expect(admin.roles.contains(.pinAdmin))
        #expect(try f.registry.cards.show(f.adminCard.guid).status == .active)
        #expect(try f.registry.pins.verify(card: f.adminCard.guid, pin: PIN(Fixture.adminPIN)) == .accepted(mustChange: false))
    }
}
