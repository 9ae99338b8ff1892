import ArgumentParser
import Foundation
import History
import Registry

/// `cardgate operator …`: operator records (the PIN administrator).
struct OperatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "Operator records: add, list, show, update, disable.",
        subcommands: [OperatorAddCommand.self, OperatorListCommand.self, OperatorShowCommand.self,
                      OperatorUpdateCommand.self, OperatorDisableCommand.self]
    )
}

/// Parses `--role` values.
func parseRoles(_ names: [String]) throws -> Set<Role> {
    try Set(names.map { name in
        guard let role = Role(name: name) else {
            throw CommandFailure("unknown role \"\(name)\"; roles are \(Role.allCases.map(\.rawValue).joined(separator: ", ")); nothing was changed")
        }
        return role
    })
}

/// `cardgate operator add`.
struct OperatorAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add an operator record.",
        discussion: "Example: cardgate operator add op-0042 --name 佐藤一郎 --role operator --terminal T01 --valid-to 2027-03-31")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The operator id.") var id: String
    @Option(help: "The person's name (UTF-8, Japanese allowed).") var name: String
    @Option(help: "A role (repeatable): supervisor, administrator, operations-manager, pin-admin, operator.") var role: [String] = ["operator"]
    @Option(help: "First day of validity, YYYY-MM-DD.") var validFrom: String?
    @Option(help: "Last day of validity, YYYY-MM-DD.") var validTo: String?
    @Option(help: "A terminal id this operator may use (repeatable; must be on the ledger).") var terminal: [String] = []
    @Option(help: "A group (repeatable), for room grants.") var group: [String] = []

    func run() throws {
        let roles = try parseRoles(role)
        let context = try AdminContext(options, act: .manageOperators)
        let from = try context.day(validFrom, option: "--valid-from")
        let to = try context.day(validTo, option: "--valid-to").map { $0.addingTimeInterval(86_400) }
        let new = NewOperator(id: id, name: name, roles: roles, validFrom: from, validTo: to,
                              terminals: Set(terminal), groups: Set(group))
        let added = try context.perform(NewEvent(kind: .adminOperator, result: .success, details: EventDetails(operation: "add", record: id))) {
            try context.registry.operators.add(new, by: context.actor ?? "")
        }
        print("operator \(added.id) (\(added.name)) added with roles \(added.roles.sorted().map(\.rawValue).joined(separator: ", "))")
    }
}

/// `cardgate operator list`.
struct OperatorListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List operators.", discussion: "Example: cardgate operator list --json")
    @OptionGroup var options: ConfigOption
    @Flag(help: "Print a JSON array.") var json = false

    func run() throws {
        let context = try AdminContext(options, act: .viewOperatorsAndCards)
        let all = try registryCall { () throws(RegistryError) in try context.registry.operators.list() }
        if json { return try printJSON(all) }
        for person in all {
            print("\(person.id)  \(person.name)  \(person.status.rawValue)  \(person.roles.sorted().map(\.rawValue).joined(separator: ","))")
        }
    }
}

/// `cardgate operator show`.
struct OperatorShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one operator and their cards.", discussion: "Example: cardgate operator show op-0042 --json")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The operator id.") var id: String
    @Flag(help: "Print one JSON object.") var json = false

    struct Output: Encodable {
        let `operator`: Operator
        let cards: [Card]
    }

    func run() throws {
        let context = try AdminContext(options, act: .viewOperatorsAndCards)
        let person = try registryCall { () throws(RegistryError) in try context.registry.operators.show(id) }
        let cards = try registryCall { () throws(RegistryError) in try context.registry.cards.list(operatorId: id) }
        if json { return try printJSON(Output(operator: person, cards: cards)) }
        print("""
            operator:   \(person.id)
            name:       \(person.name)
            status:     \(person.status.rawValue)
            roles:      \(person.roles.sorted().map(\.rawValue).joined(separator: ", "))
            terminals:  \(person.terminals.sorted().joined(separator: ", "))
            groups:     \(person.groups.sorted().joined(separator: ", "))
            cards:      \(cards.map { "\($0.guid.hex) (\($0.status.rawValue))" }.joined(separator: ", "))
            """)
    }
}

/// `cardgate operator update`.
struct OperatorUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change an operator's name, roles, validity, terminals or groups.",
        discussion: "Example: cardgate operator update op-0042 --role operator --role supervisor")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The operator id.") var id: String
    @Option(help: "New name.") var name: String?
    @Option(help: "Roles, replacing the current ones (repeatable).") var role: [String] = []
    @Option(help: "First day of validity, YYYY-MM-DD.") var validFrom: String?
    @Option(help: "Last day of validity, YYYY-MM-DD.") var validTo: String?
    @Option(help: "Terminals, replacing the current ones (repeatable).") var terminal: [String] = []
    @Option(help: "Groups, replacing the current ones (repeatable).") var group: [String] = []

    func run() throws {
        let roles = role.isEmpty ? nil : try parseRoles(role)
        let context = try AdminContext(options, act: .manageOperators)
        var update = OperatorUpdate(name: name, roles: roles,
                                    terminals: terminal.isEmpty ? nil : Set(terminal), groups: group.isEmpty ? nil : Set(group))
        if let from = try context.day(validFrom, option: "--valid-from") { update.validFrom = .some(from) }
        if let to = try context.day(validTo, option: "--valid-to") { update.validTo = .some(to.addingTimeInterval(86_400)) }
        let changed = try context.perform(NewEvent(kind: .adminOperator, result: .success, details: EventDetails(operation: "update", record: id))) {
            try context.registry.operators.update(id, update, by: context.actor ?? "")
        }
        print("operator \(changed.id) updated")
    }
}

/// `cardgate operator disable`.
struct OperatorDisableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Disable an operator (their cards stop working, sessions end).",
        discussion: "Example: cardgate operator disable op-0042")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The operator id.") var id: String

    func run() throws {
        let context = try AdminContext(options, act: .manageOperators)
        let done = try context.perform(NewEvent(kind: .adminOperator, result: .success, details: EventDetails(operation: "disable", record: id))) {
            try context.registry.operators.disable(id, by: context.actor ?? "")
        }
        print("operator \(done.id) disabled")
    }
}
