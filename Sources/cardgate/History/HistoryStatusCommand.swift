import ArgumentParser
import History

/// `cardgate history status`: how many events, checkpoints and archived years.
struct HistoryStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the live event count, the last sequence number, checkpoints and archived years.",
        discussion: "Example: cardgate history status"
    )
    @OptionGroup var options: HistoryOptions

    func run() throws {
        let store = try options.openForReading()
        let s = try orExit { () throws(HistoryError) in try store.status() }
        printOut("live events \(s.liveEvents)\nlast sequence \(s.lastSequence)\ncheckpoints \(s.checkpoints)\narchived years \(s.archivedYears.map(String.init).joined(separator: " "))\n")
    }
}

/// `cardgate history checkpoint`: signs a checkpoint at the head now.
struct HistoryCheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Sign a checkpoint at the newest event now (e.g. before a backup).",
        discussion: "Example: cardgate history checkpoint"
    )
    @OptionGroup var options: HistoryOptions

    func run() throws {
        let store = try options.openForWriting()
        if let cp = try orExit({ () throws(HistoryError) in try store.checkpoint() }) {
            printOut("checkpoint at \(cp.sequence) (year \(cp.year))\n")
        } else {
            printOut("the newest event is already covered by a checkpoint\n")
        }
    }
}
