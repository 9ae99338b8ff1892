import Foundation

/// Turns events into text: an aligned table for people, CSV for spreadsheets, JSON lines for programs.
public enum EventFormatter {
    /// The output formats.
    public enum Format: String, CaseIterable, Sendable {
        /// Aligned columns.
        case table
        /// RFC 4180 CSV, UTF-8, CRLF line ends.
        case csv
        /// One JSON object per line.
        case json
    }

    /// The byte-order mark Japanese Excel needs to read a CSV file as UTF-8.
    public static let utf8BOM = "\u{FEFF}"

    /// The column names, in order, of the table and CSV outputs.
    public static let columns = ["sequence", "time", "kind", "result", "actor", "card", "place", "details", "hash"]

    static func cells(_ e: HistoryEvent) -> [String] {
        [String(e.sequence), HistoryTime.iso(e.time), e.kind.rawValue, e.result.rawValue, e.actor ?? "", e.card ?? "",
         e.place ?? "", e.details.fields.map { "\($0.0)=\($0.1)" }.joined(separator: " "), Hex.encode(e.hash)]
    }

    /// The CSV header line (with the BOM first when `excel` is set).
    public static func csvHeader(excel: Bool) -> String {
        (excel ? utf8BOM : "") + columns.joined(separator: ",") + "\r\n"
    }

    /// One CSV line. Fields are quoted when needed; a text field starting with `=`, `+`, `-` or `@` is prefixed
    /// with `'` so that a spreadsheet never runs it as a formula.
    public static func csvLine(_ e: HistoryEvent) -> String {
        cells(e).enumerated().map { i, cell in
            var c = cell
            if [4, 5, 6, 7].contains(i), let f = c.first, "=+-@".contains(f) { c = "'" + c }
            if c.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) {
                c = "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return c
        }.joined(separator: ",") + "\r\n"
    }

    /// One JSON object with sorted keys, then a newline.
    public static func jsonLine(_ e: HistoryEvent) -> String {
        var object: [String: Any] = [
            "sequence": e.sequence, "time": HistoryTime.iso(e.time), "kind": e.kind.rawValue, "result": e.result.rawValue,
            "hash": Hex.encode(e.hash), "previousHash": Hex.encode(e.previousHash),
            "details": Dictionary(e.details.fields, uniquingKeysWith: { a, _ in a }),
        ]
        if let a = e.actor { object["actor"] = a }
        if let c = e.card { object["card"] = c }
        if let p = e.place { object["place"] = p }
        return jsonText(object) + "\n"
    }

    /// Compact JSON with sorted keys and UTF-8 as it is.
    public static func jsonText(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A table of rows under a header; columns padded to the widest cell.
    public static func table(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, c in i == r.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// Table rows for events (the hash shortened to 16 digits).
    public static func tableRow(_ e: HistoryEvent) -> [String] {
        var c = cells(e)
        c[8] = String(c[8].prefix(16))
        return c
    }
}
