import ArgumentParser
import Foundation
import History

/// `cardgate history report …`: the entry/exit book and the anomaly report.
struct HistoryReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports for the supervisor: entry-book, anomalies.",
        subcommands: [EntryBookCommand.self, AnomaliesCommand.self]
    )
}

/// `cardgate history report entry-book --room R --from --to`.
struct EntryBookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entry-book",
        abstract: "The entry/exit book (入退室管理簿) of a room: entries and exits paired with durations, refusals apart.",
        discussion: "Example: cardgate history report entry-book --room server-room-1 --from 2026-04-01 --to 2026-05-01"
    )
    @OptionGroup var options: HistoryOptions
    @Option(help: "The room (door place id).") var room: String
    @Option(help: "From this date or time (UTC).") var from: String?
    @Option(help: "Until this date or time (UTC, exclusive).") var to: String?
    @Flag(help: "CSV instead of a table.") var csv = false
    @Flag(help: "With --csv: add the UTF-8 BOM for Excel.") var excel = false

    func run() throws {
        let store = try options.openForReading()
        let (r, f, t) = (room, try parseDate(from, option: "--from"), try parseDate(to, option: "--to"))
        let book = try orExit { () throws(HistoryError) in try EntryBook.read(from: store, room: r, from: f, to: t) }
        let header = ["person", "card", "entry", "exit", "duration", "note"]
        let rows = book.visits.map { v in
            [v.person ?? "", v.card ?? "", v.entry.map(HistoryTime.iso) ?? "", v.exit.map(HistoryTime.iso) ?? "",
             EntryBook.format(duration: v.duration),
             [v.exit == nil ? "no exit recorded" : nil, v.entry == nil ? "no entry recorded" : nil, v.outsideGrantedHours ? "outside granted hours" : nil]
                .compactMap { $0 }.joined(separator: "; ")]
        }
        let refusalHeader = ["time", "person", "card", "reason", "sequence"]
        let refusals = book.refusals.map { [HistoryTime.iso($0.time), $0.actor ?? "", $0.card ?? "", $0.details.reason ?? "", String($0.sequence)] }
        if csv {
            var text = excel ? EventFormatter.utf8BOM : ""
            text += CSV.lines([header] + rows) + "\r\n" + CSV.lines([refusalHeader] + refusals)
            printOut(text)
        } else {
            printOut("Entry/exit book — \(book.room)\n\n" + EventFormatter.table(header: header, rows: rows)
                   + "\nRefusals (\(refusals.count))\n" + EventFormatter.table(header: refusalHeader, rows: refusals))
        }
    }
}

/// `cardgate history report anomalies`.
struct AnomaliesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anomalies",
        abstract: "PIN failure bursts, lockouts, refused revoked/unknown/cloned cards, entries outside granted hours, entries without exit.",
        discussion: "Example: cardgate history report anomalies --from 2026-04-01 --to 2026-05-01 --json"
    )
    @OptionGroup var options: HistoryOptions
    @Option(help: "From this date or time (UTC).") var from: String?
    @Option(help: "Until this date or time (UTC, exclusive).") var to: String?
    @Flag(help: "One JSON object per finding.") var json = false

    func run() throws {
        let store = try options.openForReading()
        let (f, t) = (try parseDate(from, option: "--from"), try parseDate(to, option: "--to"))
        let report = try orExit { () throws(HistoryError) in try AnomalyReport.read(from: store, from: f, to: t) }
        if json {
            for i in report.items {
                var o: [String: Any] = ["finding": i.finding.rawValue, "sequence": i.sequence, "time": HistoryTime.iso(i.time), "note": i.note]
                if let a = i.actor { o["actor"] = a }
                if let c = i.card { o["card"] = c }
                if let p = i.place { o["place"] = p }
                printOut(EventFormatter.jsonText(o) + "\n")
            }
        } else {
            printOut(EventFormatter.table(header: ["time", "finding", "person", "card", "place", "sequence", "note"], rows: report.items.map {
                [HistoryTime.iso($0.time), $0.finding.rawValue, $0.actor ?? "", $0.card ?? "", $0.place ?? "", String($0.sequence), $0.note]
            }))
        }
    }
}

/// Minimal CSV for the reports (quotes fields that need it).
enum CSV {
    static func lines(_ rows: [[String]]) -> String {
        rows.map { row in
            row.map { c in
                c.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : c
            }.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }
}
