import ArgumentParser

/// `cardgate card …`: operator identification cards.
struct CardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Operator identification cards: probe, issue, revoke, collect, destroy, list, show, unblock, reset-pin.",
        subcommands: [CardProbeCommand.self, CardIssueCommand.self, CardRevokeCommand.self, CardCollectCommand.self,
                      CardDestroyCommand.self, CardListCommand.self, CardShowCommand.self, CardUnblockCommand.self,
                      CardResetPINCommand.self]
    )
}
