import ArgumentParser
import Foundation
import History

/// Filter options shared by query and reports.
struct HistoryFilterOptions: ParsableArguments {
    @Option(help: "Operator id.") var `operator`: String?
    @Option(help: "Card GUID.") var card: String?
    @Option(help: "Terminal, door or reader id.") var place: String?
    @Option(help: "Kind or family (auth.pin.*); repeatable.") var kind: [String] = []
    @Option(help: "success, failure or denied.") var result: String?
    @Option(help: "From this date or time (inclusive, UTC).") var from: String?
    @Option(help: "Until this date or time (exclusive, UTC).") var to: String?
    @Option(help: "At most this many events.") var limit: Int?

    func filter() throws -> EventFilter {
        var r: EventResult?
        if let result {
            guard let e = EventResult(rawValue: result) else { throw ValidationError("--result must be success, failure or denied") }
            r = e
        }
        return EventFilter(actor: `operator`, card: card, place: place, kinds: kind, result: r,
                           from: try parseDate(from, option: "--from"), to: try parseDate(to, option: "--to"), limit: limit)
    }
}

/// `cardgate history query`: events selected by operator, card, place, kind, result and period.
struct HistoryQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "List events by operator, card, place, kind, result and period, as a table, CSV or JSON lines.",
        discussion: "Example: cardgate history query --operator op-0042 --kind 'auth.pin.*' --from 2026-04-01 --to 2026-05-01 --format csv --excel > pin.csv"
    )
    @OptionGroup var options: HistoryOptions
    @OptionGroup var filter: HistoryFilterOptions
    @Option(help: "table, csv or json (one object per line).") var format: String = "table"
    @Flag(help: "With --format csv: start with the UTF-8 byte-order mark that Japanese Excel needs.") var excel = false

    func run() throws {
        guard let fmt = EventFormatter.Format(rawValue: format) else { throw ValidationError("--format must be table, csv or json") }
        let f = try filter.filter()
        let store = try options.openForReading()
        switch fmt {
        case .table:
            var rows: [[String]] = []
            try orExit { () throws(HistoryError) in try store.forEachEvent(matching: f) { rows.append(EventFormatter.tableRow($0)); return true } }
            printOut(EventFormatter.table(header: EventFormatter.columns, rows: rows))
        case .csv:
            printOut(EventFormatter.csvHeader(excel: excel))
            try orExit { () throws(HistoryError) in try store.forEachEvent(matching: f) { printOut(EventFormatter.csvLine($0)); return true } }
        case .json:
            try orExit { () throws(HistoryError) in try store.forEachEvent(matching: f) { printOut(EventFormatter.jsonLine($0)); return true } }
        }
    }
}
