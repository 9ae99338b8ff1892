import ArgumentParser
import Foundation
import History
import Registry

/// `cardgate ledger …`: the equipment ledger (構成管理簿), by the administrator.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "The equipment ledger (構成管理簿): add, list, show, change, retire, history.",
        subcommands: [LedgerAddCommand.self, LedgerListCommand.self, LedgerShowCommand.self,
                      LedgerChangeCommand.self, LedgerRetireCommand.self, LedgerHistoryCommand.self]
    )
}

/// Parses an equipment status option.
func parseEquipmentStatus(_ text: String?) throws -> EquipmentStatus? {
    guard let text else { return nil }
    guard let status = EquipmentStatus(rawValue: text) else {
        throw CommandFailure("--status must be one of \(EquipmentStatus.allCases.map(\.rawValue).joined(separator: ", ")); nothing was changed")
    }
    return status
}

/// `cardgate ledger add`.
struct LedgerAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add an entry: reader, terminal, server, program or storage medium.",
        discussion: "Example: cardgate ledger add T01 --kind terminal --name 窓口端末1 --location 本庁舎1階 --serial SN-1234")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The entry id (terminal id, reader name, program name, …).") var id: String
    @Option(help: "reader, terminal, server, program or storage-media.") var kind: String
    @Option(help: "What it is.") var name: String
    @Option(help: "Where it is.") var location: String
    @Option(help: "Serial number.") var serial: String?
    @Option(help: "in-service (default), in-stock, under-repair.") var status: String?
    @Option(name: .customLong("program-version"), help: "Program version (for --kind program).") var version: String?
    @Option(help: "Program SHA-256 (64 hexadecimal digits).") var sha256: String?
    @Option(help: "A note for the change record.") var note: String?

    func run() throws {
        guard let itemKind = EquipmentKind(rawValue: kind) else {
            throw CommandFailure("--kind must be one of \(EquipmentKind.allCases.map(\.rawValue).joined(separator: ", ")); nothing was changed")
        }
        let itemStatus = try parseEquipmentStatus(status) ?? .inService
        let context = try AdminContext(options, act: .manageLedger, kind: .ledgerAdded)
        let item = Equipment(id: id, kind: itemKind, name: name, location: location, serial: serial, status: itemStatus,
                             version: version, sha256: sha256)
        let added = try context.perform(NewEvent(kind: .ledgerAdded, result: .success, details: EventDetails(operation: kind, record: id))) {
            try context.registry.ledger.add(item, note: note, by: context.actor ?? "")
        }
        print("ledger: \(added.kind.rawValue) \(added.id) added (\(added.status.rawValue))")
    }
}

/// `cardgate ledger list`.
struct LedgerListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List ledger entries.", discussion: "Example: cardgate ledger list --kind reader --json")
    @OptionGroup var options: ConfigOption
    @Option(help: "Only this kind.") var kind: String?
    @Flag(help: "Print a JSON array.") var json = false

    func run() throws {
        var itemKind: EquipmentKind?
        if let kind {
            guard let k = EquipmentKind(rawValue: kind) else {
                throw CommandFailure("--kind must be one of \(EquipmentKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            itemKind = k
        }
        let context = try AdminContext(options, act: .viewLedger)
        let items = try registryCall { () throws(RegistryError) in try context.registry.ledger.list(kind: itemKind) }
        if json { return try printJSON(items) }
        for item in items {
            print("\(item.id)  \(item.kind.rawValue)  \(item.name)  \(item.location)  \(item.status.rawValue)")
        }
    }
}

/// `cardgate ledger show`.
struct LedgerShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one ledger entry.", discussion: "Example: cardgate ledger show T01 --json")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The entry id.") var id: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let context = try AdminContext(options, act: .viewLedger)
        let item = try registryCall { () throws(RegistryError) in try context.registry.ledger.show(id) }
        if json { return try printJSON(item) }
        print("""
            id:        \(item.id)
            kind:      \(item.kind.rawValue)
            name:      \(item.name)
            location:  \(item.location)
            serial:    \(item.serial ?? "-")
            status:    \(item.status.rawValue)
            version:   \(item.version ?? "-")
            sha256:    \(item.sha256 ?? "-")
            """)
    }
}

/// `cardgate ledger change`.
struct LedgerChangeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change", abstract: "Change a ledger entry (the change record keeps before and after).",
        discussion: "Example: cardgate ledger change T01 --location 本庁舎2階 --note 移設")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The entry id.") var id: String
    @Option(help: "New name.") var name: String?
    @Option(help: "New location.") var location: String?
    @Option(help: "New serial number.") var serial: String?
    @Option(help: "in-service, in-stock or under-repair (retire with `ledger retire`).") var status: String?
    @Option(name: .customLong("program-version"), help: "New program version.") var version: String?
    @Option(help: "New program SHA-256.") var sha256: String?
    @Option(help: "A note for the change record.") var note: String?

    func run() throws {
        let update = EquipmentUpdate(name: name, location: location, serial: serial, status: try parseEquipmentStatus(status),
                                     version: version, sha256: sha256)
        let context = try AdminContext(options, act: .manageLedger, kind: .ledgerChanged)
        let changed = try context.perform(NewEvent(kind: .ledgerChanged, result: .success, details: EventDetails(operation: "change", record: id))) {
            try context.registry.ledger.change(id, update, note: note, by: context.actor ?? "")
        }
        print("ledger: \(changed.id) changed")
    }
}

/// `cardgate ledger retire`.
struct LedgerRetireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retire", abstract: "Retire a ledger entry for good.",
        discussion: "Example: cardgate ledger retire T01 --note 廃棄")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The entry id.") var id: String
    @Option(help: "A note for the change record.") var note: String?

    func run() throws {
        let context = try AdminContext(options, act: .manageLedger, kind: .ledgerChanged)
        let retired = try context.perform(NewEvent(kind: .ledgerChanged, result: .success, details: EventDetails(operation: "retire", record: id))) {
            try context.registry.ledger.retire(id, note: note, by: context.actor ?? "")
        }
        print("ledger: \(retired.id) retired")
    }
}

/// `cardgate ledger history`.
struct LedgerHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "The ledger's append-only change record, of one entry or all.",
        discussion: "Example: cardgate ledger history T01 --json")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The entry id (all entries when left out).") var id: String?
    @Flag(help: "Print a JSON array.") var json = false

    func run() throws {
        let context = try AdminContext(options, act: .viewLedger)
        let records = try registryCall { () throws(RegistryError) in try context.registry.ledger.history(id) }
        if json { return try printJSON(records) }
        let formatter = ISO8601DateFormatter()
        for r in records {
            print("\(r.sequence)  \(formatter.string(from: r.at))  \(r.equipmentId)  \(r.action.rawValue)  by \(r.actor)\(r.note.map { "  (\($0))" } ?? "")")
        }
    }
}
