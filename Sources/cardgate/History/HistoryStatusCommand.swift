import ArgumentParser
import Foundation
import History

/// `cardgate history status`: events, checkpoints, archived years, the witnesses and the alarm.
struct HistoryStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the live event count, checkpoints, archived years, the witnesses and whether the history is halted.",
        discussion: "Example: cardgate history status"
    )
    @OptionGroup var options: HistoryOptions

    func run() throws {
        let store = try options.openForReading()
        let s = try orExit { () throws(HistoryError) in try store.status() }
        let w = try orExit { () throws(HistoryError) in try store.witnessStatus() }
        var text = "live events \(s.liveEvents)\nlast sequence \(s.lastSequence)\ncheckpoints \(s.checkpoints)"
        text += w.lastCheckpointSize.map { " (newest at \($0) events)" } ?? ""
        text += "\narchived years \(s.archivedYears.map(String.init).joined(separator: " "))\nwitness \(w.mode.rawValue)"
        for f in w.files {
            text += "\n  \(f.path): " + (f.size.map { "checkpoint \(f.checkpointNumber ?? 0) at \($0) events" } ?? "no checkpoint") + (f.problem.map { " — \($0)" } ?? "")
        }
        if w.commands > 0 { text += "\n  \(w.commands) witness command(s)" }
        text += "\nunwitnessed events \(w.unwitnessedEvents)\n"
        text += w.halt.map { "HALTED since \(HistoryTime.iso($0.raisedAt)): \($0.reason), alarm event \($0.alarmSequence)\n" } ?? ""
        printOut(text + w.warnings.map { "warning: \($0)\n" }.joined())
    }
}

/// `cardgate history checkpoint`: signs a checkpoint at the head now.
struct HistoryCheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Sign a checkpoint at the newest event now and write it to the witnesses (e.g. before a backup or an audit).",
        discussion: "Example: cardgate history checkpoint"
    )
    @OptionGroup var options: HistoryOptions

    func run() throws {
        let store = try options.openForWriting()
        if let cp = try orExit({ () throws(HistoryError) in try store.checkpoint() }) {
            printOut("checkpoint \(cp.number) at \(cp.size) events\n")
        } else {
            printOut("the newest event is already covered by a checkpoint\n")
        }
    }
}
