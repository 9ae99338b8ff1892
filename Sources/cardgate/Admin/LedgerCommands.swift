import ArgumentParser
import Foundation
import GatewayAPI

/// `cardgate ledger …`: the equipment ledger (構成管理簿), by the administrator.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "The equipment ledger (構成管理簿): add, list, show, change, retire, history.",
        subcommands: [LedgerAddCommand.self, LedgerListCommand.self, LedgerShowCommand.self,
                      LedgerChangeCommand.self, LedgerRetireCommand.self, LedgerHistoryCommand.self]
    )
}

/// `cardgate ledger add`.
struct LedgerAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add an entry: reader, terminal, server, program or storage medium.",
        discussion: "Example: cardgate ledger add T01 --kind terminal --name 窓口端末1 --location 本庁舎1階 --serial SN-1234")
    @OptionGroup var options: AdminOptions
    @Argument(help: "The entry id (terminal id, reader name, program name, …).") var id: String
    @Option(help: "reader, terminal, server, program or storage-media.") var kind: String
    @Option(help: "What it is.") var name: String
    @Option(help: "Where it is.") var location: String
    @Option(help: "Serial number.") var serial: String?
    @Option(help: "in-service (default), in-stock, under-repair.") var status: String?
    @Option(name: .customLong("program-version"), help: "Program version (for --kind program).") var version: String?
    @Option(help: "Program SHA-256 (64 hexadecimal digits).") var sha256: String?
    @Option(help: "A note for the change record.") var note: String?

    func run() async throws {
        try await options.run(.ledgerAdd(AdminLedgerEntry(
            id: id, kind: kind, name: name, location: location, serial: serial, status: status, version: version, sha256: sha256, note: note)))
    }
}

/// `cardgate ledger list`.
struct LedgerListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List ledger entries.", discussion: "Example: cardgate ledger list --kind reader --json")
    @OptionGroup var options: AdminOptions
    @Option(help: "Only this kind.") var kind: String?
    @Flag(help: "Print a JSON array.") var json = false

    func run() async throws {
        try await options.run(.ledgerList(AdminLedgerList(kind: kind)), json: json)
    }
}

/// `cardgate ledger show`.
struct LedgerShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one ledger entry.", discussion: "Example: cardgate ledger show T01 --json")
    @OptionGroup var options: AdminOptions
    @Argument(help: "The entry id.") var id: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        try await options.run(.ledgerShow(AdminID(id: id)), json: json)
    }
}

/// `cardgate ledger change`.
struct LedgerChangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change", abstract: "Change a ledger entry (the change record keeps before and after).",
        discussion: "Example: cardgate ledger change T01 --location 本庁舎2階 --note 移設")
    @OptionGroup var options: AdminOptions
    @Argument(help: "The entry id.") var id: String
    @Option(help: "New name.") var name: String?
    @Option(help: "New location.") var location: String?
    @Option(help: "New serial number.") var serial: String?
    @Option(help: "in-service, in-stock or under-repair (retire with `ledger retire`).") var status: String?
    @Option(name: .customLong("program-version"), help: "New program version.") var version: String?
    @Option(help: "New program SHA-256.") var sha256: String?
    @Option(help: "A note for the change record.") var note: String?

    func run() async throws {
        try await options.run(.ledgerChange(AdminLedgerEntry(
            id: id, kind: nil, name: name, location: location, serial: serial, status: status, version: version, sha256: sha256, note: note)))
    }
}

/// `cardgate ledger retire`.
struct LedgerRetireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retire", abstract: "Retire a ledger entry for good.",
        discussion: "Example: cardgate ledger retire T01 --note 廃棄")
    @OptionGroup var options: AdminOptions
    @Argument(help: "The entry id.") var id: String
    @Option(help: "A note for the change record.") var note: String?

    func run() async throws {
        try await options.run(.ledgerRetire(AdminLedgerRetire(id: id, note: note)))
    }
}

/// `cardgate ledger history`.
struct LedgerHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "The ledger's append-only change record, of one entry or all.",
        discussion: "Example: cardgate ledger history T01 --json")
    @OptionGroup var options: AdminOptions
    @Argument(help: "The entry id (all entries when left out).") var id: String?
    @Flag(help: "Print a JSON array.") var json = false

    func run() async throws {
        try await options.run(.ledgerHistory(AdminLedgerHistory(id: id)), json: json)
    }
}
