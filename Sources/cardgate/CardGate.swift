import ArgumentParser

/// The `cardgate` command: the operator-card and access authentication gateway.
@main
struct CardGate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cardgate",
        abstract: "Operator-card and access authentication gateway for the resident-registry network.",
        discussion: "Commands are grouped by noun: cardgate readers, cardgate card probe, cardgate history verify, …",
        version: CardGateVersion.current,
        subcommands: [
            // Each command group adds itself here, one line each.
            InitCommand.self,
            AdminCommand.self,
            OperatorCommand.self,
            CardCommand.self,
            PINCommand.self,
            RoomCommand.self,
            HolidayCommand.self,
            LedgerCommand.self,
            ReadersCommand.self,
            HistoryCommand.self,
            TerminalCommand.self,
            ServeCommand.self,
        ]
    )
}
