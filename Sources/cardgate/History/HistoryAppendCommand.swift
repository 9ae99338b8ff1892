import ArgumentParser
import Foundation
import History

/// `cardgate history append` (hidden): records events from a script or test; each is its own durable transaction.
struct HistoryAppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Record an event (for scripts and tests).",
        discussion: "Example: cardgate history append --kind system.notice --result success --reason test",
        shouldDisplay: false
    )
    @OptionGroup var options: HistoryOptions
    @Option(help: "The kind, e.g. door.entry.") var kind: String
    @Option(help: "success, failure or denied.") var result: String = "success"
    @Option var actor: String?
    @Option var card: String?
    @Option var place: String?
    @Option(help: "The details' reason code.") var reason: String?
    @Option(help: "Append the event this many times, one transaction each.") var count: Int = 1
    @Option(help: "Wait until this file exists before appending (lines up concurrent writers in tests).") var waitFor: String?

    func validate() throws {
        guard EventKind(rawValue: kind) != nil else { throw ValidationError("unknown kind \(kind)") }
        guard EventResult(rawValue: result) != nil else { throw ValidationError("result must be success, failure or denied") }
        guard (1...1_000_000).contains(count) else { throw ValidationError("count must be 1…1000000") }
    }

    func run() throws {
        let store = try options.openForWriting()
        let event = NewEvent(kind: EventKind(rawValue: kind)!, result: EventResult(rawValue: result)!, actor: actor, card: card,
                             place: place, details: EventDetails(reason: reason))
        if let waitFor {
            let deadline = Date().addingTimeInterval(30)
            while !FileManager.default.fileExists(atPath: waitFor) && Date() < deadline { usleep(2000) }
        }
        for _ in 0..<count {
            let receipt = try orExit { () throws(HistoryError) in try store.append(event) }
            printOut("\(receipt.sequence)\n")
        }
    }
}
