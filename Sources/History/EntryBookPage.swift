import Foundation

/// The entry/exit book (入退室管理簿) as one self-contained HTML page laid out for A4, the way Japanese offices print
/// it: a header with the room, the period, the date printed and the approval stamp boxes (確認印); the stays; the
/// visitors beside their escorts; and, each apart, the refusals, the door alarms, and the overrides, fire releases and
/// restores. Page numbers (`1 / 3`) and repeated table headers come from CSS paged media (print it with a browser, or
/// turn it into a PDF with `weasyprint`).
///
/// The page has no scripts and loads nothing: the style is inline, the fonts are the system's (IPAex Gothic, IPA
/// Gothic, Noto Sans CJK JP). Every value from the history or the registry is escaped.
public struct EntryBookPage: Sendable {
    /// The book.
    public var book: EntryBook
    /// The room's name, when known (from the registry).
    public var roomName: String?
    /// Operator names by operator id, when known (from the registry); ids without a name are printed as they are.
    public var operatorNames: [String: String]
    /// The start of the period (inclusive), nil for none.
    public var from: Date?
    /// The end of the period (exclusive), nil for none.
    public var to: Date?
    /// When the book is printed (the header's 印刷日).
    public var printedAt: Date
    /// The time zone in which dates and times are printed.
    public var timeZone: TimeZone
    /// The titles of the approval stamp boxes, left to right.
    public var stampTitles: [String]
    /// A remark printed under the header (e.g. why names are missing), if any.
    public var notice: String?

    /// The usual approval stamp boxes: the person in charge, the chief clerk, the section chief.
    public static let defaultStampTitles = ["担当", "係長", "課長"]

    /// Describes a page; nothing is rendered until ``html()``.
    public init(book: EntryBook, roomName: String? = nil, operatorNames: [String: String] = [:], from: Date? = nil, to: Date? = nil,
                printedAt: Date = Date(), timeZone: TimeZone = TimeZone(identifier: "Asia/Tokyo") ?? .gmt,
                stampTitles: [String] = EntryBookPage.defaultStampTitles, notice: String? = nil) {
        self.book = book
        self.roomName = roomName
        self.operatorNames = operatorNames
        self.from = from
        self.to = to
        self.printedAt = printedAt
        self.timeZone = timeZone
        self.stampTitles = stampTitles
        self.notice = notice
    }

    /// The whole page, UTF-8 HTML.
    public func html() -> String {
        let clock = EntryBookClock(timeZone: timeZone)
        let room = h(book.room)
        let title = roomName.map { "入退室管理簿 — \(h($0))（\(room)）" } ?? "入退室管理簿 — \(room)"
        var out = """
        <!DOCTYPE html>
        <html lang="ja">
        <head>
        <meta charset="utf-8">
        <meta name="generator" content="CardGate">
        <title>\(title)</title>
        <style>
        \(Self.style)
        </style>
        </head>
        <body>

        """
        out += header(clock)
        for section in sheet(clock).sections { out += html(section, clock) }
        out += closing(clock)
        out += "</body>\n</html>\n"
        return out
    }

    /// The counts printed under the header.
    var summary: String {
        [
            "入退室 \(book.visits.count) 件", "来訪者 \(book.visitors.count) 名", "入室拒否 \(book.refusals.count) 件",
            "扉の警報 \(book.alarms.count) 件", "解除・非常開放 \(book.actions.count) 件",
        ].joined(separator: "　")
    }

    /// The closing remarks: where the book comes from and how it was read.
    func closingLines(_ clock: EntryBookClock) -> [String] {
        var lines = ["この管理簿は CardGate の入退室履歴（改ざん検知付き）から作成した。Made from the CardGate history (tamper-evident)."]
        if let s = book.sequences { lines.append("もとにした履歴の番号: \(s.lowerBound)〜\(s.upperBound)（「cardgate history verify」で検証できる）。") }
        lines.append("時刻は\(clock.zoneLabel)。二人制の同行者は同じ扉で同時に記録された入室・退室から、来訪者は立会者のカードの記録から示す。")
        return lines
    }

    // MARK: Header

    private func header(_ clock: EntryBookClock) -> String {
        let boxes = stampTitles.map { "<th>\(h($0))</th>" }.joined()
        let blanks = stampTitles.map { _ in "<td></td>" }.joined()
        let roomCell = roomName.map { "<span class=\"room\">\(h($0))</span>（\(h(book.room))）" }
            ?? "<span class=\"room\">\(h(book.room))</span>"
        var out = """
        <header class="head">
        <table class="stamps"><caption>確認印 <span class="en">Approval</span></caption>
        <tr>\(boxes)</tr>
        <tr>\(blanks)</tr>
        </table>
        <h1>入退室管理簿</h1>
        <p class="subtitle">Room entry and exit book</p>
        <table class="meta">
        <tr><th>室名 <span class="en">Room</span></th><td>\(roomCell)</td></tr>
        <tr><th>期間 <span class="en">Period</span></th><td>\(h(clock.period(from: from, to: to)))</td></tr>
        <tr><th>印刷日 <span class="en">Printed</span></th><td><span class="printed">\(h(clock.longDay(printedAt)))</span> \(clock.time(printedAt))</td></tr>
        <tr><th>時刻 <span class="en">Time zone</span></th><td>\(h(clock.zoneLabel))</td></tr>
        </table>
        <p class="summary">\(summary)</p>

        """
        if let notice { out += "<p class=\"notice\">\(h(notice))</p>\n" }
        return out + "</header>\n"
    }

    private func closing(_ clock: EntryBookClock) -> String {
        "<footer class=\"closing\">\n" + closingLines(clock).map { "<p>\(h($0))</p>" }.joined(separator: "\n") + "\n</footer>\n"
    }

    // MARK: Sections

    /// One section: a heading with its English subtitle, and a table whose header repeats on every page; a row
    /// naming the day comes before each day's rows.
    private func html(_ section: EntryBookSheet.Section, _ clock: EntryBookClock) -> String {
        let columns = section.columns
        let cols = columns.map { "<col style=\"width: \($0.width)%\">" }.joined()
        let heads = columns.map { "<th>\(h($0.japanese))<span class=\"en\">\(h($0.english))</span></th>" }.joined()
        var out = "<section id=\"\(section.id)\">\n<h2>\(h(section.japanese))<span class=\"en\">\(h(section.english))</span>"
        out += "<span class=\"count\">（\(section.rows.count) \(section.counter)）</span></h2>\n"
        out += "<table class=\"book\">\n<colgroup>\(cols)</colgroup>\n<thead><tr>\(heads)</tr></thead>\n"
        if section.rows.isEmpty {
            out += "<tbody>\n<tr><td class=\"none\" colspan=\"\(columns.count)\">該当なし <span class=\"en\">None</span></td></tr>\n</tbody>\n"
        }
        // A day's line and its first row are one group that is not split between pages (no day line alone at the
        // foot of a page); the day's other rows flow on, so a day longer than a page still breaks.
        var day: Date?
        var open = false
        var closeAfterRow = false
        for row in section.rows {
            if let d = row.day, d != day {
                day = d
                if open { out += "</tbody>\n" }
                out += "<tbody class=\"day-start\">\n<tr class=\"day\"><td colspan=\"\(columns.count)\">\(h(clock.longDay(d)))</td></tr>\n"
                open = true
                closeAfterRow = true
            } else if !open {
                out += "<tbody>\n"
                open = true
            }
            let cells = zip(row.cells, columns).map { cell, column in
                let text = cell.map { html($0) }.joined(separator: "<br>")
                return Self.cssClass(column.alignment).map { "<td class=\"\($0)\">\(text)</td>" } ?? "<td>\(text)</td>"
            }
            out += "<tr>" + cells.joined() + "</tr>\n"
            if closeAfterRow {
                out += "</tbody>\n"
                open = false
                closeAfterRow = false
            }
        }
        if open { out += "</tbody>\n" }
        return out + "</table>\n</section>\n"
    }

    private func html(_ line: EntryBookSheet.Line) -> String {
        switch line.style {
        case .main: h(line.text)
        case .sub: "<span class=\"id\">\(h(line.text))</span>"
        case .visitor: "<span class=\"visitor\">\(h(line.text))</span>"
        }
    }

    private static func cssClass(_ alignment: EntryBookSheet.Alignment) -> String? {
        switch alignment {
        case .text: nil
        case .time: "time"
        case .number: "num"
        case .card: "card"
        }
    }

    private func h(_ text: String) -> String { HTMLText.escape(text) }
}
