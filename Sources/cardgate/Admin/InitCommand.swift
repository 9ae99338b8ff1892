#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Credentials
import Foundation
import History
import Installation
import Registry
import Vocabulary

/// `cardgate init`: creates a new installation and enrols the first PIN administrator's card.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the folders, secret files and databases, and enrol the first PIN administrator's card.",
        discussion: """
            The card in the admin reader must answer a fresh challenge with its certificate's key, which is
            then pinned. The administrator chooses their PIN (asked twice without echo, or one line with
            --pin-stdin). Refused when any file of the installation already exists.

            Example: cardgate init --config /etc/cardgate/cardgate.toml --reader "CardGate Admin 00 00" --operator-id pa-001 --name 山田花子
            """
    )

    @Option(help: "The configuration file (default $CARDGATE_CONFIG, else /etc/cardgate/cardgate.toml).")
    var config: String?
    @Option(help: "The admin reader holding the first administrator's card.") var reader: String
    @Option(help: "The first PIN administrator's operator id.") var operatorId: String
    @Option(help: "Their name (UTF-8, Japanese allowed).") var name: String
    @Option(help: ArgumentHelp("Further roles of this person besides pin-admin (repeatable), for a small office where one person holds several: administrator, operations-manager, supervisor.", valueName: "role"))
    var role: [String] = []
    @Flag(help: "Read the PIN as one line from standard input instead of the terminal.") var pinStdin = false

    func run() throws {
        try PINEntry.requireSource(fromStdin: pinStdin)
        let roles = try Set(role.map { name throws -> Role in
            guard let role = Role(name: name) else {
                throw CommandFailure("unknown role \"\(name)\"; roles are \(Role.allCases.map(\.rawValue).joined(separator: ", ")); nothing was created")
            }
            return role
        }).union([.pinAdmin])
        let installation: Installation
        do {
            installation = try Installation(configurationFile: config)
        } catch {
            throw CommandFailure("configuration: \(error)")
        }
        let account = installation.configuration.service.account
        let serviceUID = ServiceAccount.uid(account)
        guard getuid() == 0 || getuid() == serviceUID else {
            throw CommandFailure("cardgate init creates the service's private files: run it as root or as the service account \(account); nothing was created")
        }
        // Everything created below is private to its owner from the first moment.
        umask(0o077)
        let createdFolders = ServiceAccount.missingFolders(installation)
        do {
            try installation.checkNotInitialized()
        } catch {
            throw CommandFailure(error.description)
        }
        guard installation.configuration.role(ofReader: reader) == .admin else {
            throw CommandFailure("\"\(reader)\" is not an admin reader in \(installation.configuration.file); nothing was created")
        }
        let presented = try PresentedCard.read(reader: reader) { _ in nil }
        guard presented.authenticity.isGenuine else {
            throw CommandFailure("the card \(presented.guid.short) did not prove it holds its certificate's key (\(presented.authenticity.explanation)); it is refused and nothing was created")
        }
        let pin = try PINEntry.readNew("PIN", fromStdin: pinStdin)
        do {
            try installation.pinPolicy().check(pin)
        } catch {
            throw CommandFailure("\(error.description); nothing was created")
        }
        let created: (history: HistoryStore, registry: Registry)
        do {
            created = try installation.initialize()
        } catch {
            throw CommandFailure("init: \(error)")
        }
        let card = presented.guid.hex
        let events = [
            NewEvent(kind: .systemInit, result: .success, actor: operatorId, place: reader,
                     details: EventDetails(reason: "installation created")),
            NewEvent(kind: .adminOperator, result: .success, actor: operatorId,
                     details: EventDetails(reason: "first PIN administrator", operation: "add", record: operatorId)),
            NewEvent(kind: .adminCardIssued, result: .success, actor: operatorId, card: card, place: reader,
                     details: EventDetails(record: operatorId)),
        ] + [installation.configuration.adminStation.admin, installation.configuration.adminStation.subject].compactMap { $0 }.map {
            NewEvent(kind: .ledgerAdded, result: .success, actor: operatorId,
                     details: EventDetails(reason: "admin station reader", operation: "reader", record: String($0.prefix(100))))
        }
        do {
            try created.history.append(contentsOf: events)
        } catch {
            throw CommandFailure("the history cannot record the enrolment, so it was not done: \(error)")
        }
        do {
            let station = installation.configuration.adminStation
            try created.registry.initialEnrolment.enrol(NewOperator(id: operatorId, name: name, roles: roles),
                                                        card: presented.binding, pin: pin,
                                                        stationReaders: [station.admin, station.subject].compactMap { $0 })
        } catch {
            _ = try? created.history.append(NewEvent(kind: .adminCardIssued, result: .failure, actor: operatorId, card: card,
                                                     details: EventDetails(reason: "not done: \(error.code.rawValue)")))
            throw CommandFailure("init: \(error.description)")
        }
        if getuid() == 0, let serviceUID, serviceUID != 0 {
            ServiceAccount.handOver(installation, createdFolders: createdFolders, to: serviceUID)
        }
        print("initialised \(installation.configuration.file): PIN administrator \(operatorId) with card \(presented.guid.hex) (key \(presented.certificate.fingerprint.hex))")
    }
}
