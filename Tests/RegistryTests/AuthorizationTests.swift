import Credentials
import Foundation
import Testing
import Vocabulary
@testable import Registry

@Suite struct AuthorizationTests {
    @Test func theRolesTableOfTheRequirements() {
        let P: (Set<Role>, AdministrativeAct) -> Bool = Authorization.permits
        for act in [AdministrativeAct.manageOperators, .issueCard, .changeCardStatus, .unblockPIN, .resetPIN] {
            #expect(P([.pinAdmin], act))
            #expect(!P([.administrator, .supervisor, .operationsManager, .operator], act))
        }
        for act in [AdministrativeAct.manageLedger, .manageRoomAccess, .archiveHistory, .verifyHistory, .exportHistory] {
            #expect(P([.administrator], act))
            #expect(!P([.pinAdmin, .supervisor, .operationsManager, .operator], act))
        }
        #expect(P([.operationsManager], .assignTerminals))
        #expect(P([.operationsManager], .reportIncident))
        #expect(!P([.pinAdmin], .assignTerminals))
        #expect(P([.supervisor], .readHistoryAndReports))
        #expect(P([.supervisor], .viewLedger))
        #expect(P([.supervisor], .viewOperatorsAndCards))
        for act in AdministrativeAct.allCases {
            #expect(!P([.operator], act), "the operator role permits \(act.rawValue)")
            #expect(!P([], act))
        }
        // The supervisor reads but changes nothing.
        for act in AdministrativeAct.allCases where Authorization.permits([.supervisor], act) {
            #expect([.viewOperatorsAndCards, .viewLedger, .viewRoomAccess, .readHistoryAndReports].contains(act))
        }
    }

    @Test func aPersonWithSeveralRolesMayDoWhatEachAllows() {
        #expect(Authorization.permits([.operator, .pinAdmin], .issueCard))
        #expect(Authorization.permits([.operator, .pinAdmin, .administrator], .manageLedger))
    }

    @Test func anOperatorWithoutThePINAdminRoleCannotIssueAndIsToldWhy() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "op1", name: "操作 一郎"), by: "admin")
        try f.registry.operators.add(NewOperator(id: "op2", name: "操作 二郎"), by: "admin")
        let refused = registryError {
            try f.registry.cards.issue(Fixture.newCard(), to: "op2", initialPIN: PIN("504918"), by: "op1")
        }
        #expect(refused?.code == .roleNotPermitted)
        #expect(refused?.description == "op1 (roles: operator) may not issue cards; this needs the pin-admin role")
        #expect(try f.registry.cards.list(operatorId: "op2").isEmpty)
        #expect(registryError { try f.registry.ledger.add(Equipment(id: "R1", kind: .reader, name: "r", location: "l"), by: "admin") }?.code == .roleNotPermitted)
        #expect(registryError { try f.registry.operators.add(NewOperator(id: "op3", name: "三"), by: "netadmin") }?.code == .roleNotPermitted)
    }
}

@Suite struct AuthorizationOrderTests {
    @Test func theRoleIsCheckedBeforeThePINSoARefusedPersonLearnsNothingAboutIt() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "op1", name: "操作 一郎"), by: "admin")
        let refused = registryError { try f.registry.cards.issue(Fixture.newCard(), to: "op1", initialPIN: PIN("123456"), by: "op1") }
        #expect(refused?.code == .roleNotPermitted)
    }
}
