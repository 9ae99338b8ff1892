import ArgumentParser
import Foundation
import GatewayAPI

/// `cardgate operator …`: operator records (the PIN administrator; roles beyond operator by an administrator).
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "Operator records: add, list, show, update, disable.",
        subcommands: [OperatorAddCommand.self, OperatorListCommand.self, OperatorShowCommand.self,
                      OperatorUpdateCommand.self, OperatorDisableCommand.self]
    )
}

/// `cardgate operator add`.
struct OperatorAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add an operator record.",
        discussion: "Example: cardgate operator add op-0042 --name 佐藤一郎 --role operator --terminal T01 --valid-to 2027-03-31")
    @OptionGroup var options: AdminOptions
    @Argument(help: "The operator id.") var id: String
    @Option(help: "The person's name (UTF-8, Japanese allowed).") var name: String
    @Option(help: "A role (repeatable): supervisor, administrator, operations-manager, pin-admin, operator. Roles beyond operator are given by an administrator.")
    var role: [String] = ["operator"]
    @Option(help: "First day of validity, YYYY-MM-DD.") var validFrom: String?
    @Option(help: "Last day of validity, YYYY-MM-DD.") var validTo: String?
    @Option(help: "A terminal id this operator may use (repeatable; must be on the ledger).") var terminal: [String] = []
    @Option(help: "A group (repeatable), for room grants.") var group: [String] = []

    func run() async throws {
        try await options.run(.operatorAdd(AdminOperatorAdd(
            id: id, name: name, roles: role, validFrom: validFrom, validTo: validTo, terminals: terminal, groups: group)))
    }
}

/// `cardgate operator list`.
struct OperatorListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List operators.", discussion: "Example: cardgate operator list --json")
    @OptionGroup var options: AdminOptions
    @Flag(help: "Print a JSON array.") var json = false

    func run() async throws {
        try await options.run(.operatorList, json: json)
    }
}

/// `cardgate operator show`.
struct OperatorShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one operator and their cards.", discussion: "Example: cardgate operator show op-0042 --json")
    @OptionGroup var options: AdminOptions
    @Argument(help: "The operator id.") var id: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        try await options.run(.operatorShow(AdminID(id: id)), json: json)
    }
}

/// `cardgate operator update`.
struct OperatorUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change an operator's name, roles, validity, terminals or groups.",
        discussion: "Example: cardgate operator update op-0042 --role operator --role supervisor")
    @OptionGroup var options: AdminOptions
    @Argument(help: "The operator id.") var id: String
    @Option(help: "New name.") var name: String?
    @Option(help: "Roles, replacing the current ones (repeatable).") var role: [String] = []
    @Option(help: "First day of validity, YYYY-MM-DD.") var validFrom: String?
    @Option(help: "Last day of validity, YYYY-MM-DD.") var validTo: String?
    @Option(help: "Terminals, replacing the current ones (repeatable).") var terminal: [String] = []
    @Option(help: "Groups, replacing the current ones (repeatable).") var group: [String] = []

    func run() async throws {
        try await options.run(.operatorUpdate(AdminOperatorUpdate(
            id: id, name: name, roles: role.isEmpty ? nil : role, validFrom: validFrom, validTo: validTo,
            terminals: terminal.isEmpty ? nil : terminal, groups: group.isEmpty ? nil : group)))
    }
}

/// `cardgate operator disable`.
struct OperatorDisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Disable an operator (their cards stop working).",
        discussion: "Example: cardgate operator disable op-0042")
    @OptionGroup var options: AdminOptions
    @Argument(help: "The operator id.") var id: String

    func run() async throws {
        try await options.run(.operatorDisable(AdminID(id: id)))
    }
}
