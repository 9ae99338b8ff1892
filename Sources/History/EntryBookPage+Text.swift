import Foundation

extension EntryBookPage {
    /// The same book as plain text (UTF-8) for a terminal or a text file: the header, each section with its Japanese
    /// heading and English subtitle, a line naming each day before its rows, columns aligned by display width (a
    /// Japanese character takes two columns). No escaping is needed; control characters are dropped.
    public func text() -> String {
        let clock = EntryBookClock(timeZone: timeZone)
        let roomText = Self.clean(roomName.map { "\($0)（\(book.room)）" } ?? book.room)
        var out = "入退室管理簿 — Room entry and exit book\n\n"
        out += Self.aligned([
            ["室名 Room", roomText],
            ["期間 Period", clock.period(from: from, to: to)],
            ["印刷日 Printed", clock.longDay(printedAt) + " " + clock.time(printedAt)],
            ["時刻 Time zone", clock.zoneLabel],
        ])
        out += summary + "\n"
        if let notice { out += "※ " + Self.clean(notice) + "\n" }
        for section in sheet(clock).sections {
            out += "\n■ \(section.japanese) — \(section.english)（\(section.rows.count) \(section.counter)）\n"
            let header = section.columns.map { "\($0.japanese) \($0.english)" }
            guard !section.rows.isEmpty else {
                out += "  該当なし None\n"
                continue
            }
            // Column widths over the whole section, so that every day's rows line up.
            let rows = section.rows.map { $0.cells.map(Self.plain) }
            let columns = Self.widths([header] + rows)
            out += Self.line(header, columns)
            var day: Date?
            for (row, cells) in zip(section.rows, rows) {
                if let d = row.day, d != day {
                    day = d
                    out += "── \(clock.longDay(d)) ──\n"
                }
                out += Self.line(cells, columns)
            }
        }
        out += "\n" + closingLines(clock).joined(separator: "\n") + "\n"
        return out
    }

    /// A cell in one line: `佐藤 一郎 (op-0012)`, notes joined with ` / `.
    private static func plain(_ cell: EntryBookSheet.Cell) -> String {
        var out = ""
        for line in cell {
            let text = clean(line.text)
            switch line.style {
            case .sub: out += out.isEmpty ? text : " (\(text))"
            case .main, .visitor: out += out.isEmpty ? text : " / " + text
            }
        }
        return out
    }

    private static func aligned(_ rows: [[String]]) -> String {
        let columns = widths(rows)
        return rows.map { line($0, columns) }.joined()
    }

    private static func widths(_ rows: [[String]]) -> [Int] {
        var widths: [Int] = []
        for row in rows {
            for (i, cell) in row.enumerated() {
                if i == widths.count { widths.append(0) }
                widths[i] = max(widths[i], width(cell))
            }
        }
        return widths
    }

    private static func line(_ cells: [String], _ widths: [Int]) -> String {
        let padded = cells.enumerated().map { i, cell in
            i == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[i] - width(cell)))
        }
        return padded.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
    }

    /// Columns a terminal gives the text: two for East Asian wide and full-width characters, one for others.
    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { sum, s in
            let v = s.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
            return sum + (wide ? 2 : 1)
        }
    }

    /// The text without control characters (a value could otherwise move the terminal's cursor).
    private static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.properties.generalCategory != .control }))
    }
}
