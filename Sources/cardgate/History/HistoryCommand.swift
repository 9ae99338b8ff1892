import ArgumentParser

/// `cardgate history …`: the tamper-evident record of every authentication and operation (clause 20).
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Record, verify, archive, query and report the tamper-evident history.",
        discussion: "Example: cardgate history verify --database /var/lib/cardgate/history.sqlite",
        subcommands: [
            HistoryInitKeyCommand.self, HistoryPublicKeyCommand.self, HistoryStatusCommand.self, HistoryVerifyCommand.self,
            HistoryQueryCommand.self, HistoryExportCommand.self, HistoryArchiveCommand.self, HistoryPruneCommand.self,
            HistoryCheckpointCommand.self, HistoryReportCommand.self, HistoryProveCommand.self, HistoryCheckProofCommand.self,
            HistoryConsistencyCommand.self, HistoryAcknowledgeCommand.self,
        ]
    )
}
