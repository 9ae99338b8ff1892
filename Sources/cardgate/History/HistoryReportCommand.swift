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

/// `cardgate history report entry-book --room R --from --to [--format table|csv|text|html|pdf] [--output FILE]`.
struct EntryBookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entry-book",
        abstract: "The entry/exit book (入退室管理簿) of a room, day by day: stays, visitors, refusals, door alarms, overrides and fire releases; printable on A4 (html, pdf).",
        discussion: """
        Examples:
          cardgate history report entry-book --room server-room-1 --from 2026-04-01 --to 2026-05-01
          cardgate history report entry-book --room R1 --from 2026-04-01 --to 2026-05-01 --format pdf --output R1-2026-04.pdf
          cardgate history report entry-book --room R1 --from 2026-04-01 --to 2026-04-08 --format text

        --format html and pdf lay the book out on A4 as it is printed: the room, the period and the date printed, the \
        approval stamp boxes (確認印), the daily totals, the stays, the visitors beside their escorts, and apart from \
        these the refusals, the door alarms, and the overrides, fire releases and restores, each listed day by day; \
        Japanese headings with English subtitles; page numbers and the table headers on every page. --format text is \
        the same book as plain text. Their dates and times are in the book's time zone (--time-zone, else the \
        configuration's time-zone, else Asia/Tokyo), and so is a plain date given to --from or --to; table (the default) \
        and csv list stays and refusals only and read and print UTC as before.

        Reading: the history database and archives are read directly, read-only, like every history report (the \
        daemon is not needed): run it as the service account, root, or a member of the auditors' group.

        Names: the history holds operator ids only. text, html and pdf look the names of operators and of the room up in the \
        registry, read-only (registry.sqlite beside the history database, or --registry; the daemon is not needed). The \
        registry is readable only by the service account (mode 0600): run the report as cardgate or root to print names; \
        anyone else gets ids, with a remark on the book. --no-names skips the lookup.

        PDF: needs weasyprint (Debian package weasyprint, /usr/bin/weasyprint) and --output FILE.pdf. --output writes \
        the file atomically (a temporary file beside it, renamed when complete) with mode 0640, and refuses an \
        existing file unless --force.
        """
    )
    @OptionGroup var options: HistoryOptions
    @Option(help: "The room (door place id).") var room: String
    @Option(help: "From this date or time (UTC; with text, html or pdf a plain date is in the book's time zone).") var from: String?
    @Option(help: "Until this date or time (exclusive; UTC, or with text, html or pdf a plain date in the book's time zone).") var to: String?
    @Flag(help: "CSV instead of a table.") var csv = false
    @Flag(help: "With --csv: add the UTF-8 BOM for Excel.") var excel = false
    @Option(help: "table (default; stays and refusals, UTC), csv, text (the whole book), html or pdf (A4, for printing).") var format: EntryBookFormat?
    @Option(help: "Write to this file instead of standard output (atomically, mode 0640; required with --format pdf).") var output: String?
    @Flag(help: "With --output: replace an existing file.") var force = false
    @Option(help: "text, html, pdf: the time zone of dates and times, an IANA name (default: the configuration's, else Asia/Tokyo).")
    var timeZone: String?
    @Option(help: "text, html, pdf: the registry to read names from, read-only (default: registry.sqlite beside the history database).")
    var registry: String?
    @Flag(help: "text, html, pdf: print operator and room ids only; do not read the registry.") var noNames = false
    @Option(help: "html, pdf: the titles of the approval stamp boxes (確認印), comma-separated (default 担当,係長,課長).")
    var stamps: String?
    @Option(help: ArgumentHelp("html, pdf: the date printed, an ISO 8601 time (for reproducible samples).", visibility: .hidden))
    var printedAt: String?

    /// The format asked for: `--format`, or `--csv`.
    var chosenFormat: EntryBookFormat { format ?? (csv ? .csv : .table) }

    func validate() throws {
        if csv, let format, format != .csv { throw ValidationError("--csv and --format \(format.rawValue) contradict each other") }
        if chosenFormat == .pdf, output == nil {
            throw ValidationError("--format pdf writes a file: add --output FILE.pdf (a PDF is never written to the terminal)")
        }
        if force, output == nil { throw ValidationError("--force only goes with --output") }
        if !chosenFormat.isPrintable, timeZone != nil || registry != nil || noNames || stamps != nil || printedAt != nil {
            throw ValidationError("--time-zone, --registry, --no-names and --stamps go with --format text, html or pdf")
        }
        if room.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--room must name a room (its door place id)") }
        if let stamps {
            guard chosenFormat == .html || chosenFormat == .pdf else { throw ValidationError("--stamps goes with --format html or pdf") }
            let titles = stamps.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard (1...6).contains(titles.count), titles.allSatisfy({ !$0.isEmpty && $0.count <= 8 }) else {
                throw ValidationError("--stamps takes 1 to 6 comma-separated titles of at most 8 characters, e.g. 担当,係長,課長")
            }
        }
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            throw ValidationError("--time-zone: unknown time zone \"\(timeZone)\"; use an IANA name such as Asia/Tokyo")
        }
    }

    func run() throws {
        if chosenFormat.isPrintable { return try printBook() }
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
        let text: String
        if chosenFormat == .csv {
            text = (excel ? EventFormatter.utf8BOM : "") + CSV.lines([header] + rows) + "\r\n" + CSV.lines([refusalHeader] + refusals)
        } else {
            text = "Entry/exit book — \(book.room)\n\n" + EventFormatter.table(header: header, rows: rows)
                + "\nRefusals (\(refusals.count))\n" + EventFormatter.table(header: refusalHeader, rows: refusals)
        }
        if let output {
            try ReportOutputFile.write(Data(text.utf8), to: output, force: force)
        } else {
            printOut(text)
        }
    }
}

/// The entry book's output formats.
enum EntryBookFormat: String, ExpressibleByArgument, CaseIterable {
    /// A text table of stays and refusals in UTC (the default, as before).
    case table
    /// CSV (as `--csv`).
    case csv
    /// The whole book as plain text, in the book's time zone.
    case text
    /// One self-contained A4 HTML page.
    case html
    /// A4 PDF through weasyprint.
    case pdf

    /// The whole book (``EntryBookPage``): in the book's time zone, with names.
    var isPrintable: Bool { self == .text || self == .html || self == .pdf }
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
