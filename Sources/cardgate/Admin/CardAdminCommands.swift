import ArgumentParser
import Foundation
import History
import Registry

/// The card named on the command line.
struct CardArgument: ParsableArguments {
    @Argument(help: "The card's GUID (32 hexadecimal digits, as `cardgate card list` shows it).") var guid: String

    func parsed() throws -> CardGUID {
        do { return try CardGUID(guid) } catch { throw CommandFailure("\(error.description); nothing was changed") }
    }
}

/// `cardgate card revoke`.
struct CardRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a card for good (lost, transfer, retired, damaged, other).",
        discussion: "Example: cardgate card revoke 0123456789abcdef0123456789abcdef --reason lost")
    @OptionGroup var options: ConfigOption
    @OptionGroup var card: CardArgument
    @Option(help: "lost, transfer, retired, damaged or other.") var reason: String

    func run() throws {
        guard let why = RevocationReason(rawValue: reason) else {
            throw CommandFailure("--reason must be one of \(RevocationReason.allCases.map(\.rawValue).joined(separator: ", ")); nothing was changed")
        }
        let guid = try card.parsed()
        let context = try AdminContext(options, act: .changeCardStatus, kind: .adminCardStatus)
        let done = try context.perform(NewEvent(kind: .adminCardStatus, result: .success, card: guid.hex,
                                                details: EventDetails(reason: "revoked: \(why.rawValue)"))) {
            try context.registry.cards.revoke(guid, reason: why, by: context.actor ?? "")
        }
        print("card \(done.guid.hex) of \(done.operatorId) revoked (\(why.rawValue))")
    }
}

/// `cardgate card collect`.
struct CardCollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect", abstract: "Record that a revoked card was handed back.",
        discussion: "Example: cardgate card collect 0123456789abcdef0123456789abcdef")
    @OptionGroup var options: ConfigOption
    @OptionGroup var card: CardArgument

    func run() throws {
        let guid = try card.parsed()
        let context = try AdminContext(options, act: .changeCardStatus, kind: .adminCardStatus)
        let done = try context.perform(NewEvent(kind: .adminCardStatus, result: .success, card: guid.hex, details: EventDetails(reason: "collected"))) {
            try context.registry.cards.collect(guid, by: context.actor ?? "")
        }
        print("card \(done.guid.hex) collected")
    }
}

/// `cardgate card destroy`.
struct CardDestroyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy", abstract: "Record that a collected card was destroyed.",
        discussion: "Example: cardgate card destroy 0123456789abcdef0123456789abcdef")
    @OptionGroup var options: ConfigOption
    @OptionGroup var card: CardArgument

    func run() throws {
        let guid = try card.parsed()
        let context = try AdminContext(options, act: .changeCardStatus, kind: .adminCardStatus)
        let done = try context.perform(NewEvent(kind: .adminCardStatus, result: .success, card: guid.hex, details: EventDetails(reason: "destroyed"))) {
            try context.registry.cards.destroy(guid, by: context.actor ?? "")
        }
        print("card \(done.guid.hex) destroyed")
    }
}

/// `cardgate card unblock`.
struct CardUnblockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unblock", abstract: "Lift the block after too many wrong PINs (the PIN stays the same).",
        discussion: "Example: cardgate card unblock 0123456789abcdef0123456789abcdef")
    @OptionGroup var options: ConfigOption
    @OptionGroup var card: CardArgument

    func run() throws {
        let guid = try card.parsed()
        let context = try AdminContext(options, act: .unblockPIN, kind: .pinUnblocked)
        let done = try context.perform(NewEvent(kind: .pinUnblocked, result: .success, card: guid.hex)) {
            try context.registry.cards.unblock(guid, by: context.actor ?? "")
        }
        print("card \(done.guid.hex) of \(done.operatorId) unblocked")
    }
}

/// `cardgate card reset-pin`.
struct CardResetPINCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-pin", abstract: "Set a new initial PIN (also lifts a block); the holder must change it.",
        discussion: "Example: cardgate card reset-pin 0123456789abcdef0123456789abcdef   (PIN asked twice without echo)")
    @OptionGroup var options: ConfigOption
    @OptionGroup var card: CardArgument
    @Flag(help: "Read the new PIN as one line from standard input instead of the terminal.") var pinStdin = false

    func run() throws {
        let guid = try card.parsed()
        try PINEntry.requireSource(fromStdin: pinStdin)
        let context = try AdminContext(options, act: .resetPIN, kind: .pinReset)
        _ = try registryCall { () throws(RegistryError) in try context.registry.cards.show(guid) }
        let pin = try PINEntry.readNew("new initial PIN", fromStdin: pinStdin)
        let done = try context.perform(NewEvent(kind: .pinReset, result: .success, card: guid.hex)) {
            try context.registry.cards.resetPIN(guid, newPIN: pin, by: context.actor ?? "")
        }
        print("PIN of card \(done.guid.hex) reset; \(done.operatorId) must change it at first use")
    }
}

/// `cardgate card list`.
struct CardListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List cards, optionally of one operator.",
        discussion: "Example: cardgate card list --operator op-0042 --json")
    @OptionGroup var options: ConfigOption
    @Option(name: .customLong("operator"), help: "Only this operator's cards.") var operatorId: String?
    @Flag(help: "Print a JSON array.") var json = false

    func run() throws {
        let context = try AdminContext(options, act: .viewOperatorsAndCards)
        let cards = try registryCall { () throws(RegistryError) in try context.registry.cards.list(operatorId: operatorId) }
        if json { return try printJSON(cards) }
        for card in cards {
            print("\(card.guid.hex)  \(card.operatorId)  \(card.status.rawValue)\(card.revocationReason.map { " (\($0.rawValue))" } ?? "")  until \(RegistryDay.text(card.expiresAt, context))")
        }
    }
}

/// `cardgate card show`.
struct CardShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one card with its PIN state (never the PIN).",
        discussion: "Example: cardgate card show 0123456789abcdef0123456789abcdef --json")
    @OptionGroup var options: ConfigOption
    @OptionGroup var card: CardArgument
    @Flag(help: "Print one JSON object.") var json = false

    struct Output: Encodable {
        let card: Card
        let pin: PINStatus
    }

    func run() throws {
        let guid = try card.parsed()
        let context = try AdminContext(options, act: .viewOperatorsAndCards)
        let shown = try registryCall { () throws(RegistryError) in try context.registry.cards.show(guid) }
        let pin = try registryCall { () throws(RegistryError) in try context.registry.pins.status(card: guid) }
        if json { return try printJSON(Output(card: shown, pin: pin)) }
        print("""
            card:      \(shown.guid.hex)
            holder:    \(shown.operatorId)
            status:    \(shown.status.rawValue)\(shown.revocationReason.map { " (\($0.rawValue))" } ?? "")
            key:       \(shown.key.fingerprint)
            valid to:  \(RegistryDay.text(shown.expiresAt, context))
            PIN:       \(pin.blocked ? "BLOCKED" : "\(pin.remainingAttempts) attempts left")\(pin.mustChange ? ", initial (must change)" : "")
            """)
    }
}
