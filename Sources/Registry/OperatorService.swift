import Foundation
import GRDB
import Vocabulary

/// What is needed to add an operator.
public struct NewOperator: Sendable {
    /// Staff id (letters, digits, `.`, `_`, `-`).
    public var id: String
    /// Full name (Japanese as written).
    public var name: String
    /// Roles; at least one.
    public var roles: Set<Role>
    /// Start of validity, if any.
    public var validFrom: Date?
    /// End of validity, if any.
    public var validTo: Date?
    /// Terminals the operator may unlock (needs the operations-manager role too).
    public var terminals: Set<String>
    /// Groups for room grants.
    public var groups: Set<String>

    /// Makes the description of a new operator.
    public init(id: String, name: String, roles: Set<Role> = [.operator], validFrom: Date? = nil, validTo: Date? = nil,
                terminals: Set<String> = [], groups: Set<String> = []) {
        self.id = id
        self.name = name
        self.roles = roles
        self.validFrom = validFrom
        self.validTo = validTo
        self.terminals = terminals
        self.groups = groups
    }
}

/// Changes to an operator record; nil leaves a field as it is (`.some(nil)` clears a date).
public struct OperatorUpdate: Sendable {
    /// New name.
    public var name: String?
    /// New role set.
    public var roles: Set<Role>?
    /// New start of validity (`.some(nil)` clears it).
    public var validFrom: Date??
    /// New end of validity (`.some(nil)` clears it).
    public var validTo: Date??
    /// New terminal list (needs the operations-manager role).
    public var terminals: Set<String>?
    /// New group list.
    public var groups: Set<String>?

    /// An update; give only what changes.
    public init(name: String? = nil, roles: Set<Role>? = nil, validFrom: Date?? = nil, validTo: Date?? = nil,
                terminals: Set<String>? = nil, groups: Set<String>? = nil) {
        self.name = name
        self.roles = roles
        self.validFrom = validFrom
        self.validTo = validTo
        self.terminals = terminals
        self.groups = groups
    }
}

/// Operator records: add, list, show, update, disable (the PIN administrator; terminals by the
/// operations manager). Every change names the acting person, whose roles are checked in the same
/// transaction.
public struct OperatorService: Sendable {
    let registry: Registry

    /// Adds an operator. Refuses an existing id, an empty role set, bad names or dates, unknown terminals.
    @discardableResult
    public func add(_ new: NewOperator, by actor: String) throws(RegistryError) -> Operator {
        let now = registry.now
        return try registry.write { db in
            let acting = try registry.authorize(db, actor: actor, Self.grantsBeyondOperator(new.roles) ? .assignRoles : .manageOperators)
            if !new.terminals.isEmpty {
                try Authorization.require(.assignTerminals, by: acting, at: now)
            }
            return try Self.insert(db, new, now: now)
        }
    }

    /// Inserts without a role check (used by the initial enrolment, which checks its own condition).
    static func insert(_ db: Database, _ new: NewOperator, now: Date) throws -> Operator {
        try RegistryFormat.checkIdentifier(new.id, what: "operator id")
        let name = try RegistryFormat.checkText(new.name, what: "operator name", limit: 100)
        guard !new.roles.isEmpty else {
            throw RegistryError(.invalidInput, "operator \(new.id) needs at least one role (\(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        try RegistryFormat.checkPeriod(from: new.validFrom, to: new.validTo, what: "operator \(new.id) validity")
        guard try Operator.fetch(db, id: new.id) == nil else {
            throw RegistryError(.operatorExists, "an operator with id \(new.id) already exists; use `cardgate operator update`")
        }
        try db.execute(sql: """
            INSERT INTO operator (id, name, status, validFrom, validTo, createdAt, updatedAt)
            VALUES (?, ?, 'active', ?, ?, ?, ?)
            """, arguments: [new.id, name, new.validFrom, new.validTo, now, now])
        try replaceRoles(db, id: new.id, new.roles)
        try replaceTerminals(db, id: new.id, new.terminals)
        try replaceGroups(db, id: new.id, new.groups)
        return try Operator.require(db, id: new.id)
    }

    /// Every operator, by id.
    public func list() throws(RegistryError) -> [Operator] {
        try registry.read { try Operator.fetchAll($0) }
    }

    /// One operator; `unknownOperator` if there is none with that id.
    public func show(_ id: String) throws(RegistryError) -> Operator {
        try registry.read { try Operator.require($0, id: id) }
    }

    /// Applies an update. Terminal changes need the operations-manager role, the rest the pin-admin role.
    /// Refuses a change of the actor's own roles, and a change that would leave no active PIN administrator.
    @discardableResult
    public func update(_ id: String, _ update: OperatorUpdate, by actor: String) throws(RegistryError) -> Operator {
        let now = registry.now
        return try registry.write { db in
            let touchesRecord = update.name != nil || update.roles != nil || update.validFrom != nil
                || update.validTo != nil || update.groups != nil
            guard touchesRecord || update.terminals != nil else {
                throw RegistryError(.invalidInput, "nothing to update for operator \(id)")
            }
            // Separation of duties: nobody widens (or narrows) their own roles; another administrator must.
            if update.roles != nil, id == actor {
                throw RegistryError(.roleNotPermitted, "\(actor) may not change their own roles; another administrator must do it")
            }
            var current = try Operator.require(db, id: id)
            // Only an administrator gives (or takes away) a role beyond operator.
            let rolesBeyondOperator = update.roles.map { Self.grantsBeyondOperator($0) || Self.grantsBeyondOperator(current.roles) } ?? false
            let recordOnly = update.name != nil || update.validFrom != nil || update.validTo != nil || update.groups != nil
            if rolesBeyondOperator { _ = try registry.authorize(db, actor: actor, .assignRoles) }
            if recordOnly || (update.roles != nil && !rolesBeyondOperator) { _ = try registry.authorize(db, actor: actor, .manageOperators) }
            if update.terminals != nil { _ = try registry.authorize(db, actor: actor, .assignTerminals) }
            let adminsBefore = try Self.activePINAdministratorCount(db)
            if let name = update.name {
                current.name = try RegistryFormat.checkText(name, what: "operator name", limit: 100)
            }
            if let from = update.validFrom { current.validFrom = from }
            if let to = update.validTo { current.validTo = to }
            try RegistryFormat.checkPeriod(from: current.validFrom, to: current.validTo, what: "operator \(id) validity")
            try db.execute(sql: "UPDATE operator SET name = ?, validFrom = ?, validTo = ?, updatedAt = ? WHERE id = ?",
                           arguments: [current.name, current.validFrom, current.validTo, now, id])
            if let roles = update.roles {
                guard !roles.isEmpty else {
                    throw RegistryError(.invalidInput, "operator \(id) needs at least one role; to stop someone, use `cardgate operator disable`")
                }
                try Self.replaceRoles(db, id: id, roles)
            }
            if let terminals = update.terminals { try Self.replaceTerminals(db, id: id, terminals) }
            if let groups = update.groups { try Self.replaceGroups(db, id: id, groups) }
            try Self.keepOnePINAdministrator(db, before: adminsBefore, subject: id)
            return try Operator.require(db, id: id)
        }
    }

    /// Disables an operator and ends their administrative sessions. Their cards stay as they are
    /// (revoke them with the card commands). Refuses to disable the last active PIN administrator.
    @discardableResult
    public func disable(_ id: String, by actor: String) throws(RegistryError) -> Operator {
        let now = registry.now
        return try registry.write { db in
            _ = try registry.authorize(db, actor: actor, .manageOperators)
            let current = try Operator.require(db, id: id)
            guard current.status == .active else {
                throw RegistryError(.operatorNotActive, "operator \(id) is already disabled")
            }
            let adminsBefore = try Self.activePINAdministratorCount(db)
            try db.execute(sql: "UPDATE operator SET status = 'disabled', updatedAt = ? WHERE id = ?", arguments: [now, id])
            try db.execute(sql: "DELETE FROM adminSession WHERE operatorId = ?", arguments: [id])
            try Self.keepOnePINAdministrator(db, before: adminsBefore, subject: id)
            return try Operator.require(db, id: id)
        }
    }

    /// Whether a role set holds anything beyond `operator` (which only an administrator may give).
    static func grantsBeyondOperator(_ roles: Set<Role>) -> Bool {
        !roles.subtracting([.operator]).isEmpty
    }

    static func activePINAdministratorCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM operator o JOIN operatorRole r ON r.operatorId = o.id
            WHERE o.status = 'active' AND r.role = 'pin-admin'
            """) ?? 0
    }

    static func keepOnePINAdministrator(_ db: Database, before: Int, subject: String) throws {
        if before > 0, try activePINAdministratorCount(db) == 0 {
            throw RegistryError(.lastPINAdministrator, "\(subject) is the last active PIN administrator; give the pin-admin role to someone else first")
        }
    }

    static func replaceRoles(_ db: Database, id: String, _ roles: Set<Role>) throws {
        try db.execute(sql: "DELETE FROM operatorRole WHERE operatorId = ?", arguments: [id])
        for role in roles.sorted() {
            try db.execute(sql: "INSERT INTO operatorRole (operatorId, role) VALUES (?, ?)", arguments: [id, role.rawValue])
        }
    }

    static func replaceTerminals(_ db: Database, id: String, _ terminals: Set<String>) throws {
        for terminal in terminals.sorted() {
            let known = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM equipment WHERE id = ? AND kind = 'terminal' AND status <> 'retired')
                """, arguments: [terminal]) ?? false
            guard known else {
                throw RegistryError(.unknownTerminal, "terminal \(terminal) is not an in-service terminal on the equipment ledger; add it with `cardgate ledger add --kind terminal` first")
            }
        }
        try db.execute(sql: "DELETE FROM operatorTerminal WHERE operatorId = ?", arguments: [id])
        for terminal in terminals.sorted() {
            try db.execute(sql: "INSERT INTO operatorTerminal (operatorId, terminalId) VALUES (?, ?)", arguments: [id, terminal])
        }
    }

    static func replaceGroups(_ db: Database, id: String, _ groups: Set<String>) throws {
        for group in groups { try RegistryFormat.checkIdentifier(group, what: "group name") }
        try db.execute(sql: "DELETE FROM operatorGroup WHERE operatorId = ?", arguments: [id])
        for group in groups.sorted() {
            try db.execute(sql: "INSERT INTO operatorGroup (operatorId, groupName) VALUES (?, ?)", arguments: [id, group])
        }
    }
}

extension Registry {
    /// Loads the acting person and checks that they may do `act` now; throws a clear error otherwise.
    func authorize(_ db: Database, actor: String, _ act: AdministrativeAct) throws -> Operator {
        guard let acting = try Operator.fetch(db, id: actor) else {
            throw RegistryError(.unknownOperator, "the acting person \(actor) is not in the registry and may not \(act.rawValue)")
        }
        try Authorization.require(act, by: acting, at: now)
        return acting
    }

    /// The same check in a read transaction, before slow work (hashing a PIN) that a refused person
    /// should not cause; the write transaction checks again.
    func checkAuthorized(_ actor: String, _ act: AdministrativeAct) throws(RegistryError) {
        _ = try read { try authorize($0, actor: actor, act) }
    }
}
