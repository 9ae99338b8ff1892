import ArgumentParser
import History

/// `cardgate history archive --year Y`: moves a closed year to its own verified file.
struct HistoryArchiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Write a closed year to its own archive file, verify it, record its seal, and drop it from the live database.",
        discussion: "Example: cardgate history archive --year 2025"
    )
    @OptionGroup var options: HistoryOptions
    @Option(help: "The year to archive (before the current one).") var year: Int

    func run() throws {
        let store = try options.openForWriting()
        let y = year
        let r = try orExit { () throws(HistoryError) in try store.archive(year: y) }
        printOut("archived \(r.count) events of \(r.year) to \(r.path); recorded as event \(r.event.sequence)\n")
    }
}

/// `cardgate history prune --before Y`: removes archived years older than the retention period.
struct HistoryPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove archived years before Y whose every event is older than the retention period (at least 7 years).",
        discussion: "Example: cardgate history prune --before 2019"
    )
    @OptionGroup var options: HistoryOptions
    @Option(help: "Remove archived years before this one.") var before: Int

    func run() throws {
        let store = try options.openForWriting()
        let y = before
        let r = try orExit { () throws(HistoryError) in try store.prune(before: y) }
        printOut(r.years.isEmpty ? "nothing to prune before \(y)\n" : "pruned \(r.years.map(String.init).joined(separator: ", ")); each recorded by a purge event\n")
    }
}
