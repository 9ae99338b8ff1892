import ArgumentParser
import Foundation
import GatewayAPI

/// The card named on the command line.
struct CardArgument: ParsableArguments {
    @Argument(help: "The card's GUID (32 hexadecimal digits, as `cardgate card list` shows it).") var guid: String
}

/// `cardgate card revoke`.
struct CardRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a card for good (lost, transfer, retired, damaged, other).",
        discussion: "Example: cardgate card revoke 0123456789abcdef0123456789abcdef --reason lost")
    @OptionGroup var options: AdminOptions
    @OptionGroup var card: CardArgument
    @Option(help: "lost, transfer, retired, damaged or other.") var reason: String

    func run() async throws {
        try await options.run(.cardRevoke(AdminCardRevoke(guid: card.guid, reason: reason)))
    }
}

/// `cardgate card collect`.
struct CardCollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect", abstract: "Record that a revoked card was handed back.",
        discussion: "Example: cardgate card collect 0123456789abcdef0123456789abcdef")
    @OptionGroup var options: AdminOptions
    @OptionGroup var card: CardArgument

    func run() async throws {
        try await options.run(.cardCollect(AdminCard(guid: card.guid)))
    }
}

/// `cardgate card destroy`.
struct CardDestroyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy", abstract: "Record that a collected card was destroyed.",
        discussion: "Example: cardgate card destroy 0123456789abcdef0123456789abcdef")
    @OptionGroup var options: AdminOptions
    @OptionGroup var card: CardArgument

    func run() async throws {
        try await options.run(.cardDestroy(AdminCard(guid: card.guid)))
    }
}

/// `cardgate card unblock`.
struct CardUnblockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unblock", abstract: "Lift the block after too many wrong PINs (the PIN stays the same).",
        discussion: "Example: cardgate card unblock 0123456789abcdef0123456789abcdef")
    @OptionGroup var options: AdminOptions
    @OptionGroup var card: CardArgument

    func run() async throws {
        try await options.run(.cardUnblock(AdminCard(guid: card.guid)))
    }
}

/// `cardgate card reset-pin`.
struct CardResetPINCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-pin", abstract: "Set a new initial PIN (also lifts a block); the holder must change it before using the card.",
        discussion: "Example: cardgate card reset-pin 0123456789abcdef0123456789abcdef   (PIN asked twice without echo)")
    @OptionGroup var options: AdminOptions
    @OptionGroup var card: CardArgument
    @Flag(help: "Read the new PIN as one line from standard input instead of the terminal.") var pinStdin = false

    func run() async throws {
        try PINEntry.requireSource(fromStdin: pinStdin)
        let pin = try PINEntry.readNew("new initial PIN", fromStdin: pinStdin)
        try await options.run(.cardResetPIN(AdminCardResetPIN(guid: card.guid, pin: SecretPIN(pin))))
    }
}

/// `cardgate card list`.
struct CardListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List cards, optionally of one operator.",
        discussion: "Example: cardgate card list --operator op-0042 --json")
    @OptionGroup var options: AdminOptions
    @Option(name: .customLong("operator"), help: "Only this operator's cards.") var operatorId: String?
    @Flag(help: "Print a JSON array.") var json = false

    func run() async throws {
        try await options.run(.cardList(AdminCardList(operator: operatorId)), json: json)
    }
}

/// `cardgate card show`.
struct CardShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one card with its PIN state (never the PIN).",
        discussion: "Example: cardgate card show 0123456789abcdef0123456789abcdef --json")
    @OptionGroup var options: AdminOptions
    @OptionGroup var card: CardArgument
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        try await options.run(.cardShow(AdminCard(guid: card.guid)), json: json)
    }
}

/// `cardgate card issue`: the daemon binds the card in the admin station's second reader to an operator.
struct CardIssueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue the card in the admin station's second reader to an operator: pin its key, set an initial PIN.",
        discussion: """
            Your own card stays in the admin reader; the new card goes into the second reader (role admin-subject).
            The card must answer a fresh challenge with its certificate's key; that key is pinned. The initial PIN is
            asked twice without echo (or one line with --pin-stdin); the holder must change it before using the card.

            Example: cardgate card issue --operator op-0042 --reader "CardGate Admin 00 01" --expires 2029-03-31
            """
    )

    @OptionGroup var options: AdminOptions
    @Option(name: .customLong("operator"), help: "The operator id the card is issued to.") var operatorId: String
    @Option(help: "The reader holding the new card (default: the configured admin-subject reader).") var reader: String?
    @Option(help: "Last day of validity, YYYY-MM-DD (default: the configured card validity).") var expires: String?
    @Flag(help: "Read the initial PIN as one line from standard input instead of the terminal.") var pinStdin = false

    func run() async throws {
        try PINEntry.requireSource(fromStdin: pinStdin)
        let pin = try PINEntry.readNew("initial PIN", fromStdin: pinStdin)
        try await options.run(.cardIssue(AdminCardIssue(operator: operatorId, reader: reader, expires: expires, pin: SecretPIN(pin))))
    }
}
