import Foundation
import Vocabulary

/// A day on which grants that exclude holidays stay closed: a national holiday imported from the Cabinet Office's
/// calendar (`cardgate holiday import`). The city's own closing days (年末年始) come from the configuration.
public struct Holiday: Sendable, Equatable, Encodable {
    /// The day, `YYYY-MM-DD`.
    public let day: String
    /// Its name as the calendar gives it (元日, 成人の日…).
    public let name: String
    /// When it was imported.
    public let importedAt: Date
    /// Who imported it.
    public let importedBy: String

    /// The day as a calendar date.
    public var date: CivilDate? { CivilDate(iso: day) }
}

/// One line of a holiday calendar file, checked.
public struct HolidayEntry: Sendable, Equatable, Hashable {
    /// The day.
    public let date: CivilDate
    /// Its name (1–64 characters).
    public let name: String

    /// Makes an entry.
    public init(date: CivilDate, name: String) {
        self.date = date
        self.name = name
    }
}

/// What an import changed.
public struct HolidayImport: Sendable, Equatable, Encodable {
    /// Days new to the calendar.
    public let added: Int
    /// Days whose name changed.
    public let renamed: Int
    /// Days already there with the same name.
    public let unchanged: Int
    /// The first and last day in the file, `YYYY-MM-DD`.
    public let first: String
    /// The last day in the file.
    public let last: String
}
