import ArgumentParser
import Foundation
import History
import Registry

/// `cardgate card issue`: binds the card in the admin reader to an operator with an initial PIN.
struct CardIssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue the card in the admin reader to an operator: pin its key, set an initial PIN.",
        discussion: """
            The card must answer a fresh challenge with its certificate's key; that key is pinned. The initial
            PIN is asked twice without echo (or one line with --pin-stdin); the holder must change it at first use.

            Example: cardgate card issue --operator op-0042 --reader "CardGate Admin 00 00" --expires 2029-03-31
            """
    )

    @OptionGroup var options: ConfigOption
    @Option(name: .customLong("operator"), help: "The operator id the card is issued to.") var operatorId: String
    @Option(help: "The admin reader holding the new card.") var reader: String
    @Option(help: "Last day of validity, YYYY-MM-DD (default: the configured card validity).") var expires: String?
    @Flag(help: "Read the initial PIN as one line from standard input instead of the terminal.") var pinStdin = false

    func run() throws {
        try PINEntry.requireSource(fromStdin: pinStdin)
        let context = try AdminContext(options, act: .issueCard, kind: .adminCardIssued)
        try context.requireAdminReader(reader)
        let expiry = try context.day(expires, option: "--expires").map { $0.addingTimeInterval(86_400) }
        let person = try registryCall { () throws(RegistryError) in try context.registry.operators.show(operatorId) }
        let presented = try PresentedCard.read(reader: reader) { _ in nil }
        guard presented.authenticity.isGenuine else {
            try context.record(NewEvent(kind: .cardRefused, result: .denied, actor: context.actor, card: presented.guid.hex,
                                        place: reader, details: EventDetails(reason: "clone")))
            throw CommandFailure("card \(presented.guid.short) did not prove it holds its certificate's key (\(presented.authenticity.explanation)); it is refused and nothing was issued")
        }
        if let existing = try? context.registry.cards.show(presented.guid) {
            throw CommandFailure(existing.status.isFinished
                ? "card \(presented.guid.short) is \(existing.status.rawValue) and cannot be issued again; nothing was changed"
                : "card \(presented.guid.short) is already bound to \(existing.operatorId); revoke it first; nothing was changed")
        }
        let pin = try PINEntry.readNew("initial PIN", fromStdin: pinStdin)
        let card = try context.perform(NewEvent(kind: .adminCardIssued, result: .success, card: presented.guid.hex, place: reader,
                                                details: EventDetails(record: person.id))) {
            try context.registry.cards.issue(presented.binding, to: person.id, initialPIN: pin, expiresAt: expiry,
                                             by: context.actor ?? "")
        }
        print("issued card \(card.guid.hex) to \(person.id) (\(person.name)), key \(card.key.fingerprint), valid until \(RegistryDay.text(card.expiresAt, context)); the holder must change the initial PIN at first use")
    }
}

/// Days as the administrator reads them (configured time zone).
enum RegistryDay {
    static func text(_ date: Date, _ context: AdminContext) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = context.installation.configuration.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date.addingTimeInterval(-1))
    }
}
