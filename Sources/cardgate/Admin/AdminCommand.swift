import ArgumentParser
import Foundation
import History
import Registry

/// `cardgate admin …`: the administrator's own session.
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Open or end an administrative session (card + PIN at the admin reader).",
        subcommands: [AdminLoginCommand.self, AdminLogoutCommand.self]
    )
}

/// `cardgate admin login`: card challenge against the pinned key, role, PIN; then a short session.
struct AdminLoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Prove card and PIN at the admin reader and open a short administrative session.",
        discussion: """
            The token goes to a 0600 file ($CARDGATE_SESSION_FILE, else $XDG_RUNTIME_DIR/cardgate/admin-session,
            else /tmp/cardgate-UID/admin-session). Wrong PINs count towards the block.

            Example: cardgate admin login --reader "CardGate Admin 00 00"
            """
    )

    @OptionGroup var options: ConfigOption
    @Option(help: "The admin reader holding your card.") var reader: String
    @Flag(help: "Read the PIN as one line from standard input instead of the terminal.") var pinStdin = false

    func run() throws {
        try PINEntry.requireSource(fromStdin: pinStdin)
        let context = try AdminContext(options, act: nil)
        try context.requireAdminReader(reader)
        let registry = context.registry
        let (presented, card) = try context.readRegisteredCard(reader: reader, unregisteredHint: "; administrators log in with a card issued to them")
        let cardId = presented.guid.hex
        let person = try registryCall { () throws(RegistryError) in try registry.operators.show(card.operatorId) }
        guard !person.roles.subtracting([.operator]).isEmpty else {
            try context.record(NewEvent(kind: .adminSession, result: .denied, actor: person.id, card: cardId, place: reader,
                                        details: EventDetails(reason: "no administrative role")))
            throw CommandFailure("\(person.id) holds no administrative role (supervisor, administrator, operations-manager or pin-admin); no session")
        }
        let pin = try PINEntry.read(["PIN"], fromStdin: pinStdin)[0]
        let check: PINCheck
        do {
            check = try registry.pins.verify(card: presented.guid, pin: pin)
        } catch {
            try context.record(NewEvent(kind: .adminSession, result: .denied, actor: person.id, card: cardId, place: reader,
                                        details: EventDetails(reason: "refused: \(error.code.rawValue)")))
            throw CommandFailure(error.description)
        }
        switch check {
        case .blocked:
            try context.record(NewEvent(kind: .pinFailed, result: .denied, actor: person.id, card: cardId, place: reader,
                                        details: EventDetails(reason: "blocked", retriesLeft: 0)))
            throw CommandFailure("card \(presented.guid.short) is blocked after too many wrong PINs; ask a PIN administrator to unblock it")
        case .rejected(let remaining):
            try context.record(NewEvent(kind: .pinFailed, result: .failure, actor: person.id, card: cardId, place: reader,
                                        details: EventDetails(retriesLeft: remaining)))
            if remaining == 0 {
                try context.record(NewEvent(kind: .pinLocked, result: .failure, actor: person.id, card: cardId, place: reader))
                throw CommandFailure("wrong PIN; card \(presented.guid.short) is now blocked; ask a PIN administrator to unblock it")
            }
            throw CommandFailure("wrong PIN; \(remaining) attempt\(remaining == 1 ? "" : "s") left before the card is blocked")
        case .accepted(let mustChange):
            if mustChange {
                throw CommandFailure("the PIN of card \(presented.guid.short) is an initial PIN; change it first with: cardgate pin change --reader \"\(reader)\"")
            }
        }
        try context.record(NewEvent(kind: .adminSession, result: .success, actor: person.id, card: cardId, place: reader,
                                    details: EventDetails(reason: "login")))
        let opened = try registryCall { () throws(RegistryError) in try registry.adminSessions.open(operatorId: person.id, card: presented.guid) }
        try SessionFile.write(opened.token)
        let formatter = DateFormatter()
        formatter.timeZone = context.installation.configuration.timeZone
        formatter.dateFormat = "HH:mm:ss"
        print("logged in as \(person.id) (\(person.roles.sorted().map(\.rawValue).joined(separator: ", "))) until \(formatter.string(from: opened.session.expiresAt))")
    }
}

/// `cardgate admin logout`: ends the session and removes the token file.
struct AdminLogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "End the administrative session.",
        discussion: "Example: cardgate admin logout"
    )

    @OptionGroup var options: ConfigOption

    func run() throws {
        let context = try AdminContext(options, act: nil)
        guard let token = try? SessionFile.read() else {
            SessionFile.remove()
            print("no administrative session was open")
            return
        }
        if let session = try? context.registry.adminSessions.validate(token) {
            try context.record(NewEvent(kind: .adminSession, result: .success, actor: session.operatorId,
                                        card: session.cardGuid.hex, details: EventDetails(reason: "logout")))
        }
        try registryCall { () throws(RegistryError) in try context.registry.adminSessions.end(token) }
        SessionFile.remove()
        print("logged out")
    }
}
