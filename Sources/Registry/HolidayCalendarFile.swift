import Foundation
import Vocabulary

/// Reads the Cabinet Office's national holiday calendar, `syukujitsu.csv` (内閣府「国民の祝日」): Shift_JIS (UTF-8 with or
/// without a byte-order mark is accepted too), CRLF or LF, a header line, then one `YYYY/M/D,name` line per holiday.
///
/// Every line is checked; one bad line refuses the whole file with its line number, so that a truncated or wrong file
/// never half-replaces the calendar.
public enum HolidayCalendarFile {
    /// The largest file accepted (the real one is about 20 KB for 1955–2027).
    public static let maximumBytes = 1 << 20
    /// The most lines accepted.
    public static let maximumLines = 20_000

    /// The holidays in `bytes`, in file order; throws `invalidInput` naming the first bad line.
    public static func parse(_ bytes: [UInt8]) throws(RegistryError) -> [HolidayEntry] {
        guard bytes.count <= maximumBytes else {
            throw RegistryError(.invalidInput, "the holiday file has \(bytes.count) bytes; at most \(maximumBytes) are accepted")
        }
        guard let text = decode(bytes) else {
            throw RegistryError(.invalidInput, "the holiday file is neither Shift_JIS nor UTF-8 text")
        }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        guard lines.count <= maximumLines + 1 else {
            throw RegistryError(.invalidInput, "the holiday file has \(lines.count) lines; at most \(maximumLines) are accepted")
        }
        var entries: [HolidayEntry] = []
        var seen: Set<CivilDate> = []
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let number = index + 1
            guard fields.count == 2 else {
                throw RegistryError(.invalidInput, "holiday file line \(number): expected `YYYY/M/D,name` (two fields), got \(fields.count)")
            }
            guard let date = slashDate(fields[0]) else {
                // The header (国民の祝日・休日月日,…) is the only line allowed without a date, and only first.
                if entries.isEmpty && index == firstNonEmpty(lines) { continue }
                throw RegistryError(.invalidInput, "holiday file line \(number): \"\(fields[0].prefix(20))\" is not a date YYYY/M/D")
            }
            let name = fields[1]
            guard (1...64).contains(name.count),
                  !name.unicodeScalars.contains(where: { [.control, .format].contains($0.properties.generalCategory) }) else {
                throw RegistryError(.invalidInput, "holiday file line \(number): the name must be 1–64 characters without control characters")
            }
            guard seen.insert(date).inserted else {
                throw RegistryError(.invalidInput, "holiday file line \(number): \(date) is listed twice")
            }
            entries.append(HolidayEntry(date: date, name: name))
        }
        guard !entries.isEmpty else {
            throw RegistryError(.invalidInput, "the holiday file lists no holiday")
        }
        return entries
    }

    private static func firstNonEmpty(_ lines: [Substring]) -> Int {
        lines.firstIndex { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? 0
    }

    /// UTF-8 (a byte-order mark dropped) when the bytes are valid UTF-8, else Shift_JIS.
    static func decode(_ bytes: [UInt8]) -> String? {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let text = String(validating: body, as: UTF8.self) { return text }
        return String(data: Data(bytes), encoding: .shiftJIS)
    }

    /// `2026/1/1` or `2026/01/01` (1955–2200).
    static func slashDate(_ text: String) -> CivilDate? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), (1948...2200).contains(year), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        return CivilDate(year: year, month: month, day: day)
    }
}
