import ArgumentParser

/// `cardgate card …`: operator identification cards.
struct CardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Operator identification cards: probe a card in a reader.",
        subcommands: [CardProbeCommand.self]
    )
}
