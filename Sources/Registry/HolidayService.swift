import Foundation
import GRDB
import Vocabulary

/// The national holiday calendar (`cardgate holiday list|import`), kept by the network administrator. Grants that
/// exclude holidays stay closed on these days and on the city's closing days from the configuration.
public struct HolidayService: Sendable {
    let registry: Registry

    /// The holidays from `from` to `to` (inclusive, either open), by day.
    public func list(from: CivilDate? = nil, to: CivilDate? = nil) throws(RegistryError) -> [Holiday] {
        try registry.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM holiday WHERE day >= ? AND day <= ? ORDER BY day",
                             arguments: [from?.description ?? "0000-00-00", to?.description ?? "9999-99-99"]).map {
                Holiday(day: $0["day"], name: $0["name"], importedAt: $0["importedAt"], importedBy: $0["importedBy"])
            }
        }
    }

    /// Every holiday day (for the doors' decisions).
    public func days() throws(RegistryError) -> Set<CivilDate> {
        try registry.read { db in
            Set(try String.fetchAll(db, sql: "SELECT day FROM holiday").compactMap { CivilDate(iso: $0) })
        }
    }

    /// Which of `dates` are holidays (for one door decision: today and yesterday).
    public func holidays(among dates: [CivilDate]) throws(RegistryError) -> Set<CivilDate> {
        guard !dates.isEmpty else { return [] }
        return try registry.read { db in
            let marks = Array(repeating: "?", count: dates.count).joined(separator: ", ")
            return Set(try String.fetchAll(db, sql: "SELECT day FROM holiday WHERE day IN (\(marks))",
                                           arguments: StatementArguments(dates.map(\.description))).compactMap { CivilDate(iso: $0) })
        }
    }

    /// Adds the days of a calendar file and renames those whose name changed; days already there and not in the file
    /// stay (an older file never removes a holiday). Needs the right to manage room access.
    @discardableResult
    public func importCalendar(_ entries: [HolidayEntry], by actor: String) throws(RegistryError) -> HolidayImport {
        guard let first = entries.map(\.date).min(), let last = entries.map(\.date).max() else {
            throw RegistryError(.invalidInput, "the holiday file lists no holiday")
        }
        let now = registry.now
        return try registry.write { db in
            _ = try registry.authorize(db, actor: actor, .manageRoomAccess)
            var (added, renamed, unchanged) = (0, 0, 0)
            for entry in entries {
                let name = try RegistryFormat.checkText(entry.name, what: "holiday name", limit: 64)
                let day = entry.date.description
                if let existing = try String.fetchOne(db, sql: "SELECT name FROM holiday WHERE day = ?", arguments: [day]) {
                    if existing == name {
                        unchanged += 1
                    } else {
                        try db.execute(sql: "UPDATE holiday SET name = ?, importedAt = ?, importedBy = ? WHERE day = ?",
                                       arguments: [name, now, actor, day])
                        renamed += 1
                    }
                } else {
                    try db.execute(sql: "INSERT INTO holiday (day, name, importedAt, importedBy) VALUES (?, ?, ?, ?)",
                                   arguments: [day, name, now, actor])
                    added += 1
                }
            }
            return HolidayImport(added: added, renamed: renamed, unchanged: unchanged, first: first.description, last: last.description)
        }
    }
}
