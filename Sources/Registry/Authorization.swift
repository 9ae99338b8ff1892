/// Which roles may do which administrative act (the REQUIREMENTS roles table).
///
/// | act | roles |
/// |---|---|
/// | operator records, card issue/status, PIN unblock/reset | pin-admin |
/// | roles beyond `operator` (on a new or an existing record) | administrator |
/// | view operators and cards | pin-admin, supervisor, operations-manager |
/// | terminal assignment, incident reports | operations-manager |
/// | ledger changes, room access, history archive/verify/export | administrator |
/// | view ledger, rooms | administrator, supervisor, operations-manager (ledger) |
/// | read the whole history and reports | supervisor, administrator |
///
/// The plain `operator` role permits no administrative act. One person may hold several roles.
public enum Authorization {
    /// The roles that permit `act`.
    public static func roles(permitting act: AdministrativeAct) -> Set<Role> {
        switch act {
        case .manageOperators, .issueCard, .changeCardStatus, .unblockPIN, .resetPIN:
            [.pinAdmin]
        case .viewOperatorsAndCards:
            [.pinAdmin, .supervisor, .operationsManager]
        case .assignTerminals, .reportIncident:
            [.operationsManager]
        case .manageLedger, .manageRoomAccess, .archiveHistory, .verifyHistory, .exportHistory, .assignRoles:
            [.administrator]
        case .viewLedger:
            [.administrator, .supervisor, .operationsManager]
        case .viewRoomAccess:
            [.administrator, .supervisor]
        case .readHistoryAndReports:
            [.supervisor, .administrator]
        }
    }

    /// Whether someone holding `roles` may do `act`.
    public static func permits(_ roles: Set<Role>, _ act: AdministrativeAct) -> Bool {
        !roles.isDisjoint(with: Self.roles(permitting: act))
    }

    /// Whether `person` may do `act` at `date`: they must be active, within their validity period and
    /// hold a permitting role.
    public static func permits(_ person: Operator, _ act: AdministrativeAct, at date: Date) -> Bool {
        person.isActive(at: date) && permits(person.roles, act)
    }

    /// Throws `roleNotPermitted` (or `operatorNotActive`) with a message naming the roles needed.
    public static func require(_ act: AdministrativeAct, by person: Operator, at date: Date) throws(RegistryError) {
        guard person.isActive(at: date) else {
            throw RegistryError(.operatorNotActive, "\(person.id) (\(person.name)) is \(person.inactivityReason(at: date)) and may not \(act.rawValue)")
        }
        guard permits(person.roles, act) else {
            let needed = roles(permitting: act).sorted().map(\.rawValue).joined(separator: " or ")
            let held = person.roles.sorted().map(\.rawValue).joined(separator: ", ")
            throw RegistryError(.roleNotPermitted, "\(person.id) (roles: \(held.isEmpty ? "none" : held)) may not \(act.rawValue); this needs the \(needed) role")
        }
    }
}

import Foundation
