import ArgumentParser
import History
import Registry

/// `cardgate history acknowledge`: an administrator's answer to the witness alarm.
struct HistoryAcknowledgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acknowledge",
        abstract: "Clear the witness alarm after investigating: record who and why, and set aside the witnessed checkpoints the database does not extend.",
        discussion: """
            Needs an administrator's session (cardgate admin login). First compare with the last backup: restoring a backup
            that extends the witness is better than this. The incident stays visible to verify.
            Example: cardgate history acknowledge --reason "disk replaced; events 1201-1260 lost, see incident 2026-07"
            """
    )
    @OptionGroup var options: ConfigOption
    @Option(help: "Why (at most 128 bytes; it is recorded).") var reason: String

    func run() throws {
        let context = try AdminContext(options, act: .archiveHistory, kind: .historyAcknowledged)
        let (who, why) = (context.actor!, reason)
        let cp = try orExit { () throws(HistoryError) in try context.history.acknowledgeWitnessMismatch(by: who, reason: why) }
        printOut("acknowledged by \(who); checkpoint \(cp.number) at \(cp.size) events sets aside \(cp.supersedes.count) witnessed checkpoint(s); the history records again\n")
    }
}
